"""Request and response records of the REST API, with the examples shown in the OpenAPI docs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assessqa.schemas import DocType, ScoreRecord

SCORE_EXAMPLE: dict[str, Any] = {
    "id": "case-0001",
    "doc_type": "plan",
    "text": (
        "Child Protection Plan\n"
        "Need | Action | Who | By when | How we will know\n"
        "Ava (4) needs a safe, calm home | Ms Reid to attend the Freedom Programme every Tuesday | Ms Reid | "
        "by 30/06/2025 | completion certificate\n"
        "Contingency: if Mr Lowe returns to the home, the SW will call a legal planning meeting within 5 working days."
    ),
    "metadata": {"team": "North CIN team"},
}
BATCH_EXAMPLE: dict[str, Any] = {"documents": [SCORE_EXAMPLE]}

# What the shipped model returns for SCORE_EXAMPLE (probabilities rounded), shown in the OpenAPI docs.
SCORE_RESPONSE_EXAMPLE: dict[str, Any] = {
    "id": "case-0001",
    "doc_type": "plan",
    "doc_type_source": "given",
    "model_version": "assessqa-0.2.0",
    "dimensions": {
        "lived_experience": None,
        "risk_analysis": None,
        "family_history": None,
        "smart_actions": {
            "grade": 4, "label": "outstanding", "probabilities": {"1": 0.0001, "2": 0.0001, "3": 0.0387, "4": 0.9612},
            "evidence": [], "suggestions": [],
        },
        "contingency": {
            "grade": 4, "label": "outstanding", "probabilities": {"1": 0.0001, "2": 0.0, "3": 0.0008, "4": 0.9991},
            "evidence": [{
                "start": 223, "end": 319, "cue": "contingency",
                "text": "if Mr Lowe returns to the home, the SW will call a legal planning meeting within 5 working days.",
            }],
            "suggestions": [],
        },
        "child_focus": {
            "grade": 2, "label": "requires improvement", "probabilities": {"1": 0.4305, "2": 0.5677, "3": 0.0016, "4": 0.0002},
            "evidence": [],
            "suggestions": [
                "Frame each need and outcome as the difference for the child (what will be different in their day), "
                "not only adult tasks.",
                "Show how the child's own views shaped the plan.",
            ],
        },
    },
    "actions": [{
        "text": "Ava (4) needs a safe, calm home | Ms Reid to attend the Freedom Programme every Tuesday | Ms Reid | "
                "by 30/06/2025 | completion certificate",
        "start": 71, "end": 209,
        "smart": {"specific": True, "owner": True, "measurable": True, "achievable": True, "relevant": True, "time_bound": True},
        "need": {"start": 71, "end": 102, "text": "Ava (4) needs a safe, calm home"},
        "suggestions": [],
    }],
    "sections": [
        {"title": "Child Protection Plan", "category": "plan", "start": 0, "end": 209},
        {"title": "Contingency", "category": "contingency", "start": 210, "end": 319},
    ],
    "plan": {
        "actions": 1, "fully_smart_share": 1.0, "process_only_share": 0.0, "vague_timescale_share": 0.0,
        "needs": 0, "needs_without_action": 0, "actions_without_need": 0,
        "contingency": {
            "present": True, "trigger": True, "consequence": True, "timescale": True,
            "evidence": {
                "start": 223, "end": 319,
                "text": "if Mr Lowe returns to the home, the SW will call a legal planning meeting within 5 working days.",
            },
        },
    },
    "metadata": {"team": "North CIN team"},
    "warnings": [],
}
BATCH_RESPONSE_EXAMPLE: dict[str, Any] = {
    "results": [
        SCORE_RESPONSE_EXAMPLE,
        {"id": "case-0002", "index": 1, "error": {
            "code": "E001",
            "message": "documents[1]: the document text is empty or only whitespace. Send the document's full text in 'text'.",
        }},
    ]
}


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCORE_EXAMPLE]})

    id: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=1, description="The full document text.")
    doc_type: DocType | None = Field(default=None, description="assessment or plan; detected when left out.")
    metadata: dict[str, Any] = Field(default_factory=dict)


class BatchDocument(BaseModel):
    """A document in a batch. Looser than :class:`ScoreRequest` on purpose: a missing, empty or whitespace
    text and an unknown doc_type are that document's error in the response (E005, E001, E006, as in the
    CLI), so one bad document does not cost the others their scores."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, description="The full document text.")
    doc_type: str | None = Field(default=None, description="assessment or plan; detected when left out.")
    metadata: dict[str, Any] = Field(default_factory=dict)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [BATCH_EXAMPLE]})

    documents: list[BatchDocument] = Field(min_length=1)


class BatchItemError(BaseModel):
    """A batch document that could not be scored: its position and a coded error (never its text)."""

    id: str | None = None
    index: int
    error: dict[str, str]


class BatchResponse(BaseModel):
    results: list[ScoreRecord | BatchItemError]


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every error the service returns has this shape (``application/problem+json``)."""

    type: str = Field(description="A URI naming the kind of problem; stable, one per code.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request and how to fix it; never document text.")
    code: str = Field(description="A stable code to branch on (invalid_api_key, E002, rate_limited ...).")
    request_id: str | None = Field(default=None, description="The X-Request-ID of the response, for the service log.")
    errors: list[dict[str, str]] | None = Field(
        default=None, description="validation_error only: location, type and message of each error."
    )


class ModelInfo(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    trained_at: str | None = None
    training_data: dict[str, Any]
    metrics: dict[str, Any]
    versions: dict[str, str]
