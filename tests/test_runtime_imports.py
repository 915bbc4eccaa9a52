"""The scoring path (the CLI's score, the service) runs without the training extra and its code, and without
importing scikit-learn, skops or scipy: it reads the model's numpy twins (models/compiled.py)."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import load_script

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# torch, transformers and datasets made unimportable, as on a server installed without the "train" extra (thinc,
# under spaCy, imports torch only when it can; scipy looks for it in sys.modules, so no None entries there). The
# same snippet the benchmarks measure a runtime install with.
_BLOCK = load_script("benchmarks/measure.py", "bench_measure").BLOCK_TRAIN_EXTRA


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _BLOCK + code], cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_cli_scores_without_torch_or_training_code(tmp_path):
    out = tmp_path / "scores.jsonl"
    code = (
        "from assessqa import cli\n"
        f"sys.argv = ['assessqa', 'score', {str(EXAMPLES / 'documents.jsonl')!r}, '--out', {str(out)!r}]\n"
        "try:\n    cli.main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('assessqa.training'))\n"
        "assert not loaded, loaded\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'skops', 'scipy'))\n"
        "assert not heavy, heavy[:5]\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records and all(r.get("dimensions") for r in records)


def test_service_scores_without_torch_or_training_code(tmp_path):
    code = (
        "from assessqa.api.app import create_app\n"
        "from assessqa.config import Settings\n"
        "import secrets\n"
        "from fastapi.testclient import TestClient\n"
        "key = secrets.token_urlsafe(32)\n"
        "with TestClient(create_app(Settings(api_keys=key))) as client:\n"
        "    r = client.post('/v1/score', json={'text': 'Amira (7) told me she is hungry at school. ' * 3},"
        " headers={'Authorization': 'Bearer ' + key})\n"
        "    assert r.status_code == 200, r.status_code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('assessqa.training'))\n"
        "assert not loaded, loaded\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'skops', 'scipy'))\n"
        "assert not heavy, heavy[:5]\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
