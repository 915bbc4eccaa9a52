"""Scoring documents with a loaded model: check the input, run the pipeline's stages, assemble the records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from assessqa import errors
from assessqa.config import Settings
from assessqa.features import domain_density
from assessqa.models.bundle import AssessModel
from assessqa.models.store import load_model, version_warnings
from assessqa.pipeline import DocumentAnalysis, Pipeline, segment
from assessqa.report.record import RecordOptions, build_record
from assessqa.schemas import DOC_TYPES, InputDocument, ScoreRecord
from assessqa.segment import build_pipeline


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
        self.pipeline = Pipeline(model, self.nlp)
        self.options = RecordOptions(self.settings.evidence_per_dimension, tuple(version_warnings(model)))

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
        """The segmentation pipeline's Doc for ``text`` (assessments skip the plan-only components)."""
        [seg] = segment(self.nlp, [text], [doc_type], keep_docs=True)
        return seg.doc

    def analyse(self, text: str, doc_type: str | None = None) -> DocumentAnalysis:
        """The model's conclusions about one text, before they are shaped into a record."""
        return self.pipeline.analyse([text], [doc_type])[0]

    def analyse_batch(self, texts: Sequence[str], doc_types: Sequence[str | None]) -> list[DocumentAnalysis]:
        return self.pipeline.analyse(texts, doc_types)

    def score(self, document: InputDocument, where: str = "document") -> ScoreRecord:
        """Score one document; raises :class:`assessqa.errors.InputError` for input that cannot be scored."""
        return self.score_batch([document], [where])[0]

    def score_batch(self, documents: Sequence[InputDocument], where: Sequence[str] | None = None) -> list[ScoreRecord]:
        """Score documents together (each stage runs once for the batch); raises on the first that cannot be
        scored, so callers that must not lose the rest check each with :meth:`check_input` first."""
        for k, document in enumerate(documents):
            self.check_input(document, where[k] if where else f"document {k + 1}")
        analyses = self.pipeline.analyse([d.text for d in documents], [d.doc_type for d in documents])
        return [build_record(d, a, self.model, self.options) for d, a in zip(documents, analyses)]


def score_each(
    scorer: Scorer, documents: Sequence[InputDocument], where: str = "request", stop: Callable[[], bool] | None = None
) -> list[ScoreRecord | Exception]:
    """Each document's record, or the exception its scoring raised: scored together, and one by one only when the
    batch fails, so that one document cannot cost the others their records (a batch of one has its answer
    already). ``stop``, asked between documents scored one by one, ends the list early (a timed-out request)."""
    try:
        return list(scorer.score_batch(documents, [where] * len(documents)))
    except Exception as exc:  # noqa: BLE001 - each document's failure is answered in its own request
        if len(documents) == 1:
            return [exc]
    out: list[ScoreRecord | Exception] = []
    for document in documents:
        if stop is not None and stop():
            break
        try:
            out.append(scorer.score(document, where))
        except Exception as exc:  # noqa: BLE001 - as above
            out.append(exc)
    return out


__all__ = ["Scorer", "check_document", "domain_density", "score_each"]
