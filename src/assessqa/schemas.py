"""The records every boundary of assessqa speaks: input documents, score records, annotations.

The grade scale and the dimension vocabulary live here too, because every stage shares them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DocType = Literal["assessment", "plan"]
DOC_TYPES: tuple[str, ...] = ("assessment", "plan")

ASSESSMENT_DIMENSIONS: tuple[str, ...] = ("lived_experience", "risk_analysis", "family_history")
PLAN_DIMENSIONS: tuple[str, ...] = ("smart_actions", "contingency", "child_focus")
DIMENSIONS: tuple[str, ...] = ASSESSMENT_DIMENSIONS + PLAN_DIMENSIONS
DIMENSIONS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "assessment": ASSESSMENT_DIMENSIONS,
    "plan": PLAN_DIMENSIONS,
}

GRADES: tuple[int, ...] = (1, 2, 3, 4)
GRADE_LABELS: dict[int, str] = {
    1: "inadequate",
    2: "requires improvement",
    3: "good",
    4: "outstanding",
}

ACTION_FLAGS: tuple[str, ...] = ("specific", "owner", "measurable", "achievable", "relevant", "time_bound")

CUES: tuple[str, ...] = (
    "child_voice",
    "daily_life",
    "observation",
    "risk_statement",
    "impact_analysis",
    "protective_factor",
    "history_event",
    "history_link",
    "need",
    "contingency",
    "child_outcome",
)

# Which evidence cues speak for which dimension (see annotations/GUIDELINES.md).
DIMENSION_CUES: dict[str, tuple[str, ...]] = {
    "lived_experience": ("child_voice", "daily_life", "observation"),
    "risk_analysis": ("risk_statement", "impact_analysis", "protective_factor"),
    "family_history": ("history_event", "history_link"),
    "smart_actions": ("need",),
    "contingency": ("contingency",),
    "child_focus": ("child_outcome", "child_voice"),
}

SECTION_CATEGORIES: tuple[str, ...] = (
    "referral",
    "child_views",
    "daily_life",
    "family_history",
    "parenting_capacity",
    "risk",
    "strengths",
    "analysis",
    "plan",
    "contingency",
    "other",
)


# ---------------------------------------------------------------- input


class InputDocument(BaseModel):
    """One document to score, as it arrives from a file, a JSONL line or an API call."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="Caller's identifier, echoed back.")
    text: str = Field(description="The full text of the assessment or plan.")
    doc_type: DocType | None = Field(default=None, description="Leave out to have it detected.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Passed through untouched.")


# ---------------------------------------------------------------- output


class Evidence(BaseModel):
    start: int
    end: int
    text: str
    cue: str


ReviewReason = Literal["thin", "off_topic", "disordered", "two_records", "low_confidence", "likely_wrong"]


class DimensionResult(BaseModel):
    grade: int = Field(ge=1, le=4)
    label: str
    probabilities: dict[str, float]
    needs_review: bool = Field(default=False, description="The model is unsure: a person should check this grade.")
    review_reasons: list[ReviewReason] = Field(
        default_factory=list,
        description="Why the grade needs review: thin (too little text), off_topic, disordered (not ordered sentences), "
        "two_records (the text goes on with another family's record, which was not graded), "
        "low_confidence (its probability is below the model's abstain level), likely_wrong (the model's review rule, "
        "learned on writers its grade models never saw, takes it for a likely error).",
    )
    evidence: list[Evidence] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)


class SmartFlags(BaseModel):
    specific: bool
    owner: bool
    measurable: bool
    achievable: bool
    relevant: bool
    time_bound: bool


class TextSpan(BaseModel):
    start: int
    end: int
    text: str


class ActionResult(BaseModel):
    text: str
    start: int
    end: int
    smart: SmartFlags
    need: TextSpan | None = Field(default=None, description="The need, worry or danger this action serves.")
    suggestions: list[str] = Field(default_factory=list)


class ContingencySummary(BaseModel):
    present: bool
    trigger: bool
    consequence: bool
    timescale: bool
    evidence: TextSpan | None = None


class PlanSummary(BaseModel):
    """Plan-level figures behind the smart_actions and contingency grades."""

    actions: int
    fully_smart_share: float
    process_only_share: float
    vague_timescale_share: float
    needs: int
    needs_without_action: int
    actions_without_need: int
    contingency: ContingencySummary


class SectionResult(BaseModel):
    title: str
    category: str
    start: int
    end: int


class ChildResult(BaseModel):
    name: str
    age: int
    mentions: int = Field(description="Sentences that mention the child by name.")
    daily_life: bool = Field(description="Their own day is described (or, for a baby, their care observed).")
    views: bool = Field(description="Their own words, or their observed responses, are recorded.")


class OverOptimism(BaseModel):
    flag: bool
    risks_recorded: int
    conclusion: TextSpan | None = None


class Insights(BaseModel):
    """What audit tools miss: per-child coverage, description versus analysis, over-optimistic conclusions."""

    children: list[ChildResult]
    description_share: float = Field(description="Share of sentences that recount incidents.")
    analysis_share: float = Field(description="Share of sentences that analyse impact or likelihood.")
    over_optimism: OverOptimism


class ScoreRecord(BaseModel):
    """The output contract: one per document, from the CLI (a JSONL line) and the API."""

    id: str | None = None
    doc_type: DocType
    doc_type_source: Literal["given", "detected"]
    model_version: str
    dimensions: dict[str, DimensionResult | None]
    actions: list[ActionResult] = Field(default_factory=list)
    sections: list[SectionResult] = Field(default_factory=list)
    plan: PlanSummary | None = None
    insights: Insights | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)


class ErrorRecord(BaseModel):
    """Written in place of a ScoreRecord when one record cannot be scored; holds no document text."""

    id: str | None = None
    source: str
    error: dict[str, str]
    metadata: dict[str, Any] = Field(default_factory=dict)


# ---------------------------------------------------------------- annotations


class SpanAnnotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    cue: str


class NeedLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ActionAnnotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    flags: dict[str, bool]
    need: NeedLink | None = None


class AnnotatedDocument(BaseModel):
    """One line of annotations/corpus/*.jsonl (see annotations/GUIDELINES.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    batch: str
    family_group: str
    doc_type: DocType
    template: str
    situations: list[str] = Field(default_factory=list)
    writing: str = "formal"
    text: str
    grades: dict[str, int]
    spans: list[SpanAnnotation] = Field(default_factory=list)
    actions: list[ActionAnnotation] = Field(default_factory=list)
    annotator: str
