"""benchmarks/README.md holds exactly what benchmarks/readme.py writes from the saved figures."""

from conftest import ROOT, load_script


def test_benchmarks_readme_is_generated_from_the_saved_figures():
    module = load_script("benchmarks/readme.py", "bench_readme")
    assert (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8") == module.render(), (
        "benchmarks/README.md is stale: run python benchmarks/readme.py"
    )
