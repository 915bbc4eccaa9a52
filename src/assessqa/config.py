"""Settings shared by the CLI and the API, read from the environment (prefix ASSESSQA_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def shipped_model_dir() -> Path:
    """Where the shipped default model is: the checkout's models/default, or, in an installed wheel, the copy
    packaged as ``assessqa/shipped_model`` (in the repository that is a link to models/default)."""
    checkout = REPO_ROOT / "models" / "default"
    if (checkout / "meta.json").is_file():
        return checkout
    return Path(__file__).resolve().parent / "shipped_model"


DEFAULT_MODEL_DIR = shipped_model_dir()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSQA_", extra="ignore")

    model_dir: Path = DEFAULT_MODEL_DIR
    max_chars: int = 200_000
    max_batch: int = 100
    evidence_per_dimension: int = 3
    # With a key, a model folder must carry an Ed25519 signature over its meta.json (assessqa models sign).
    model_public_key: Path | None = Field(default=None, description="Ed25519 public key (PEM) model folders must be signed with.")

    # REST service (see api/README.md for the table of these settings).
    # Keys are secrets: SecretStr keeps them out of reprs, tracebacks and logs.
    api_keys: SecretStr | None = Field(default=None, description="Comma-separated API keys.")
    api_key_file: Path | None = Field(default=None, description="File of API keys or sha256 hashes, one a line.")
    # Set by `assessqa serve --insecure-no-auth` (loopback only); never set it for a shared deployment.
    insecure_no_auth: bool = False
    rate_limit_per_minute: float = Field(default=600, ge=0, description="Requests per key per minute; 0 turns it off.")
    rate_limit_burst: int = Field(default=60, ge=1, description="Requests a key may make at once before the limit bites.")
    auth_failures_per_minute: int = Field(default=10, ge=0, description="Failed key attempts per client address a minute before 429; 0 turns it off.")
    header_timeout_s: float = Field(default=10.0, gt=0, description="Longest a client may take to send a request's headers.")
    keep_alive_s: int = Field(default=5, ge=1, description="Seconds an idle keep-alive connection is held open.")
    docs: bool = Field(default=True, description="Serve Swagger UI at /docs (from package files, nothing external).")
    app_page: bool = Field(default=True, description="Serve the practitioner page at /app (from package files; it calls /v1/score with the key typed into it).")
    request_timeout_s: float = Field(default=60.0, gt=0, description="Longest a scoring request may take.")
    max_request_bytes: int = Field(default=8_000_000, gt=0, description="Largest request body accepted.")
    score_threads: int = Field(default=2, ge=1, description="Scoring threads per worker process.")
    score_processes: int = Field(default=0, ge=0, description="Scoring processes behind one service process, sharing one queue (api/processes.py); 0 scores on the service process's own threads.")
    micro_batch: int | None = Field(default=None, ge=1, description="Most single-document requests scored together when they arrive while the scorer is busy; 1 scores each on its own. Default: 16 on threads, 2 with scoring processes (the lowest p95 at 8 clients in benchmarks/load_api.py).")

    @property
    def effective_micro_batch(self) -> int:
        if self.micro_batch is not None:
            return self.micro_batch
        # With scoring processes a short batch keeps the waiting requests for whichever process frees first.
        return 2 if self.score_processes else 16
    workers: int = Field(default=1, ge=1, description="Worker processes for `assessqa serve`.")
    shutdown_timeout_s: int = Field(default=30, ge=1, description="Seconds in-flight requests get to finish on shutdown.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info", description="Service log level.")
