"""Settings shared by the CLI and the API, read from the environment (prefix ASSESSQA_)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# The shipped default model lives in the repository's models/ folder; an installed copy can be pointed at
# with ASSESSQA_MODEL_DIR.
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "default"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSQA_", extra="ignore")

    model_dir: Path = DEFAULT_MODEL_DIR
    max_chars: int = 200_000
    max_batch: int = 100
    evidence_per_dimension: int = 3
