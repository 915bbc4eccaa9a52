"""A second family's record pasted into a text is found, and only the first record is graded."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from assessqa.models.coherence_features import restart, sentence_starts, sentences
from assessqa.schemas import InputDocument
from assessqa.scoring import Scorer
from assessqa.segment.records import MIN_WORDS, cut_between, second_record_start

# Fictional families, written for this test.
FIRST = """Child and Family Assessment

Reason for assessment: the school raised concerns about Keira (9) and Tomasz (4) after Keira arrived hungry on three
mornings in October. Ms Nowak is their mother and Mr Quinn is Tomasz's father; both agreed to the assessment.

Keira's day: Keira gets herself up and dresses Tomasz because Ms Nowak works nights. Keira said "I make the toast
but sometimes there is no bread". Her teacher says Keira is tired on Mondays and worries about Tomasz.

Tomasz's day: Tomasz attends nursery three mornings a week. Staff see him eat quickly and hide food in his bag.
Mr Quinn collects Tomasz on Fridays and says Tomasz is settled with him.

Family history: Ms Nowak moved to the area in 2019 after leaving a violent relationship. Mr Quinn has no previous
involvement with children's services. Ms Nowak's mother lives nearby and helps with Keira on Saturdays.

Analysis: Keira is carrying responsibilities beyond her age, and the impact on her attendance and mood is clear.
Tomasz's hiding of food suggests he has gone without. Ms Nowak loves both children but the night shifts leave no
adult at home in the mornings. Mr Quinn could offer two mornings of care, which he has agreed to discuss with Ms
Nowak. Without that change Keira will keep missing the start of the school day and Tomasz will keep going without
breakfast, so a child in need plan is recommended.
"""

SECOND = """Child and Family Assessment

Reason for assessment: police attended the home of Rhys (12) and Megan (7) after neighbours heard shouting. Mrs
Hughes is their mother; Mr Pryce is her partner and moved in this summer.

Rhys's day: Rhys stays in his room when Mr Pryce is home and told his youth worker he plays games with headphones
on "so I do not hear them". Rhys walks Megan to school and waits with her at the gate.

Megan's day: Megan is doing well in reading. She told her teacher that Mr Pryce shouts at Mrs Hughes and that she
hides under the table. Megan wets the bed most nights since the summer.

Family history: Mrs Hughes had a previous partner who was violent, and Rhys was on a child protection plan in 2016.
Mr Pryce has a caution for an assault on a former partner, which Mrs Hughes did not know about.

Analysis: both children are living with the fear of violence at home. Rhys withdraws and takes on care of Megan;
Megan's bed wetting and hiding show distress. Mrs Hughes minimises the shouting. Mr Pryce denies any violence. The
risk of emotional harm to Rhys and Megan is significant and a strategy discussion is recommended before the end of
the week, with Mrs Hughes told plainly what must change.
"""


def test_the_texts_are_long_enough_to_be_records():
    assert len(FIRST.split()) >= MIN_WORDS and len(SECOND.split()) >= MIN_WORDS


def test_one_family_written_about_child_by_child_is_not_cut():
    assert second_record_start(FIRST) is None
    assert second_record_start(SECOND) is None


def test_a_second_familys_record_is_found_where_it_begins():
    joined = FIRST + "\n\n" + SECOND
    at = second_record_start(joined)
    assert at is not None
    # The cut falls at the line where the second record begins, or within its title lines.
    assert len(FIRST) <= at <= joined.index("Reason for assessment: police")
    assert second_record_start(SECOND + "\n" + FIRST) is not None


def test_too_short_a_second_part_is_not_a_record():
    assert second_record_start(FIRST + "\n\nSigned: Mrs Hughes, Mr Pryce, Rhys and Megan. Rhys, Megan.\n") is None


def test_the_record_grades_the_first_family_only_and_says_why(scorer):
    joined = FIRST + "\n\n" + SECOND
    [alone, pasted] = scorer.score_batch([InputDocument(text=FIRST, doc_type="assessment"), InputDocument(text=joined, doc_type="assessment")])
    for dim, result in pasted.dimensions.items():
        if result is None:
            continue
        assert result.grade == alone.dimensions[dim].grade
        assert result.probabilities == alone.dimensions[dim].probabilities
        assert result.needs_review and "two_records" in result.review_reasons
        assert all(e.end <= len(FIRST) + 2 for e in result.evidence)
    assert "two_records" not in {r for d in alone.dimensions.values() if d for r in d.review_reasons}
    [warning] = [w for w in pasted.warnings if "another family" in w]
    # The warning gives an offset, never the text.
    assert "Hughes" not in warning and "Rhys" not in warning
    assert {c.name for c in pasted.insights.children} == {"Keira", "Tomasz"}


def test_no_record_of_the_corpus_or_the_external_split_is_cut(corpus):
    from pathlib import Path

    from assessqa.training.annotations import load_corpus

    external = load_corpus(Path(__file__).resolve().parents[1] / "annotations" / "external" / "external.jsonl")
    assert [d.id for d in [*corpus, *external] if second_record_start(d.text) is not None] == []


# ---------------------------------------------------------------- the second step: where places start again

# A second record shorter than the two-records check reads (MIN_WORDS), so only the second step can find it.
# A second record that names someone of the first record's surname once: the first check, which wants no name on
# both sides, leaves it whole.
SECOND_SHARING_A_NAME = """Child and Family Assessment

Reason for assessment: police attended the home of Rhys (12) and Megan (7) after neighbours heard shouting. The
neighbour who called the police is Mr Quinn, a lorry driver who lives next door.
Rhys stays in his room when Mr Pryce is home and plays games with headphones on. Megan told her teacher that Mr
Pryce shouts at their mother and that she hides under the table until it stops. Rhys walks Megan to school every
morning and waits with her at the gate. Megan wets the bed most nights since the summer. Mr Pryce moved in this
summer and denies any shouting. Both children are living with the fear of violence at home, and Rhys is taking on
the care of Megan. A strategy discussion is recommended before the end of the week.
"""


def _brute_restart(places, side=4):
    x = np.arange(len(places), dtype=float)

    def sse(a, b):
        fit = np.polyfit(a, b, 1)
        return float(((b - np.polyval(fit, a)) ** 2).sum())

    gains = [sse(x, places) - sse(x[:j], places[:j]) - sse(x[j:], places[j:]) for j in range(side, len(places) - side + 1)]
    best = int(np.argmax(gains))
    return max(0.0, gains[best]) / len(places), side + best


def test_restart_is_the_gain_of_two_line_fits_over_one_and_finds_where_places_climb_again():
    rng = np.random.default_rng(0)
    for n in (8, 9, 15, 40):
        places = rng.random(n)
        statistic, at = restart(places)
        want, want_at = _brute_restart(places)
        assert statistic == pytest.approx(want, abs=1e-9) and at == want_at
    two = np.r_[np.linspace(0, 1, 12), np.linspace(0, 1, 9)]
    one = np.linspace(0, 1, 21) + rng.normal(0, 0.05, 21)
    assert restart(two)[1] == 12
    assert restart(two)[0] > 10 * restart(one)[0]
    assert restart(np.linspace(0, 1, 7)) == (0.0, None)


def test_sentence_starts_are_where_each_sentence_begins():
    text = FIRST + "\n\n" + SECOND
    parts = sentences(text)
    starts = sentence_starts(text)
    assert len(starts) == len(parts)
    assert all(text.startswith(part, at) for part, at in zip(parts, starts))


def test_cut_between_needs_the_names_to_change_inside_the_stretch():
    joined = FIRST + "\n\n" + SECOND_SHARING_A_NAME
    assert second_record_start(joined) is None  # a name on both sides: the first check leaves it whole
    at = cut_between(joined, len(FIRST) - 200, len(FIRST) + 60)
    assert at is not None and len(FIRST) <= at <= joined.index("Reason for assessment: police")
    # Inside one family's record the same people are named on both sides of every line.
    family_history = FIRST.index("Family history")
    assert cut_between(joined, family_history - 300, family_history + 200) is None
    assert cut_between(FIRST, 0, len(FIRST)) is None


class _TwoClimbs:
    """The shipped coherence check, with a position model that sees a second record begin at "Child and Family
    Assessment" (the places climb again from there): the wiring is tested, not the position model."""

    reads_places = True

    def __init__(self, check) -> None:
        self.check = check

    def predict_proba(self, texts, places=None):
        return self.check.predict_proba(texts)

    def places(self, sentences_):
        out, run = [], []
        for s in sentences_:
            if s.startswith("Child and Family Assessment") and run:
                out.extend(np.linspace(0, 1, len(run)))
                run = []
            run.append(s)
        out.extend(np.linspace(0, 1, len(run)))
        return np.array(out)


def test_a_pasted_record_the_first_check_misses_is_cut_at_stage_0_only_when_the_model_sets_a_line(scorer):
    joined = FIRST + "\n\n" + SECOND_SHARING_A_NAME
    meta = copy.deepcopy(scorer.model.meta)
    meta["config"]["coherence"]["seam_above"] = 0.001
    seam = Scorer(dataclasses.replace(scorer.model, meta=meta, coherence_model=_TwoClimbs(scorer.model.coherence_model)), scorer.settings, nlp=scorer.nlp)
    docs = [InputDocument(text=FIRST, doc_type="assessment"), InputDocument(text=joined, doc_type="assessment")]
    [alone, pasted] = seam.score_batch(docs)
    for dim, result in pasted.dimensions.items():
        if result is not None:
            assert result.grade == alone.dimensions[dim].grade
            assert "two_records" in result.review_reasons
    # Without a line (None, as in a model saved before the second step) the text is graded whole.
    meta["config"]["coherence"]["seam_above"] = None
    whole = Scorer(dataclasses.replace(scorer.model, meta=meta, coherence_model=_TwoClimbs(scorer.model.coherence_model)), scorer.settings, nlp=scorer.nlp)
    [_, kept] = whole.score_batch(docs)
    assert all("two_records" not in r.review_reasons for r in kept.dimensions.values() if r is not None)


def test_progress_statuses_are_not_people_named_after_a_cut():
    # A review plan's statuses ("RAG: Amber") would otherwise be people named only after any line before them.
    review = "\n".join(
        f"{i}. {action}\nRAG: {status}\nProgress: {note}"
        for i, (action, status, note) in enumerate(
            [("SW to visit every 10 working days.", "Green", "all visits made."),
             ("School to monitor attendance.", "Amber", "attendance 88%."),
             ("Health visitor to see the baby fortnightly.", "Green", "seen twice."),
             ("Nursery to send a weekly report.", "AMBER", "two reports sent.")],
            start=1,
        )
    )
    joined = FIRST + "\nActions\n" + review + "\n"
    assert cut_between(joined, 0, len(joined)) is None
    assert second_record_start(joined) is None


def test_the_place_memo_predicts_as_the_position_model_and_the_check_reads_it_unchanged(scorer, corpus):
    from assessqa.models.coherence_features import PlaceMemo

    check = scorer.model.coherence_model
    texts = [d.text for d in corpus[:12]]
    parts = [s for t in texts for s in sentences(t)]
    memo = PlaceMemo(check.places)
    assert np.allclose(memo(parts[:40]), check.places(parts[:40]))
    assert np.allclose(memo(parts), check.places(parts))  # the first 40 from the memo, the rest predicted
    assert np.array_equal(check.predict_proba(texts, memo), check.predict_proba(texts))


def test_restart_windows_leave_out_texts_below_the_line():
    from assessqa.models.coherence_features import restart_windows

    joined = FIRST + "\n\n" + SECOND_SHARING_A_NAME
    climbs = _TwoClimbs(None).places
    [window] = restart_windows([joined], climbs)
    assert window is not None and window[1] <= len(FIRST) <= window[2]
    assert restart_windows([joined], climbs, at_least=window[0]) == [window]
    assert restart_windows([joined], climbs, at_least=window[0] + 1e-9) == [None]


def test_cut_between_keeps_a_record_whole_where_a_part_would_be_too_short_to_be_one():
    # Headings or guidance appended after a record make its places start again near the end; people named only in
    # the record's closing lines must not cut it there.
    closing = "\nSigned by Mr Okafor and Ms Brandt. Copies to Mr Okafor and Ms Brandt.\n"
    appended = FIRST + closing + "\nWhat life is like for the child\n\nRisk and impact analysis\n"
    assert cut_between(appended, len(FIRST) - 200, len(appended)) is None
    # The same closing lines with a record's length after them would be a second record.
    assert cut_between(FIRST + closing + SECOND, len(FIRST) - 200, len(FIRST) + 60) is not None
