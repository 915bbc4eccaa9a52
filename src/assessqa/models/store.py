"""Saving and loading model folders: skops files, a meta.json, and integrity and version checks.

A model folder::

    models/default/
        meta.json               versions, labels, data hash, config, held-out metrics, file hashes
        cue_tagger.skops
        action_detector.skops
        doc_type.skops
        action_flags.skops
        dimensions/<dimension>.skops
        evidence/<dimension>.skops   (optional) the evidence scorer of each dimension
        coherence.skops         (optional) the check that the text reads as ordered sentences
        MODEL_CARD.md

Loading never unpickles, and never builds a type outside an exact allowlist: every node of each file's skops
schema is checked against :mod:`assessqa.models.allowlist` before any object exists. Given a public key
(``ASSESSQA_MODEL_PUBLIC_KEY``), loading also requires an Ed25519 signature over meta.json
(:mod:`assessqa.models.signing`), which pins every file's hash.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
import skops
import skops.io as sio

from assessqa import __version__, errors
from assessqa.features import FEATURES_VERSION
from assessqa.models.allowlist import RefusedModelFile, trusted_types
from assessqa.models.config import check_meta
from assessqa.models.bundle import AssessModel
from assessqa.models.signing import verify_model
from assessqa.schemas import DIMENSIONS

FORMAT_VERSION = 1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parts(model: AssessModel) -> dict[str, Any]:
    parts: dict[str, Any] = {
        "cue_tagger.skops": model.cue_tagger,
        "action_detector.skops": model.action_detector,
    }
    if model.doc_type_model is not None:
        parts["doc_type.skops"] = model.doc_type_model
    parts["action_flags.skops"] = model.flag_model
    for dim, est in model.dimension_models.items():
        parts[f"dimensions/{dim}.skops"] = est
    for dim, est in model.evidence_models.items():
        parts[f"evidence/{dim}.skops"] = est
    if model.coherence_model is not None:
        parts["coherence.skops"] = model.coherence_model
    return parts


def library_versions() -> dict[str, str]:
    return {
        "assessqa": __version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }


def save_model(model: AssessModel, directory: Path) -> Path:
    """Write every part with skops and a meta.json holding their hashes; returns the folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, est in _parts(model).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sio.dump(est, path, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        hashes[name] = _sha256(path)
    meta = dict(model.meta)
    meta.setdefault("saved_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    meta["format_version"] = FORMAT_VERSION
    meta["versions"] = library_versions()
    meta["files"] = hashes
    (directory / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    model.meta = meta
    return directory


def _load_part(path: Path, expected_hash: str | None, where: str) -> Any:
    if not path.is_file():
        raise errors.model_corrupt(where, f"{path.name} is missing")
    shown = f"{path.parent.name}/{path.name}" if path.parent.name in ("dimensions", "evidence") else path.name
    if expected_hash is not None and _sha256(path) != expected_hash:
        raise errors.model_corrupt(where, f"{shown} does not match the hash in meta.json")
    try:
        trusted = trusted_types(path)
    except RefusedModelFile as exc:
        raise errors.model_refused(where, shown, exc.found) from exc
    except Exception as exc:  # zipfile, KeyError, JSON errors for damaged archives
        raise errors.model_corrupt(where, f"{shown} is not a readable skops file ({exc.__class__.__name__})") from exc
    try:
        return sio.load(path, trusted=trusted)
    except Exception as exc:
        raise errors.model_corrupt(where, f"{shown} could not be read ({exc.__class__.__name__})") from exc


def read_meta(directory: Path, public_key: Path | None = None) -> dict[str, Any]:
    """Read and check meta.json; with ``public_key``, only after its signature is verified."""
    directory = Path(directory)
    meta_path = directory / "meta.json"
    if not meta_path.is_file():
        raise errors.model_missing(str(directory))
    # The bytes that are verified are the bytes that are parsed: the file is read once.
    raw = meta_path.read_bytes()
    if public_key is not None:
        verify_model(directory, raw, public_key)
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.model_corrupt(str(directory), "meta.json is not valid JSON") from exc
    if not isinstance(meta, dict):
        raise errors.model_corrupt(str(directory), "meta.json must hold a JSON object")
    if meta.get("format_version") != FORMAT_VERSION:
        raise errors.model_incompatible(
            str(directory), f"model format {meta.get('format_version')!r}, this assessqa reads format {FORMAT_VERSION}"
        )
    if meta.get("features_version") != FEATURES_VERSION:
        raise errors.model_incompatible(
            str(directory),
            f"trained on features version {meta.get('features_version')!r}, this assessqa computes version {FEATURES_VERSION}",
        )
    check_meta(meta, str(directory))
    return meta


def load_model(directory: Path, public_key: Path | None = None) -> AssessModel:
    """Load and check a model folder; raises :class:`assessqa.errors.ModelError` with a clear message.

    Args:
        directory: the model folder.
        public_key: an Ed25519 public key (PEM); when given, a folder without a valid signature is refused.
    """
    directory = Path(directory)
    where = str(directory)
    meta = read_meta(directory, public_key)
    hashes: dict[str, str] = meta.get("files", {})
    present_dims = [d for d in DIMENSIONS if f"dimensions/{d}.skops" in hashes]
    for dim in DIMENSIONS:
        if dim not in present_dims:
            raise errors.dimension_missing(where, dim, present_dims)
    model = AssessModel(
        cue_tagger=_load_part(directory / "cue_tagger.skops", hashes.get("cue_tagger.skops"), where),
        action_detector=_load_part(directory / "action_detector.skops", hashes.get("action_detector.skops"), where),
        flag_model=_load_part(directory / "action_flags.skops", hashes.get("action_flags.skops"), where),
        dimension_models={
            dim: _load_part(directory / "dimensions" / f"{dim}.skops", hashes.get(f"dimensions/{dim}.skops"), where)
            for dim in DIMENSIONS
        },
        doc_type_model=(
            _load_part(directory / "doc_type.skops", hashes.get("doc_type.skops"), where)
            if "doc_type.skops" in hashes
            else None
        ),
        meta=meta,
        # Optional: a model trained without them scores evidence from the tagger alone.
        evidence_models={
            dim: _load_part(directory / "evidence" / f"{dim}.skops", hashes[f"evidence/{dim}.skops"], where)
            for dim in DIMENSIONS
            if f"evidence/{dim}.skops" in hashes
        },
        coherence_model=(
            _load_part(directory / "coherence.skops", hashes["coherence.skops"], where) if "coherence.skops" in hashes else None
        ),
    )
    return model


def version_warnings(meta: dict[str, Any]) -> list[str]:
    """Differences between the libraries that saved a model and those loading it, for the record's warnings."""
    saved = meta.get("versions", {})
    now = library_versions()
    notes = []
    for lib in ("scikit-learn", "skops"):
        if saved.get(lib) and saved[lib].split(".")[:2] != now[lib].split(".")[:2]:
            notes.append(f"model saved with {lib} {saved[lib]}, running {now[lib]}: re-train if grades look wrong")
    return notes
