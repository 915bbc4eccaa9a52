"""One document's record, assembled from the pipeline's analysis: grades, evidence, actions, insights, warnings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessqa.features import domain_density
from assessqa.insights import child_coverage, description_analysis, over_optimism
from assessqa.models.bundle import AssessModel
from assessqa.models.review import review_signals, wrong_probability
from assessqa.pipeline import DocumentAnalysis
from assessqa.schemas import (
    ACTION_FLAGS,
    CUES,
    DIMENSION_CUES,
    DIMENSIONS,
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
    SmartFlags,
    TextSpan,
)
from assessqa.suggestions import action_suggestions, dimension_suggestions


def likely_wrong(config: dict, analysis: DocumentAnalysis, text: str, dimension: str, density: float | None = None) -> bool:
    """Whether the model's review rule (learned out of style, models/review.py) takes this grade for a likely error."""
    rule = config.get("review")
    if not rule:
        return False
    return wrong_probability(rule, review_signals(analysis, text, dimension, density)) >= rule["flag_above"]


@dataclass(frozen=True)
class RecordOptions:
    """How a record is shaped: how many evidence sentences each dimension shows, and warnings to add to every
    record (the model's version warnings, found once at load)."""

    evidence_per_dimension: int = 3
    load_warnings: tuple[str, ...] = ()


def shown_evidence(model: AssessModel, dimension: str, analysis: DocumentAnalysis, limit: int) -> tuple[list[Evidence], set[str]]:
    """The strongest evidence sentences for ``dimension``, each named by its likeliest cue, and every cue the
    shown sentences carry (which the suggestions read to say what is missing)."""
    threshold = model.evidence_threshold(dimension)
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
        if len(evidence) >= limit:
            break
    return evidence, found


def build_record(document: InputDocument, analysis: DocumentAnalysis, model: AssessModel, options: RecordOptions) -> ScoreRecord:
    """The record for ``document`` from its analysis by ``model``."""
    # Where the text holds a second family's record, only the part before it was analysed and is read here.
    two_records = analysis.second_record_at is not None
    text = document.text[: analysis.second_record_at] if two_records else document.text
    config = model.config
    # Evidence first: the per-child coverage must agree with the sentences shown as a child's voice.
    shown = {dim: shown_evidence(model, dim, analysis, options.evidence_per_dimension) for dim in analysis.grade_probs}
    voice_shown = [(e.start, e.end) for evidence, _ in shown.values() for e in evidence if e.cue in ("child_voice", "observation")]
    children = child_coverage(text, analysis.units, analysis.cue_probs, voice_shown=voice_shown, children=analysis.children)
    voiced = {c.name for c in children if c.views}
    # Below this the text is not about a child and family: no grade is trusted without a person's review.
    density = domain_density(text)
    off_topic = density < config["min_domain_density"]
    # A few sentences are too little to grade: the warning below says so, and every grade asks for review.
    thin = len(analysis.units) < 3
    # Cue counts survive shuffled words or sentences; a text that does not read as ordered prose is reviewed.
    disordered = not thin and analysis.disordered
    # A model's review rule may take the place of the probability floor (models/review.py).
    floor_applies = not (config.get("review") or {}).get("replaces_low_confidence")
    dimensions: dict[str, DimensionResult | None] = {d: None for d in DIMENSIONS}
    for dim, probs in analysis.grade_probs.items():
        grade = analysis.grades[dim]
        evidence, found = shown[dim]
        reasons = [
            reason
            for reason, applies in (
                ("thin", thin),
                ("off_topic", off_topic),
                ("disordered", disordered),
                ("two_records", two_records),
                ("low_confidence", floor_applies and probs[grade] < config["abstain_below"]),
                ("likely_wrong", likely_wrong(config, analysis, text, dim, density)),
            )
            if applies
        ]
        dimensions[dim] = DimensionResult(
            grade=grade,
            label=GRADE_LABELS[grade],
            probabilities={str(g): round(p, 4) for g, p in probs.items()},
            needs_review=bool(reasons),
            review_reasons=reasons,
            evidence=evidence,
            suggestions=dimension_suggestions(dim, grade, found, text, voiced, analysis.children),
        )
    warnings = list(options.load_warnings)
    if off_topic:
        warnings.append("the text does not read like a children's social care record: every grade needs review")
    if analysis.doc_type == "plan" and not analysis.actions:
        warnings.append("no plan actions were found; check the document is a plan or give doc_type")
    if thin:
        warnings.append("very little text to grade: every grade needs review")
    if two_records:
        warnings.append(
            f"from character {analysis.second_record_at} on, the text reads as another record, naming other people than before it"
            " (another family's record pasted in?): only the text before it was graded, and every grade needs review"
        )
    if disordered:
        warnings.append("the text does not read as sentences in a sensible order (shuffled or garbled?): every grade needs review")
    return ScoreRecord(
        id=document.id,
        doc_type=analysis.doc_type,
        doc_type_source=analysis.doc_type_source,
        model_version=model.version,
        dimensions=dimensions,
        actions=_actions(text, analysis),
        sections=analysis.sections,
        plan=_plan(analysis),
        insights=_insights(analysis, children),
        metadata=document.metadata,
        warnings=warnings,
    )


def _actions(text: str, analysis: DocumentAnalysis) -> list[ActionResult]:
    out = []
    links = analysis.need_links or [None] * len(analysis.actions)
    for unit, flags_row, link in zip(analysis.actions, analysis.flag_probs, links):
        flags = {flag: bool(flags_row[j] >= 0.5) for j, flag in enumerate(ACTION_FLAGS)}
        out.append(
            ActionResult(
                text=unit.text,
                start=unit.start,
                end=unit.end,
                smart=SmartFlags(**flags),
                need=TextSpan(start=link[0], end=link[1], text=text[link[0] : link[1]]) if link else None,
                suggestions=action_suggestions(unit.text, flags),
            )
        )
    return out


def _plan(analysis: DocumentAnalysis) -> PlanSummary | None:
    if analysis.plan is None:
        return None
    fig = analysis.plan
    c = fig.contingency
    return PlanSummary(
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


def _insights(analysis: DocumentAnalysis, children) -> Insights:
    described, analysed = description_analysis(analysis.units, analysis.cue_probs)
    conclusion, risks = over_optimism(analysis.units, analysis.cue_probs)
    return Insights(
        children=[ChildResult(**c.__dict__) for c in children],
        description_share=described,
        analysis_share=analysed,
        over_optimism=OverOptimism(
            flag=conclusion is not None,
            risks_recorded=risks,
            conclusion=TextSpan(start=conclusion.start, end=conclusion.end, text=conclusion.text) if conclusion else None,
        ),
    )
