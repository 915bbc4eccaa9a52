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
        general_text.skops      (optional) the check for general practice text (models/general_text.py)
        runtime.json            every part above as numpy twins: what scoring reads (models/compiled.py)
        runtime.safetensors     the twins' arrays
        MODEL_CARD.md

Loading never unpickles, and never builds a type outside an exact allowlist: every node of each file's skops
schema is checked against :mod:`assessqa.models.allowlist` before any object exists. Scoring builds the parts
from ``runtime.json`` and ``runtime.safetensors`` (numbers and strings, no code) without importing scikit-learn;
the skops files are still hashed, and their schemas are checked wherever they are unpacked (``form="estimators"``,
``assessqa models sign`` and ``promote``, and folders saved before the twins existed). Given a public key
(``ASSESSQA_MODEL_PUBLIC_KEY``), loading also requires an Ed25519 signature over meta.json
(:mod:`assessqa.models.signing`), which pins every file's hash.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assessqa import __version__, errors
from assessqa.features import FEATURES_VERSION
from assessqa.models.allowlist import RefusedModelFile, trusted_types
from assessqa.models.bundle import AssessModel
from assessqa.models.compiled import RUNTIME_ARRAYS, RUNTIME_JSON, RuntimeFormatError, pack, twin_of, unpack
from assessqa.models.config import check_meta
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
    if model.general_text_model is not None:
        parts["general_text.skops"] = model.general_text_model
    return parts


def library_versions() -> dict[str, str]:
    # Read from the installed distributions: importing scikit-learn to ask costs a second.
    out = {"assessqa": __version__}
    for name in ("scikit-learn", "skops", "numpy", "scipy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    out["python"] = platform.python_version()
    return out


def write_runtime(model: AssessModel, directory: Path) -> dict[str, str]:
    """Write the numpy twins of every part (models/compiled.py) into ``directory``; returns the files' hashes."""
    from safetensors.numpy import save_file

    description, arrays = pack({name.removesuffix(".skops"): twin_of(est) for name, est in _parts(model).items()})
    directory = Path(directory)
    (directory / RUNTIME_JSON).write_text(json.dumps(description, sort_keys=True) + "\n", encoding="utf-8")
    save_file(arrays, str(directory / RUNTIME_ARRAYS))
    return {name: _sha256(directory / name) for name in (RUNTIME_JSON, RUNTIME_ARRAYS)}


def add_runtime(directory: Path) -> Path:
    """Give a model folder saved without the runtime twins its ``runtime.json`` and ``runtime.safetensors``,
    read from its skops files (which are left as they are), and list them in meta.json. meta.json changes, so a
    signed folder must be signed again (``assessqa models sign``)."""
    directory = Path(directory)
    model = load_model(directory, form="estimators")
    meta = dict(model.meta)
    meta["files"] = {**meta["files"], **write_runtime(model, directory)}
    (directory / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return directory


def save_model(model: AssessModel, directory: Path) -> Path:
    """Write every part with skops and a meta.json holding their hashes; returns the folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    import skops.io as sio

    hashes = {}
    for name, est in _parts(model).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sio.dump(est, path, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        hashes[name] = _sha256(path)
    hashes.update(write_runtime(model, directory))
    meta = dict(model.meta)
    meta.setdefault("saved_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    meta["format_version"] = FORMAT_VERSION
    meta["versions"] = library_versions()
    meta["files"] = hashes
    (directory / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    model.meta = meta
    return directory


def _checked_bytes(path: Path, expected_hash: str | None, where: str, shown: str) -> bytes:
    if not path.is_file():
        raise errors.model_corrupt(where, f"{path.name} is missing")
    data = path.read_bytes()
    if expected_hash is not None and hashlib.sha256(data).hexdigest() != expected_hash:
        raise errors.model_corrupt(where, f"{shown} does not match the hash in meta.json")
    return data


def _check_part(path: Path, expected_hash: str | None, where: str) -> list[str]:
    """Hash and allowlist checks of one skops file; returns the types it may build."""
    shown = f"{path.parent.name}/{path.name}" if path.parent.name in ("dimensions", "evidence") else path.name
    _checked_bytes(path, expected_hash, where, shown)
    try:
        return trusted_types(path)
    except RefusedModelFile as exc:
        raise errors.model_refused(where, shown, exc.found) from exc
    except Exception as exc:  # zipfile, KeyError, JSON errors for damaged archives
        raise errors.model_corrupt(where, f"{shown} is not a readable skops file ({exc.__class__.__name__})") from exc


def _load_part(path: Path, trusted: list[str], where: str) -> Any:
    import skops.io as sio

    try:
        return sio.load(path, trusted=trusted)
    except Exception as exc:
        shown = f"{path.parent.name}/{path.name}" if path.parent.name in ("dimensions", "evidence") else path.name
        raise errors.model_corrupt(where, f"{shown} could not be read ({exc.__class__.__name__})") from exc


def _load_runtime(directory: Path, hashes: dict[str, str], where: str) -> dict[str, Any]:
    """The numpy twins, from bytes that were hashed before they were parsed."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as load_arrays

    description = _checked_bytes(directory / RUNTIME_JSON, hashes[RUNTIME_JSON], where, RUNTIME_JSON)
    arrays = _checked_bytes(directory / RUNTIME_ARRAYS, hashes[RUNTIME_ARRAYS], where, RUNTIME_ARRAYS)
    try:
        return unpack(json.loads(description.decode("utf-8")), load_arrays(arrays))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.model_corrupt(where, f"{RUNTIME_JSON} is not valid JSON") from exc
    except SafetensorError as exc:
        raise errors.model_corrupt(where, f"{RUNTIME_ARRAYS} is not a readable safetensors file") from exc
    except RuntimeFormatError as exc:
        raise errors.model_corrupt(where, f"{RUNTIME_JSON}: {exc}") from exc


def read_meta(directory: Path, public_key: Path | None = None) -> dict[str, Any]:
    """Read and check meta.json; with ``public_key``, only after its signature is verified."""
    directory = Path(directory)
    meta_path = directory / "meta.json"
    if not meta_path.is_file():
        raise errors.model_missing(str(directory))
    # The bytes that are verified are the bytes that are parsed: the file is read once.
    raw = meta_path.read_bytes()
    if public_key is not None:
        from assessqa.models.signing import verify_model  # cryptography is imported only when a key is set

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


def load_model(
    directory: Path, public_key: Path | None = None, form: Literal["runtime", "estimators"] = "runtime"
) -> AssessModel:
    """Load and check a model folder; raises :class:`assessqa.errors.ModelError` with a clear message.

    Args:
        directory: the model folder.
        public_key: an Ed25519 public key (PEM); when given, a folder without a valid signature is refused.
        form: ``"runtime"`` builds the numpy twins scoring uses (the skops estimators where a folder predates
            them); ``"estimators"`` builds the fitted scikit-learn estimators themselves (inspection, export).
    """
    directory = Path(directory)
    where = str(directory)
    meta = read_meta(directory, public_key)
    hashes: dict[str, str] = meta.get("files", {})
    present_dims = [d for d in DIMENSIONS if f"dimensions/{d}.skops" in hashes]
    for dim in DIMENSIONS:
        if dim not in present_dims:
            raise errors.dimension_missing(where, dim, present_dims)
    names = [n for n in hashes if n.endswith(".skops")]
    if form == "runtime" and RUNTIME_JSON in hashes and RUNTIME_ARRAYS in hashes:
        # Every file must still be the one meta.json names; the skops files are not unpacked, so their schemas
        # (a third of a second to walk) are checked where they are built: form="estimators", signing, promotion.
        for name in names:
            _checked_bytes(directory / name, hashes[name], where, name)
        parts = _load_runtime(directory, hashes, where)
        for name in names:
            if name.removesuffix(".skops") not in parts:
                raise errors.model_corrupt(where, f"{RUNTIME_JSON} has no part for {name}")
        built = {name: parts[name.removesuffix(".skops")] for name in names}
    else:
        built = {name: _load_part(directory / name, _check_part(directory / name, hashes[name], where), where) for name in names}
    return AssessModel(
        cue_tagger=built["cue_tagger.skops"],
        action_detector=built["action_detector.skops"],
        flag_model=built["action_flags.skops"],
        dimension_models={dim: built[f"dimensions/{dim}.skops"] for dim in DIMENSIONS},
        doc_type_model=built.get("doc_type.skops"),
        meta=meta,
        # Optional: a model trained without them scores evidence from the tagger alone.
        evidence_models={dim: built[f"evidence/{dim}.skops"] for dim in DIMENSIONS if f"evidence/{dim}.skops" in built},
        coherence_model=built.get("coherence.skops"),
        general_text_model=built.get("general_text.skops"),
    )


def verify_runtime(directory: Path, public_key: Path | None = None) -> AssessModel:
    """Check a folder both ways before it is signed or promoted: its skops estimators load (hashes, allowlist) and
    its runtime twins are exactly what those estimators export, array for array. Returns the estimators' model."""
    directory = Path(directory)
    model = load_model(directory, public_key, form="estimators")
    hashes = model.meta.get("files", {})
    if RUNTIME_JSON not in hashes or RUNTIME_ARRAYS not in hashes:
        return model  # a folder from before the twins: scoring reads its estimators
    from safetensors.numpy import load as load_arrays

    description, arrays = pack({name.removesuffix(".skops"): twin_of(est) for name, est in _parts(model).items()})
    saved = json.loads((directory / RUNTIME_JSON).read_text(encoding="utf-8"))
    saved_arrays = load_arrays((directory / RUNTIME_ARRAYS).read_bytes())
    same = json.loads(json.dumps(description)) == saved and saved_arrays.keys() == arrays.keys()
    if not same or not all(np.array_equal(arrays[k], saved_arrays[k]) for k in arrays):
        raise errors.model_corrupt(str(directory), f"{RUNTIME_JSON} and {RUNTIME_ARRAYS} are not what the skops files export")
    return model


def version_warnings(model: AssessModel) -> list[str]:
    """Differences between the libraries that saved a model's estimators and those running them, for the record's
    warnings. The numpy twins do not depend on scikit-learn's version, so a model scored through them has none."""
    if model.compiled:
        return []
    saved = model.meta.get("versions", {})
    now = library_versions()
    notes = []
    for lib in ("scikit-learn", "skops"):
        if saved.get(lib) and saved[lib].split(".")[:2] != now[lib].split(".")[:2]:
            notes.append(f"model saved with {lib} {saved[lib]}, running {now[lib]}: re-train if grades look wrong")
    return notes
