"""Parity: the shipped model gives every corpus and example document the grades recorded in the fixture, and
scoring in batches gives exactly the records scoring one at a time gives."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))
from parity import documents, outcomes  # noqa: E402


def test_grades_match_the_fixture(scorer):
    fixture = json.loads((ROOT / "tests/fixtures/parity.json").read_text())
    if fixture["model_version"] != scorer.model_version:
        pytest.fail(f"the fixture is for {fixture['model_version']}, the shipped model is {scorer.model_version}: "
                    "explain the change and regenerate it with python3 training/parity.py")
    now = outcomes(scorer, documents())
    changed = sorted(i for i in fixture["documents"] if now.get(i) != fixture["documents"][i])
    assert not changed, f"{len(changed)} document(s) changed, first: {changed[:5]}"


def test_batched_and_single_records_are_identical(scorer):
    docs = documents()[::25]
    batched = scorer.score_batch(docs)
    single = [scorer.score(d) for d in docs]
    assert [r.model_dump() for r in batched] == [r.model_dump() for r in single]
