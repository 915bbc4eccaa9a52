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


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCORE_EXAMPLE]})

    id: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=1, description="The full document text.")
    doc_type: DocType | None = Field(default=None, description="assessment or plan; detected when left out.")
    metadata: dict[str, Any] = Field(default_factory=dict)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [BATCH_EXAMPLE]})

    documents: list[ScoreRequest] = Field(min_length=1)


class BatchItemError(BaseModel):
    id: str | None = None
    index: int
    error: dict[str, str]


class BatchResponse(BaseModel):
    results: list[ScoreRecord | BatchItemError]


class ModelInfo(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    trained_at: str | None = None
    training_data: dict[str, Any]
    metrics: dict[str, Any]
    versions: dict[str, str]
