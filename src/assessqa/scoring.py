"""Scoring one document: segment, read features, apply the model, and build the output record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from spacy.language import Language
from spacy.tokens import Doc

from assessqa import errors
from assessqa.config import Settings
from assessqa.features import (
    ActionUnit,
    PlanFigures,
    SentenceUnit,
    action_units,
    candidate_reprs,
    dimension_features,
    evidence_context,
    needs_from,
    plan_figures,
    sentence_units,
    unit_reprs,
)
from assessqa.models.bundle import AssessModel
from assessqa.models.store import load_model, version_warnings
from assessqa.schemas import (
    ACTION_FLAGS,
    CUES,
    DIMENSION_CUES,
    DIMENSIONS,
    DIMENSIONS_BY_TYPE,
    DOC_TYPES,
    GRADE_LABELS,
    ActionResult,
    ChildResult,
    ContingencySummary,
    DimensionResult,
    Evidence,
    InputDocument,
    Insights,
    OverOptimism,
    PlanSummary,
    ScoreRecord,
    SectionResult,
    SmartFlags,
    TextSpan,
)
from assessqa.segment import PLAN_ONLY_PIPES, build_pipeline, remember_text
from assessqa.insights import child_coverage, description_analysis, over_optimism
from assessqa.suggestions import action_suggestions, dimension_suggestions


@dataclass
class DocumentAnalysis:
    """Everything the model concluded about one document, before it is shaped into a record."""

    doc_type: str
    doc_type_source: str
    units: list[SentenceUnit]
    cue_probs: np.ndarray
    # Per dimension, each sentence's probability of being evidence for it (the cue probabilities read in context).
    evidence_probs: dict[str, np.ndarray]
    actions: list[ActionUnit]
    action_probs: np.ndarray
    flag_probs: np.ndarray
    needs: list[tuple[int, int, str]]
    grade_probs: dict[str, dict[int, float]]
    sections: list[SectionResult]
    plan: PlanFigures | None = None
    need_links: list[tuple[int, int] | None] | None = None


_DOMAIN_RE = re.compile(
    r"\b(?:child(?:ren)?|baby|babies|son|daughter|parents?|mum|mother|dad|father|carers?|family|families|school|nursery|"
    r"social worker|sw|safeguarding|assessment|plan|risk|harm|neglect|abuse|care|health visitor|gp|police|home|visit\w*|"
    r"siblings?|brother|sister|nan|grandm\w+|foster|conference|core group|referral)\b",
    re.IGNORECASE,
)


def domain_density(text: str) -> float:
    """Children's social care words per 100 words: near zero for off-topic text and gibberish."""
    words = max(1, len(text.split()))
    return 100.0 * len(_DOMAIN_RE.findall(text)) / words


def check_document(document: InputDocument, where: str, max_chars: int) -> None:
    """Refuse text that cannot be scored: empty, over ``max_chars``, or of an unknown type."""
    if not document.text or not document.text.strip():
        raise errors.empty_text(where)
    if len(document.text) > max_chars:
        raise errors.text_too_long(where, len(document.text), max_chars)
    if document.doc_type is not None and document.doc_type not in DOC_TYPES:
        raise errors.bad_doc_type(where, str(document.doc_type), list(DOC_TYPES))


class Scorer:
    """Holds a loaded model and a segmentation pipeline; thread-safe for concurrent ``score`` calls.

    Example::

        scorer = Scorer.from_directory(Path("models/default"))
        record = scorer.score(InputDocument(text="Section 1: Child's views ..."))
    """

    def __init__(
        self, model: AssessModel, settings: Settings | None = None, nlp: Language | None = None, model_dir: Path | None = None
    ) -> None:
        self.model = model
        self.settings = settings or Settings()
        # Where the model was loaded from, so that worker processes can load it too; None for an in-memory model.
        self.model_dir = model_dir
        self.nlp = nlp or build_pipeline(max_length=max(1_000_000, self.settings.max_chars + 1))
        self._load_warnings = version_warnings(model.meta)

    @classmethod
    def from_directory(cls, directory: Path | None = None, settings: Settings | None = None) -> "Scorer":
        settings = settings or Settings()
        path = Path(directory or settings.model_dir)
        return cls(load_model(path, settings.model_public_key), settings, model_dir=path)

    @property
    def model_version(self) -> str:
        return self.model.version

    def check_input(self, document: InputDocument, where: str) -> None:
        check_document(document, where, self.settings.max_chars)

    def parse(self, text: str, doc_type: str | None = None) -> Doc:
        """Run the segmentation pipeline; when the type is already known to be an assessment, the plan-only
        components (action items, roles, the rule-based type detector) are skipped: they cost more than the
        other components together."""
        doc = self.nlp.make_doc(text)
        remember_text(doc, text)
        for name, component in self.nlp.pipeline:
            if doc_type != "assessment" or name not in PLAN_ONLY_PIPES:
                doc = component(doc)
        return doc

    def analyse(self, text: str, doc_type: str | None = None) -> DocumentAnalysis:
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return self._analyse(text, doc_type)

    def _analyse(self, text: str, doc_type: str | None) -> DocumentAnalysis:
        if doc_type is not None:
            resolved, source = doc_type, "given"
        else:
            p_plan = self.model.doc_type_probability(text)
            resolved = None if p_plan is None else ("plan" if p_plan >= 0.5 else "assessment")
            source = "detected"
        doc = self.parse(text, resolved)
        if resolved is None:
            resolved = doc._.doc_type
        units = sentence_units(doc)
        cue_probs = self.model.cue_probabilities(unit_reprs(units))
        actions: list[ActionUnit] = []
        action_probs = np.zeros(0)
        flag_probs = np.zeros((0, len(ACTION_FLAGS)))
        needs = needs_from(units, cue_probs)
        if resolved == "plan":
            candidates = action_units(doc)
            reprs = candidate_reprs(candidates, needs)
            probs = self.model.action_probabilities(reprs)
            keep = [i for i, p in enumerate(probs) if p >= self.model.config["action_threshold"]]
            actions = [candidates[i] for i in keep]
            action_probs = probs[keep] if len(keep) else np.zeros(0)
            flag_probs = self.model.flag_probabilities([reprs[i] for i in keep])
        plan = links = None
        if resolved == "plan":
            plan, links = plan_figures(actions, flag_probs, needs, units, cue_probs)
        context = evidence_context(units, cue_probs)
        evidence_probs = self.model.evidence_probabilities(DIMENSIONS_BY_TYPE[resolved], cue_probs, context)
        grade_probs = {}
        for dim in DIMENSIONS_BY_TYPE[resolved]:
            feats = dimension_features(
                dim, cue_probs, units, flag_probs if resolved == "plan" else None, plan, floor=self.model.config["evidence_floor"]
            )
            grade_probs[dim] = self.model.grade_probabilities(dim, feats)
        sections = [
            SectionResult(title=s._.section_title or s.text[:60], category=s.label_, start=s.start_char, end=s.end_char)
            for s in doc.spans.get("sections", [])
        ]
        return DocumentAnalysis(
            resolved, source, units, cue_probs, evidence_probs, actions, action_probs, flag_probs, needs, grade_probs, sections, plan, links
        )

    def _evidence(self, dimension: str, analysis: DocumentAnalysis) -> tuple[list[Evidence], set[str]]:
        """The strongest evidence sentences for ``dimension``, each named by its likeliest cue, and every cue
        the shown sentences carry (which the suggestions read to say what is missing)."""
        threshold = self.model.evidence_threshold(dimension)
        cols = [CUES.index(c) for c in DIMENSION_CUES[dimension]]
        scored = []
        found: set[str] = set()
        for i, unit in enumerate(analysis.units):
            p = float(analysis.evidence_probs[dimension][i])
            if p < threshold:
                continue
            cues = analysis.cue_probs[i, cols]
            cue = CUES[cols[int(np.argmax(cues))]]
            found.add(cue)
            # 0.5 is the tagger's own cut (it is trained class-balanced); the dimension's threshold belongs to the scorer.
            found.update(CUES[j] for j, q in zip(cols, cues) if q >= 0.5)
            scored.append((p, unit, cue))
        scored.sort(key=lambda item: -item[0])
        evidence = []
        used = set()
        for p, unit, cue in scored:
            if unit.start in used:
                continue
            used.add(unit.start)
            evidence.append(Evidence(start=unit.start, end=unit.end, text=unit.text, cue=cue))
            if len(evidence) >= self.settings.evidence_per_dimension:
                break
        return evidence, found

    def score(self, document: InputDocument, where: str = "document") -> ScoreRecord:
        """Score one document; raises :class:`assessqa.errors.InputError` for input that cannot be scored."""
        self.check_input(document, where)
        analysis = self.analyse(document.text, document.doc_type)
        # Evidence first: the per-child coverage must agree with the sentences shown as a child's voice.
        shown = {dim: self._evidence(dim, analysis) for dim in analysis.grade_probs}
        voice_shown = [(e.start, e.end) for evidence, _ in shown.values() for e in evidence if e.cue in ("child_voice", "observation")]
        children = child_coverage(document.text, analysis.units, analysis.cue_probs, voice_shown=voice_shown)
        voiced = {c.name for c in children if c.views}
        # Below this the text is not about a child and family: no grade is trusted without a person's review.
        off_topic = domain_density(document.text) < self.model.config["min_domain_density"]
        # A few sentences are too little to grade: the warning below says so, and every grade asks for review.
        thin = len(analysis.units) < 3
        # Cue counts survive shuffled words or sentences; a text that does not read as ordered prose is reviewed.
        disordered = not thin and self.model.disordered(document.text)
        dimensions: dict[str, DimensionResult | None] = {d: None for d in DIMENSIONS}
        for dim, probs in analysis.grade_probs.items():
            grade = self.model.grade_from(probs)
            evidence, found = shown[dim]
            dimensions[dim] = DimensionResult(
                grade=grade,
                label=GRADE_LABELS[grade],
                probabilities={str(g): round(p, 4) for g, p in probs.items()},
                needs_review=off_topic or thin or disordered or probs[grade] < self.model.config["abstain_below"],
                evidence=evidence,
                suggestions=dimension_suggestions(dim, grade, found, document.text, voiced),
            )
        text = document.text
        actions = []
        links = analysis.need_links or [None] * len(analysis.actions)
        for unit, flags_row, link in zip(analysis.actions, analysis.flag_probs, links):
            flags = {flag: bool(flags_row[j] >= 0.5) for j, flag in enumerate(ACTION_FLAGS)}
            actions.append(
                ActionResult(
                    text=unit.text,
                    start=unit.start,
                    end=unit.end,
                    smart=SmartFlags(**flags),
                    need=TextSpan(start=link[0], end=link[1], text=text[link[0] : link[1]]) if link else None,
                    suggestions=action_suggestions(unit.text, flags),
                )
            )
        plan = None
        if analysis.plan is not None:
            fig = analysis.plan
            c = fig.contingency
            plan = PlanSummary(
                actions=fig.actions,
                fully_smart_share=fig.fully_smart,
                process_only_share=fig.process_only,
                vague_timescale_share=fig.vague_timescales,
                needs=fig.needs,
                needs_without_action=fig.needs_without_action,
                actions_without_need=fig.actions_without_need,
                contingency=ContingencySummary(
                    present=c.present,
                    trigger=c.trigger,
                    consequence=c.consequence,
                    timescale=c.timescale,
                    evidence=TextSpan(start=c.sentence.start, end=c.sentence.end, text=c.sentence.text) if c.sentence else None,
                ),
            )
        described, analysed = description_analysis(analysis.units, analysis.cue_probs)
        conclusion, risks = over_optimism(analysis.units, analysis.cue_probs)
        insights = Insights(
            children=[ChildResult(**c.__dict__) for c in children],
            description_share=described,
            analysis_share=analysed,
            over_optimism=OverOptimism(
                flag=conclusion is not None,
                risks_recorded=risks,
                conclusion=TextSpan(start=conclusion.start, end=conclusion.end, text=conclusion.text) if conclusion else None,
            ),
        )
        warnings = list(self._load_warnings)
        if off_topic:
            warnings.append("the text does not read like a children's social care record: every grade needs review")
        if analysis.doc_type == "plan" and not actions:
            warnings.append("no plan actions were found; check the document is a plan or give doc_type")
        if thin:
            warnings.append("very little text to grade: every grade needs review")
        if disordered:
            warnings.append("the text does not read as sentences in a sensible order (shuffled or garbled?): every grade needs review")
        return ScoreRecord(
            id=document.id,
            doc_type=analysis.doc_type,
            doc_type_source=analysis.doc_type_source,
            model_version=self.model_version,
            dimensions=dimensions,
            actions=actions,
            sections=analysis.sections,
            plan=plan,
            insights=insights,
            metadata=document.metadata,
            warnings=warnings,
        )

