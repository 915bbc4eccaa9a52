"""benchmarks/README.md holds exactly what benchmarks/readme.py writes from the saved figures."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmarks_readme_is_generated_from_the_saved_figures():
    spec = importlib.util.spec_from_file_location("bench_readme", ROOT / "benchmarks" / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8") == module.render(), (
        "benchmarks/README.md is stale: run python benchmarks/readme.py"
    )
