"""The stages a document goes through, defined once and batched over documents.

    segment -> tag cues -> score action candidates (plans) -> evidence in context -> grade features -> grades

Scoring (:class:`assessqa.scoring.Scorer`), training (:mod:`assessqa.training.fit`, which calls these stages with
parts fitted out of fold) and the cross-validation scripts all call the functions here, so what a model is trained
on and what it is shown at scoring time cannot drift apart. Each stage takes a batch of documents and makes one
vectoriser and one estimator call for the whole batch: scikit-learn's per-call checks cost more than the arithmetic
on one document's fifty sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

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
from assessqa.features.generic_text import about_no_one, mark_runs
from assessqa.features.sentences import own_words
from assessqa.models.bundle import AssessModel
from assessqa.models.coherence_features import PlaceMemo
from assessqa.schemas import ACTION_FLAGS, CUES, DIMENSIONS_BY_TYPE, SectionResult
from assessqa.segment import DOC_TYPE_PIPE, PIPE_NAMES, PLAN_ONLY_PIPES, people_of, remember_text
from assessqa.segment.records import cut_between, second_record_start
from assessqa.segment.repeats import blank_repeats

# A function from representations (strings) to a probability matrix: a bundled model's method, or a part fitted
# on one training fold.
Predict = Callable[[list[str]], np.ndarray]


@dataclass
class Segmented:
    """Stage 1, segment: one document's sentences, sections and (for plans) action candidates."""

    text: str
    doc_type: str
    doc_type_source: str
    units: list[SentenceUnit]
    candidates: list[ActionUnit]
    sections: list[SectionResult]
    # Children introduced with an age, (name, age) in order of first mention (the assessqa_people component).
    children: list[tuple[str, int]] = field(default_factory=list)
    # The spaCy Doc itself, when asked for (``segment(..., keep_docs=True)``); otherwise dropped to save memory.
    doc: Doc | None = None


@dataclass
class CandidateScores:
    """Stage 3, for one plan: what the action detector and the flag models read and said about every candidate."""

    reprs: list[str]
    action_probs: np.ndarray
    flag_probs: np.ndarray

    def kept(self, threshold: float) -> np.ndarray:
        return self.action_probs >= threshold


@dataclass
class DocumentAnalysis:
    """Everything the model concluded about one document, before :mod:`assessqa.report` shapes it into a record."""

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
    # The grade read from each dimension's probabilities by the model's grade rule.
    grades: dict[str, int] = field(default_factory=dict)
    # Whether the text as a whole reads as disordered (word or sentence salad) by the coherence check.
    disordered: bool = False
    # Children introduced with an age, (name, age), as the segment stage found them.
    children: list[tuple[str, int]] = field(default_factory=list)
    # Where a second family's record begins in the text (segment.records); only the text before it was analysed.
    second_record_at: int | None = None
    # Every action candidate of a plan and the detector's probability for it, kept or not (for choosing the
    # detector's threshold on held-out plans: training/action_threshold.py).
    candidates: list[ActionUnit] = field(default_factory=list)
    candidate_probs: np.ndarray = field(default_factory=lambda: np.zeros(0))


def segment(nlp: Language, texts: Sequence[str], doc_types: Sequence[str | None], keep_docs: bool = False) -> list[Segmented]:
    """Stage 1. ``doc_types`` holds each document's type, given or detected; None leaves it to the rule-based
    detector component. Assessments skip the plan-only components: they cost more than the others together."""
    out: list[Segmented | None] = [None] * len(texts)
    present = [name for name in PIPE_NAMES if name in nlp.pipe_names]
    # A document whose type is known skips the rule-based type detector, whose answer it would not read.
    skipped = {"assessment": PLAN_ONLY_PIPES, "plan": (DOC_TYPE_PIPE,), None: ()}
    for doc_type, skip in skipped.items():
        idx = [i for i, t in enumerate(doc_types) if (t if t in skipped else None) == doc_type]
        if not idx:
            continue
        disable = [name for name in skip if name in present]
        # A line pasted again and again is read once (segment.repeats); offsets are unchanged.
        read = {i: blank_repeats(texts[i]) for i in idx}
        docs = (nlp.make_doc(read[i]) for i in idx)
        with nlp.select_pipes(disable=disable):
            for i, doc in zip(idx, _run(nlp, docs, read, idx)):
                resolved = doc_types[i] or doc._.doc_type
                sections = [
                    SectionResult(title=s._.section_title or s.text[:60], category=s.label_, start=s.start_char, end=s.end_char)
                    for s in doc.spans.get("sections", [])
                ]
                candidates = action_units(doc) if resolved == "plan" else []
                out[i] = Segmented(
                    texts[i], resolved, "", sentence_units(doc), candidates, sections, people_of(doc)[0], doc if keep_docs else None
                )
    return [s for s in out if s is not None]


def _run(nlp: Language, docs, texts: Mapping[int, str], idx: list[int]):
    """The enabled components over each Doc, remembering its text first (the components read it many times)."""
    for i, doc in zip(idx, docs):
        remember_text(doc, texts[i])
        for _, component in nlp.pipeline:
            doc = component(doc)
        yield doc


def tag_cues(
    units: Sequence[list[SentenceUnit]],
    predict: Predict,
    ignore_generic: bool = False,
    passages: bool = False,
    general: Predict | None = None,
    general_run: int = 1,
) -> list[np.ndarray]:
    """Stage 2: per document, a sentences x :data:`CUES` matrix of cue probabilities, in one call for the batch.
    ``ignore_generic``: sentences about no one (:mod:`assessqa.features.generic_text`; ``passages`` too) get none;
    nor do those ``general`` takes (the learned check, :mod:`assessqa.models.general_text`: own words in, one bool
    per sentence out) in runs of at least ``general_run`` sentences of a document."""
    per_doc = [unit_reprs(doc_units) for doc_units in units]
    reprs = [r for doc_reprs in per_doc for r in doc_reprs]
    flat = predict(reprs) if reprs else np.zeros((0, len(CUES)))
    out = _split(flat, [len(u) for u in units])
    if ignore_generic:
        for probs, doc_units, doc_reprs in zip(out, units, per_doc):
            generic = about_no_one([u.text for u in doc_units], [own_words(r) for r in doc_reprs], passages)
            probs[np.asarray(generic, dtype=bool)] = 0.0
    if general is not None and reprs:
        taken = _split(np.asarray(general([own_words(r) for r in reprs]), dtype=bool), [len(u) for u in units])
        for probs, doc_taken in zip(out, taken):
            in_runs = [False] * len(doc_taken)
            mark_runs(in_runs, doc_taken.tolist(), general_run)
            probs[np.asarray(in_runs, dtype=bool)] = 0.0
    return out


def score_candidates(
    candidates: Sequence[list[ActionUnit]],
    needs: Sequence[list[tuple[int, int, str]]],
    detect: Predict,
    flag: Predict,
) -> list[CandidateScores]:
    """Stage 3 (plans): each candidate's representation, its probability of being an action and its flag
    probabilities (columns in :data:`ACTION_FLAGS` order), in one detector and one flag call for the batch."""
    reprs = [candidate_reprs(c, n) for c, n in zip(candidates, needs)]
    flat = [r for rs in reprs for r in rs]
    sizes = [len(rs) for rs in reprs]
    action = detect(flat) if flat else np.zeros(0)
    flags = flag(flat) if flat else np.zeros((0, len(ACTION_FLAGS)))
    return [CandidateScores(r, a, f) for r, a, f in zip(reprs, _split(action, sizes), _split(flags, sizes))]


def plan_outputs(
    seg: Segmented, cue_probs: np.ndarray, scores: CandidateScores | None, threshold: float
) -> tuple[list[ActionUnit], np.ndarray, np.ndarray, PlanFigures | None, list[tuple[int, int] | None] | None]:
    """The detected actions of a plan, their probabilities and flags, the plan figures and each action's need."""
    if seg.doc_type != "plan" or scores is None:
        return [], np.zeros(0), np.zeros((0, len(ACTION_FLAGS))), None, None
    keep = scores.kept(threshold)
    actions = [c for c, k in zip(seg.candidates, keep) if k]
    flags = scores.flag_probs[keep] if len(keep) else np.zeros((0, len(ACTION_FLAGS)))
    plan, links = plan_figures(actions, flags, needs_from(seg.units, cue_probs), seg.units, cue_probs)
    return actions, scores.action_probs[keep] if len(keep) else np.zeros(0), flags, plan, links


def grade_features(
    seg: Segmented, cue_probs: np.ndarray, flag_probs: np.ndarray | None, plan: PlanFigures | None, floor: float
) -> dict[str, dict[str, float]]:
    """Stage 5: per dimension of the document's type, the features its grade model reads."""
    flags = flag_probs if seg.doc_type == "plan" else None
    return {dim: dimension_features(dim, cue_probs, seg.units, flags, plan, floor=floor) for dim in DIMENSIONS_BY_TYPE[seg.doc_type]}


class Pipeline:
    """A loaded model run stage by stage over batches of documents.

    Example::

        pipeline = Pipeline(load_model(Path("models/default")), build_pipeline())
        [analysis] = pipeline.analyse(["Section 1: Child's views ..."], [None])
    """

    def __init__(self, model: AssessModel, nlp: Language) -> None:
        self.model = model
        self.nlp = nlp

    def analyse(self, texts: Sequence[str], doc_types: Sequence[str | None]) -> list[DocumentAnalysis]:
        """Every stage over a batch; ``doc_types[i]`` None means detect the type."""
        with self._estimator_settings():
            return self._analyse(list(texts), list(doc_types))

    def _estimator_settings(self):
        """For a model of scikit-learn estimators (training, cross-validation), skip the input checks that cost
        more than the arithmetic; the numpy twins scoring loads have none to skip."""
        if self.model.compiled:
            return nullcontext()
        import sklearn

        return sklearn.config_context(assume_finite=True, skip_parameter_validation=True)

    def _analyse(self, texts: list[str], given: list[str | None]) -> list[DocumentAnalysis]:
        model, config = self.model, self.model.config
        # Stage 0: a text that holds a second family's record is analysed up to where that record begins.
        second = [second_record_start(t) for t in texts]
        # Where the names alone do not show it, the position model may: a pasted record's sentences start again from
        # where records begin, and a weaker test of names confirms the seam there.
        unsure = [i for i, at in enumerate(second) if at is None]
        places = model.place_memo()  # read again by the coherence check below
        for i, window in zip(unsure, model.restart_windows([texts[i] for i in unsure], places)):
            if window is not None:
                second[i] = cut_between(texts[i], *window)
        texts = [t if at is None else t[:at] for t, at in zip(texts, second)]
        unknown = [i for i, t in enumerate(given) if t is None]
        p_plan = model.doc_type_probabilities([texts[i] for i in unknown])
        resolved = list(given)
        for i, p in zip(unknown, p_plan):
            resolved[i] = None if p is None else ("plan" if p >= 0.5 else "assessment")
        segmented = segment(self.nlp, texts, resolved)
        for seg, t in zip(segmented, given):
            seg.doc_type_source = "given" if t is not None else "detected"

        cue_probs = tag_cues(
            [s.units for s in segmented], model.cue_probabilities, config["ignore_generic_sentences"], config["generic_passages"],
            model.general_text if model.general_text_model is not None else None,
            (config.get("general_text") or {}).get("run", 1),
        )
        needs = [needs_from(s.units, c) for s, c in zip(segmented, cue_probs)]
        plans = [i for i, s in enumerate(segmented) if s.doc_type == "plan"]
        scored = score_candidates(
            [segmented[i].candidates for i in plans], [needs[i] for i in plans], model.action_probabilities, model.flag_probabilities
        )
        candidate_scores: list[CandidateScores | None] = [None] * len(segmented)
        for i, s in zip(plans, scored):
            candidate_scores[i] = s
        planned = [plan_outputs(s, c, cs, config["action_threshold"]) for s, c, cs in zip(segmented, cue_probs, candidate_scores)]

        evidence = self._evidence([s.units for s in segmented], [s.doc_type for s in segmented], cue_probs)
        features = [grade_features(s, c, p[2], p[3], config["evidence_floor"]) for s, c, p in zip(segmented, cue_probs, planned)]
        grade_probs = self._grade_probabilities(features)
        disordered = self._disordered(texts, segmented, places)

        out = []
        for k, seg in enumerate(segmented):
            actions, action_probs, flag_probs, plan, links = planned[k]
            out.append(
                DocumentAnalysis(
                    doc_type=seg.doc_type,
                    doc_type_source=seg.doc_type_source,
                    units=seg.units,
                    cue_probs=cue_probs[k],
                    evidence_probs=evidence[k],
                    actions=actions,
                    action_probs=action_probs,
                    flag_probs=flag_probs,
                    needs=needs[k],
                    grade_probs=grade_probs[k],
                    sections=seg.sections,
                    plan=plan,
                    need_links=links,
                    grades={dim: model.grade_from(p) for dim, p in grade_probs[k].items()},
                    disordered=disordered[k],
                    children=seg.children,
                    second_record_at=second[k],
                    candidates=seg.candidates if candidate_scores[k] is not None else [],
                    candidate_probs=candidate_scores[k].action_probs if candidate_scores[k] is not None else np.zeros(0),
                )
            )
        return out

    def _evidence(self, units: list[list[SentenceUnit]], doc_types: list[str], cue_probs: list[np.ndarray]) -> list[dict[str, np.ndarray]]:
        """Stage 4: per document and dimension, each sentence's probability of being evidence (one call per dimension)."""
        contexts = [evidence_context(u, c) for u, c in zip(units, cue_probs)]
        out: list[dict[str, np.ndarray]] = [{} for _ in units]
        for doc_type, dims in DIMENSIONS_BY_TYPE.items():
            idx = [i for i, t in enumerate(doc_types) if t == doc_type]
            if not idx:
                continue
            sizes = [len(units[i]) for i in idx]
            stacked = np.vstack([cue_probs[i] for i in idx])
            context = np.vstack([contexts[i] for i in idx])
            probs = self.model.evidence_probabilities(dims, stacked, context)
            for dim in dims:
                for i, part in zip(idx, _split(probs[dim], sizes)):
                    out[i][dim] = part
        return out

    def _grade_probabilities(self, features: list[dict[str, dict[str, float]]]) -> list[dict[str, dict[int, float]]]:
        """Stage 6: grade probabilities, one model call per dimension for the batch."""
        out: list[dict[str, dict[int, float]]] = [{} for _ in features]
        dims = {dim for f in features for dim in f}
        for dim in sorted(dims):
            idx = [i for i, f in enumerate(features) if dim in f]
            for i, probs in zip(idx, self.model.grade_probabilities_batch(dim, [features[i][dim] for i in idx])):
                out[i][dim] = probs
        # Keep the order of the type's dimensions, as records list them.
        return [{dim: o[dim] for dim in f} for o, f in zip(out, features)]

    def _disordered(self, texts: list[str], segmented: list[Segmented], places: PlaceMemo | None = None) -> list[bool]:
        """Whether each text does not read as ordered sentences; thin texts (under 3 sentences) are not checked."""
        idx = [i for i, s in enumerate(segmented) if len(s.units) >= 3]
        flags = self.model.disordered_batch([texts[i] for i in idx], places)
        out = [False] * len(texts)
        for i, flag in zip(idx, flags):
            out[i] = flag
        return out


def _split(matrix: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """Rows of a stacked matrix back into per-document blocks."""
    bounds = np.cumsum([0, *sizes])
    return [matrix[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


__all__ = [
    "CandidateScores",
    "DocumentAnalysis",
    "Pipeline",
    "Predict",
    "Segmented",
    "grade_features",
    "plan_outputs",
    "score_candidates",
    "segment",
    "tag_cues",
]
