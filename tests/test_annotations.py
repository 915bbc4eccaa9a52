import json

import pytest

from assessqa.training.annotations import (
    corpus_hash,
    import_authored,
    load_splits,
    make_splits,
    split_documents,
    to_dataset,
    validate_corpus,
)
from conftest import ANNOTATIONS


def test_the_corpus_validates_and_is_large_enough():
    report = validate_corpus(ANNOTATIONS)
    assert report.problems == []
    assert report.documents >= 400


def test_splits_never_share_a_batch_or_a_family(corpus):
    splits = load_splits(ANNOTATIONS)
    parts = split_documents(corpus, splits)
    assert len(parts["test"]) >= 80
    families = {name: {d.family_group for d in docs} for name, docs in parts.items()}
    assert not families["test"] & (families["train"] | families["dev"])
    assert not families["dev"] & families["train"]
    assert all(d.batch in splits for d in corpus)


def test_make_splits_is_deterministic_and_grouped(corpus):
    a, b = make_splits(corpus, seed=5), make_splits(corpus, seed=5)
    assert a == b
    assert set(a["batches"].values()) == {"train", "dev", "test"}


def _authored(text="Amy (6) said \"I like school\". Mum to attend the GP by 01/05/2025."):
    return {
        "id": "t-001", "batch": "t-01", "family_group": "t-f01", "doc_type": "plan", "template": "test",
        "text": text, "grades": {"smart_actions": 3, "contingency": 1, "child_focus": 2},
        "spans": [{"quote": "Amy (6) said \"I like school\".", "cue": "child_voice"}],
        "actions": [{"quote": "Mum to attend the GP by 01/05/2025.", "need_quote": None,
                     "flags": {"specific": True, "owner": True, "measurable": True, "achievable": True, "relevant": False, "time_bound": True}}],
        "annotator": "test",
    }


def test_import_resolves_quotes_to_offsets(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t-01.jsonl").write_text(json.dumps(_authored()) + "\n")
    count, problems = import_authored(tmp_path / "in", tmp_path / "out")
    assert (count, problems) == (1, [])
    record = json.loads((tmp_path / "out" / "t-01.jsonl").read_text())
    action = record["actions"][0]
    assert record["text"][action["start"]:action["end"]] == "Mum to attend the GP by 01/05/2025."


def test_import_refuses_a_quote_that_is_not_in_the_text(tmp_path):
    record = _authored()
    record["spans"][0]["quote"] = "Amy said she hates school"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t-01.jsonl").write_text(json.dumps(record) + "\n")
    count, problems = import_authored(tmp_path / "in", tmp_path / "out")
    assert count == 0 and "not found" in problems[0]


@pytest.mark.parametrize(
    "mutate, problem",
    [
        # offsets that do not match the span text
        (lambda r: r["spans"][0].update(start=1), "does not match"),
        # a cue that the guidelines do not define
        (lambda r: r["spans"][0].update(cue="vibes"), "unknown cue"),
        # a plan graded on an assessment dimension
        (lambda r: r["grades"].update(lived_experience=2), "grades must be exactly"),
        # an action missing a flag
        (lambda r: r["actions"][0]["flags"].pop("owner"), "flags must be exactly"),
        # an offset beyond the end of the text
        (lambda r: r["actions"][0].update(end=10_000), "outside the text"),
    ],
)
def test_validate_reports_each_kind_of_problem(tmp_path, mutate, problem):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t-01.jsonl").write_text(json.dumps(_authored()) + "\n")
    import_authored(tmp_path / "in", tmp_path / "corpus")
    record = json.loads((tmp_path / "corpus" / "t-01.jsonl").read_text())
    mutate(record)
    (tmp_path / "corpus" / "t-01.jsonl").write_text(json.dumps(record) + "\n")
    report = validate_corpus(tmp_path / "corpus")
    assert not report.ok and problem in " ".join(report.problems)


def test_corpus_loads_through_datasets(corpus):
    dataset = to_dataset(corpus[:20])
    assert dataset.num_rows == 20 and "lived_experience" in dataset.column_names


def test_corpus_hash_changes_with_content(corpus):
    changed = corpus[0].model_copy(update={"text": corpus[0].text + " "})
    assert corpus_hash(corpus[:5]) != corpus_hash([changed] + corpus[1:5])
