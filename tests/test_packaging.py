"""The shipped model reaches users who install a wheel, not only those working in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT

from assessqa.config import shipped_model_dir


def test_the_package_link_points_at_the_shipped_model():
    packaged = ROOT / "src" / "assessqa" / "shipped_model"
    assert (packaged / "meta.json").read_bytes() == (ROOT / "models" / "default" / "meta.json").read_bytes()
    assert shipped_model_dir() == ROOT / "models" / "default"


def test_the_wheel_carries_every_model_file(tmp_path):
    # --no-build-isolation: build with the setuptools already installed, so the test needs no index.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("assessqa-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    model = ROOT / "models" / "default"
    expected = {f"assessqa/shipped_model/{p.relative_to(model).as_posix()}" for p in model.rglob("*") if p.is_file()}
    assert expected and expected <= names
    assert "assessqa/api/score_response_example.json" in names  # read when the API's schemas are imported
