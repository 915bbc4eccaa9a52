"""Training helpers whose mistakes would not show up as a failing fit: leaked names, shifted labels."""

from __future__ import annotations

from assessqa.features import SentenceUnit, unit_reprs
from assessqa.models.train import stuffed_copy


def test_context_words_come_from_the_previous_sentence_with_names_masked():
    units = [
        SentenceUnit(0, 30, "Aisha (9) told me Ms Ilona Kovacova shouts.", "child_views", ("Aisha",), ("Ilona", "Kovacova")),
        SentenceUnit(31, 60, "She hides in her room.", "child_views", ("Aisha",), ("Ilona", "Kovacova")),
    ]
    first, second = unit_reprs(units)
    assert " P_" not in first  # nothing comes before the first sentence
    context = [w for w in second.split() if w.startswith("P_")]
    assert "P_told" in context and "P___child__" in context
    assert not any(name.lower() in " ".join(context) for name in ("aisha", "ilona", "kovacova"))


def test_stuffed_copy_only_appends_and_keeps_every_label(corpus_splits):
    doc = corpus_splits["train"][0]
    copy = stuffed_copy(doc, seed=3)
    assert copy.text.startswith(doc.text) and len(copy.text) > len(doc.text)
    assert copy.grades == doc.grades and copy.id != doc.id
    for span in copy.spans:
        assert copy.text[span.start : span.end] == span.text
    for action in copy.actions:
        assert copy.text[action.start : action.end] == action.text
