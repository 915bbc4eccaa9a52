"""A model folder can describe estimators, never code: the allowlist and the optional Ed25519 signature.

The malicious folder is the one a security review built: a ``doc_type.skops`` holding a scikit-learn
``Pipeline`` around ``FunctionTransformer(builtins.exec)``, with meta.json's (unsigned) hash updated to match.
Under the old prefix rule ("builtins." is trusted) skops reported only ``builtins.exec`` as untrusted, so the
file loaded and every document sent without a doc_type was executed.
"""

import builtins
import hashlib
import json
import shutil

import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from typer.testing import CliRunner

from assessqa import errors
from assessqa.cli import app
from assessqa.config import DEFAULT_MODEL_DIR, Settings
from assessqa.models.allowlist import ALLOWED, schema_types
from assessqa.models.signing import SIGNATURE_FILE, generate_keypair, sign_model
from assessqa.models.store import load_model
from assessqa.scoring import Scorer
from conftest import EXAMPLES

runner = CliRunner()
KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"


def _rehash(folder, name):
    meta = json.loads((folder / "meta.json").read_text())
    meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def _evil(folder):
    sio.dump(Pipeline([("run", FunctionTransformer(builtins.exec))]), folder / "doc_type.skops")
    _rehash(folder, "doc_type.skops")
    return folder


@pytest.fixture()
def malicious_model(tmp_path):
    """The exploit in a folder scoring builds from its skops files: one saved before the numpy twins existed."""
    folder = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "evil")
    meta = json.loads((folder / "meta.json").read_text())
    for name in ("runtime.json", "runtime.safetensors"):
        del meta["files"][name]
        (folder / name).unlink()
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return _evil(folder)


def test_scoring_beside_twins_never_unpacks_a_skops_file(tmp_path, monkeypatch):
    # With runtime.json present, scoring builds numbers and strings only; the exploit file is never opened as a
    # model, and signing or promoting the folder (which unpack the estimators) refuse it.
    folder = _evil(shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "evil"))
    monkeypatch.setattr("skops.io.load", lambda *a, **k: pytest.fail("a skops file was unpacked"))
    assert load_model(folder).compiled
    monkeypatch.undo()
    private, _ = generate_keypair(tmp_path / "k")
    result = runner.invoke(app, ["models", "sign", str(folder), "--key", str(private)])
    assert result.exit_code == 2 and "[E105]" in result.output and not (folder / SIGNATURE_FILE).exists()


def test_the_old_prefix_rule_would_have_trusted_the_malicious_file(malicious_model):
    # Why the allowlist reads the schema itself: skops' own report names only the builtin, and it trusts
    # FunctionTransformer (a scikit-learn estimator) by default.
    assert sio.get_untrusted_types(file=malicious_model / "doc_type.skops") == ["builtins.exec"]


def test_malicious_model_is_refused_before_anything_is_built(malicious_model):
    with pytest.raises(errors.ModelError) as info:
        load_model(malicious_model)
    assert info.value.code is errors.ErrorCode.MODEL_REFUSED
    assert "builtins.exec" in info.value.message and "FunctionTransformer" in info.value.message


def test_score_refuses_the_malicious_model_and_reads_no_document(malicious_model, tmp_path, monkeypatch):
    read = []
    monkeypatch.setattr("assessqa.ingest.read_inputs", lambda files: read.append(files) or iter(()))
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(EXAMPLES), "--out", str(out), "--model", str(malicious_model)])
    assert result.exit_code == 2 and "[E105]" in result.output
    assert read == [] and not out.exists()


def test_serve_refuses_the_malicious_model(malicious_model, monkeypatch):
    started = []
    monkeypatch.setattr("assessqa.api.server.serve_one", lambda *args: started.append(args))
    for name in ("ASSESSQA_MODEL_DIR", "ASSESSQA_WORKERS", "ASSESSQA_INSECURE_NO_AUTH"):
        monkeypatch.setenv(name, "")  # recorded, so what serve exports for its workers is undone afterwards
        monkeypatch.delenv(name)
    monkeypatch.setenv("ASSESSQA_API_KEYS", KEY)
    result = runner.invoke(app, ["serve", "--model", str(malicious_model)])
    assert result.exit_code == 2 and "[E105]" in result.output and started == []


@pytest.mark.parametrize(
    "kind, name",
    [
        # a function reference: the one way a schema can name code to call
        ("FunctionNode", "os.system"),
        # a type outside the list, even from scikit-learn
        ("ObjectNode", "sklearn.preprocessing._function_transformer.FunctionTransformer"),
        # a builtin callable named as a type, as in the review's exploit
        ("TypeNode", "builtins.eval"),
    ],
)
def test_allowlist_is_exact(kind, name):
    assert name not in ALLOWED.get(kind, frozenset())


def test_shipped_model_uses_only_allowed_types():
    for path in DEFAULT_MODEL_DIR.rglob("*.skops"):
        for kind, name in schema_types(path):
            assert name in ALLOWED[kind], (path.name, kind, name)


# ------------------------------------------------------------------ signatures


@pytest.fixture()
def signed(tmp_path):
    folder = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "signed")
    private, public = generate_keypair(tmp_path / "keys")
    sign_model(folder, private)
    return folder, public


def test_signed_model_loads_with_its_public_key(signed):
    folder, public = signed
    assert load_model(folder, public_key=public).version.startswith("assessqa-")


@pytest.mark.parametrize("tamper", ["meta", "unsigned", "other_key"])
def test_a_service_with_a_public_key_refuses_other_models(signed, tmp_path, tamper):
    folder, public = signed
    if tamper == "meta":
        # the attack on unsigned hashes: change a part and update its hash in meta.json
        sio.dump({"x": 1}, folder / "cue_tagger.skops")
        _rehash(folder, "cue_tagger.skops")
    elif tamper == "unsigned":
        (folder / SIGNATURE_FILE).unlink()
    else:
        other_private, _ = generate_keypair(tmp_path / "other")
        sign_model(folder, other_private)
    with pytest.raises(errors.ModelError) as info:
        Scorer.from_directory(folder, Settings(model_public_key=public))
    assert info.value.code is errors.ErrorCode.MODEL_SIGNATURE


def test_models_keygen_and_sign_commands(tmp_path):
    folder = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "m")
    assert runner.invoke(app, ["models", "keygen", str(tmp_path / "k")]).exit_code == 0
    assert (tmp_path / "k" / "model-signing.key").stat().st_mode & 0o077 == 0  # private key readable by owner only
    result = runner.invoke(app, ["models", "sign", str(folder), "--key", str(tmp_path / "k" / "model-signing.key")])
    assert result.exit_code == 0, result.output
    load_model(folder, public_key=tmp_path / "k" / "model-signing.pub")
    # a second keygen never overwrites a private key
    again = runner.invoke(app, ["models", "keygen", str(tmp_path / "k")])
    assert again.exit_code == 2 and "[E107]" in again.output


def test_sign_refuses_a_model_that_does_not_load(malicious_model, tmp_path):
    private, _ = generate_keypair(tmp_path / "k")
    result = runner.invoke(app, ["models", "sign", str(malicious_model), "--key", str(private)])
    assert result.exit_code == 2 and "[E105]" in result.output and not (malicious_model / SIGNATURE_FILE).exists()
