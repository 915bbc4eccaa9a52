"""training/README.md's headline figures are exactly what training/readme_figures.py writes from the files."""

import pytest

from conftest import ROOT, load_script


def _module():
    return load_script("training/readme_figures.py")


def test_the_shipped_figures_in_training_readme_are_generated_from_the_files():
    module = _module()
    readme = (ROOT / "training" / "README.md").read_text(encoding="utf-8")
    assert readme == module.render(readme), "training/README.md's figures are stale: run python3 training/readme_figures.py"


def test_a_readme_without_the_markers_is_refused():
    with pytest.raises(ValueError, match="no block"):
        _module().render("# Training\nno markers here\n")
