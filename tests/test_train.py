"""Training helpers whose mistakes would not show up as a failing fit: leaked names, shifted labels."""

from __future__ import annotations

from assessqa.features import SentenceUnit, unit_reprs
from assessqa.training.fit import stuffed_copy, stuffing_range


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


def test_stuffed_copy_with_variety_puts_stuffing_on_either_side_and_moves_every_label(corpus_splits):
    plan = next(d for d in corpus_splits["train"] if d.doc_type == "plan" and any(a.need for a in d.actions))
    sides = set()
    for seed in range(12):
        copy = stuffed_copy(plan, seed=seed, variety=True)
        a, b = stuffing_range(plan, copy)
        sides.add("before" if a == 0 else "after")
        assert copy.text[:a] + copy.text[b:] == plan.text and b > a
        assert copy.grades == plan.grades
        for span in copy.spans:
            assert copy.text[span.start : span.end] == span.text
        for action, original in zip(copy.actions, plan.actions):
            assert copy.text[action.start : action.end] == action.text
            if original.need is not None:
                assert copy.text[action.need.start : action.need.end] == plan.text[original.need.start : original.need.end]
    assert sides == {"before", "after"}


def test_stuffing_variety_off_appends_buzzwords_only(corpus_splits):
    from assessqa.training.fit import _GUIDE_TASKS

    doc = corpus_splits["train"][0]
    for seed in range(12):
        copy = stuffed_copy(doc, seed=seed)
        a, b = stuffing_range(doc, copy)
        assert a == len(doc.text) and copy.text.startswith(doc.text)
        assert not any(task in copy.text[a:b] for task in _GUIDE_TASKS)
    # and with it on, some copies carry guidance: the check above can tell them apart
    assert any(any(t in stuffed_copy(doc, seed=s, variety=True).text for t in _GUIDE_TASKS) for s in range(12))


def test_evidence_context_reads_each_neighbour_from_its_own_row():
    import numpy as np

    from assessqa.features import EVIDENCE_WINDOW, evidence_context
    from assessqa.schemas import CUES

    units = [SentenceUnit(i * 10, i * 10 + 9, f"Sentence number {i} here.", "risk") for i in range(4)]
    probs = np.full((4, len(CUES)), 0.5)
    probs[2, CUES.index("impact_analysis")] = 0.9  # only sentence 2 is likely evidence
    X = evidence_context(units, probs)
    k = len(CUES)
    col = CUES.index("impact_analysis")
    blocks = X[:, : (2 * EVIDENCE_WINDOW + 1) * k].reshape(4, 2 * EVIDENCE_WINDOW + 1, k)[:, :, col]
    # Block 0 is the sentence itself, then the neighbours at -2, -1, +1, +2: 0.9 must show where each offset points.
    assert blocks[2, 0] > 0 and blocks[0, 0] == 0
    assert blocks[3, 2] > 0 and blocks[1, 3] > 0 and blocks[0, 4] > 0  # one before, one after, two after
    assert blocks[3, 4] == 0  # past the end is padding, not a wrap-around to the first sentence
    assert (X[:, (2 * EVIDENCE_WINDOW + 1) * k + col] > 0).all()  # the document's strongest sentence, on every row
    assert evidence_context([], np.zeros((0, k))).shape == (0, X.shape[1])


def test_every_dimension_gets_an_evidence_scorer_with_a_threshold(small_model):
    from assessqa.schemas import DIMENSIONS

    assert set(small_model.evidence_models) == set(DIMENSIONS)
    assert set(small_model.meta["evidence_thresholds"]) == set(DIMENSIONS)


def test_a_model_without_evidence_scorers_shows_what_the_tagger_found(small_model):
    import dataclasses

    import numpy as np

    from assessqa.features import evidence_context
    from assessqa.schemas import CUES

    bare = dataclasses.replace(small_model, evidence_models={})
    units = [SentenceUnit(0, 20, "Leo (2) was hurt.", "risk"), SentenceUnit(21, 40, "He sleeps well.", "daily_life")]
    probs = np.zeros((2, len(CUES)))
    probs[0, CUES.index("impact_analysis")] = 0.8
    probs[1, CUES.index("protective_factor")] = 0.3
    got = bare.evidence_probabilities(["risk_analysis"], probs, evidence_context(units, probs))
    assert got["risk_analysis"].tolist() == [0.8, 0.3]


def test_a_model_saved_before_the_evidence_floor_setting_keeps_the_floor_it_was_trained_with(small_model):
    import dataclasses

    config = {k: v for k, v in small_model.meta["config"].items() if k != "evidence_floor"}
    old = dataclasses.replace(small_model, meta={**small_model.meta, "config": config})
    assert old.config["evidence_floor"] == 0.1
    assert small_model.config["evidence_floor"] == small_model.meta["config"]["evidence_floor"]
