"""Robustness on a small fixed fixture: the first eight documents of the held-out test split.

Figures over the whole test split are measured by training/robustness.py and recorded in the model card.
"""

import pytest

from assessqa.training.robustness import OFF_TOPIC, gibberish, rerender, stuff_keywords, swap_names
from assessqa.schemas import InputDocument


@pytest.fixture(scope="module")
def fixture_docs(corpus_splits):
    return corpus_splits["test"][:8]


def _grades(scorer, text, doc_type):
    record = scorer.score(InputDocument(text=text, doc_type=doc_type))
    return {d: r.grade for d, r in record.dimensions.items() if r is not None}


def test_swap_names_really_swaps():
    text = "Aisha (9) lives with Ms Begum. Aisha said she likes school."
    swapped = swap_names(text, seed=1)
    assert "Aisha" not in swapped and "Begum" not in swapped
    assert swapped.count(swapped.split(" ")[0]) == 2  # the same child is renamed the same way twice


@pytest.mark.parametrize(
    "line, kept",
    [
        # An inline heading: the heading is reworded, the contingency itself must survive.
        ("Contingency: if progress is not made, the case will be discussed.", "if progress is not made, the case will be discussed."),
        ("Contingency plan", "What happens if things do not change:"),
        ("Child's views", "WHAT THE CHILD TOLD US:"),
    ],
)
def test_rerender_changes_headings_not_content(line, kept):
    assert kept in rerender(f"Plan\n{line}\nEnd of plan.", seed=0)


def test_rerender_keeps_every_sentence(corpus_splits):
    # A probe that dropped content would blame the model for the probe's own damage.
    import re

    for n, doc in enumerate(corpus_splits["test"]):
        moved = re.sub(r"\s+", " ", rerender(doc.text, seed=n))
        for line in doc.text.splitlines():
            if len(line.split()) > 6:
                body = re.sub(r"^\s*(?:[-\u2022*]|\d{1,2}[.)])\s+", "", line).split(":", 1)[-1]
                assert re.sub(r"\s+", " ", body.strip()) in moved, doc.id


@pytest.mark.parametrize(
    "text, hidden, kept",
    [
        # A title with first name and surname: both go, and the surname is hidden again where it appears untitled.
        ("Ms Ilona Kovacova attended. The Kovacova family moved in 2021.", ["Ilona", "Kovacova"], ["family"]),
        ("Dr. Patel saw Aisha (9); Patel will write to the GP.", ["Patel", "Aisha"], ["GP"]),
        # A column word after a line break is not a name.
        ("Who | Mr Horvath\nTimescale | weekly", ["Horvath"], ["Timescale"]),
    ],
)
def test_names_are_masked_wherever_they_appear(text, hidden, kept):
    from assessqa.features import adult_names, mask_names, person_names

    masked = mask_names(text, person_names(text), adult_names(text))
    assert not any(name in masked for name in hidden)
    assert all(word in masked for word in kept)


def test_name_swaps_change_no_grade(scorer, fixture_docs):
    for n, doc in enumerate(fixture_docs):
        assert _grades(scorer, swap_names(doc.text, seed=n), doc.doc_type) == _grades(scorer, doc.text, doc.doc_type), doc.id


def test_another_template_moves_no_grade_more_than_one_step(scorer, fixture_docs):
    for n, doc in enumerate(fixture_docs):
        base = _grades(scorer, doc.text, doc.doc_type)
        moved = _grades(scorer, rerender(doc.text, seed=n), doc.doc_type)
        assert all(abs(base[d] - moved[d]) <= 1 for d in base), doc.id


def test_keyword_stuffing_barely_moves_grades(scorer, fixture_docs):
    # Measured on the whole test split: 6 of 366 grades rose, each by one step (model card). A grade that sits on
    # a decision boundary can still tip; stuffing must never buy more than one step, nor tip more than one in 20.
    raised = []
    for doc in fixture_docs:
        base = _grades(scorer, doc.text, doc.doc_type)
        stuffed = _grades(scorer, stuff_keywords(doc.text), doc.doc_type)
        assert all(stuffed[d] <= base[d] + 1 for d in base), doc.id
        raised += [(doc.id, d) for d in base if stuffed[d] > base[d]]
    assert len(raised) <= len(fixture_docs) * 3 // 20


@pytest.mark.parametrize("doc_type", ["assessment", "plan"])
@pytest.mark.parametrize("text", [OFF_TOPIC, gibberish(seed=0), gibberish(seed=1)], ids=["off_topic", "gibberish0", "gibberish1"])
def test_junk_is_graded_1_or_sent_for_review(scorer, text, doc_type):
    record = scorer.score(InputDocument(text=text, doc_type=doc_type))
    for dim, result in record.dimensions.items():
        if result is not None:
            assert result.grade == 1 or result.needs_review, dim
