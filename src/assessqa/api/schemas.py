"""Request and response records of the REST API, with the examples shown in the OpenAPI docs."""

from __future__ import annotations

import json
from pathlib import Path
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

# What the shipped model returns for SCORE_EXAMPLE, shown in the OpenAPI docs: written by
# api/make_openapi_example.py, and tests/test_api.py checks it against the shipped model.
EXAMPLE_RESPONSE_FILE = Path(__file__).with_name("score_response_example.json")
SCORE_RESPONSE_EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_RESPONSE_FILE.read_text(encoding="utf-8"))
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
