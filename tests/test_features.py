"""Grade features: what a sentence carrying no evidence must not change."""

from __future__ import annotations

import numpy as np
import pytest

from assessqa.features import SentenceUnit, dimension_features
from assessqa.schemas import CUES


def _doc(extra_prob: float | None):
    units = [
        SentenceUnit(0, 40, "Aisha (9) told me she hides when Dad shouts.", "child_views", ("Aisha",)),
        SentenceUnit(41, 80, "She walks to school with her friend Mia each morning.", "daily_life", ("Aisha",)),
    ]
    probs = np.zeros((2, len(CUES)))
    probs[0, CUES.index("child_voice")] = 0.9
    probs[1, CUES.index("daily_life")] = 0.8
    if extra_prob is not None:
        # A buzzword sentence the tagger gives a faint cue probability.
        units.append(SentenceUnit(81, 160, "This assessment has fully considered the lived experience of the child.", None))
        row = np.zeros((1, len(CUES)))
        row[0, CUES.index("history_link")] = extra_prob
        probs = np.vstack([probs, row])
    return units, probs


@pytest.mark.parametrize(
    "floor, extra_prob, unchanged",
    [
        (0.2, 0.16, True),  # below the floor: the sentence is invisible to the grade model
        (0.1, 0.16, False),  # above a lower floor it counts, which is how stuffing could nudge a grade
        (0.2, 0.0, True),  # no cue at all: never counted
    ],
)
def test_sentences_below_the_evidence_floor_change_no_grade_feature(floor, extra_prob, unchanged):
    units, probs = _doc(None)
    before = dimension_features("lived_experience", probs, units, None, floor=floor)
    units, probs = _doc(extra_prob)
    after = dimension_features("lived_experience", probs, units, None, floor=floor)
    assert (before == after) is unchanged


def test_caseless_patterns_match_exactly_what_their_ignorecase_pattern_matches(corpus):
    import random
    import re

    from assessqa.features import markers
    from assessqa.features.markers import _DOMAIN_RE, Caseless
    from assessqa.insights import _CONCLUSION_RE, _HARM_RE

    marker_patterns = [markers._AGE_RE, markers._OUTCOME_RE, markers._NEED_WORDS_RE, markers._PAST_RE, markers._DATE_RE,
                       markers._FREQUENCY_RE, markers._DEADLINE_RE, markers._VAGUE_TIME_RE, markers._VAGUE_VERB_RE,
                       markers._MEASURE_RE, markers._UNREALISTIC_RE, markers._PURPOSE_RE, markers._PROCESS_RE]

    rng = random.Random(0)
    texts = [s for d in corpus[:60] for s in d.text.split(".")]
    # random capitals, and non-ASCII text (matched by the pattern as written)
    texts += ["".join(c.upper() if rng.random() < 0.3 else c for c in t) for t in texts[:300]]
    texts += ["NO FURTHER ACTION \u2019", "Police called \u00e9", "\u212aeep the Case closed", "By 3 MARCH 2027, WEEKLY, Aged 7"]
    for pattern in (_DOMAIN_RE, _CONCLUSION_RE, _HARM_RE, *marker_patterns):
        caseless = Caseless(pattern)
        for text in texts:
            lowered = text.lower() if text.isascii() else None
            assert caseless.found(text) == bool(pattern.search(text)), text
            assert caseless.count(text) == len(pattern.findall(text)), text
            match = pattern.search(text)
            assert caseless.span_in(text, lowered) == (match.span() if match else None), text
    with pytest.raises(ValueError):
        Caseless(re.compile(r"'[A-Z][^']{3,}'", re.I))  # a capital range means something else in lower-cased text


def test_a_sentence_or_action_written_again_word_for_word_is_read_once():
    from assessqa.features import sentence_units
    from assessqa.pipeline import segment
    from assessqa.segment import build_pipeline

    nlp = build_pipeline()
    said = "Aisha (9) told me she hides under the bed when Dad shouts."
    once = nlp(f"Aisha's views\n{said}\nShe likes school.\nOngoing.\nOngoing.")
    twice = nlp(f"Aisha's views\n{said}\nShe likes school.\nOngoing.\nOngoing.\n{said.upper()}\n{said}")
    assert [u.text for u in sentence_units(twice)] == [u.text for u in sentence_units(once)]
    # Short lines repeat honestly in tables and are kept.
    assert [u.text for u in sentence_units(once)].count("Ongoing.") == 2

    act = "Mum will attend the Freedom Programme every Tuesday until 30 June 2025."
    text = f"CHILD PROTECTION PLAN\nActions\n- {act}\n- Dad will see his GP by 1 May 2025.\n- {act}"
    [seg] = segment(nlp, [text], ["plan"])
    bodies = [c.text.lstrip("- ") for c in seg.candidates]
    assert bodies.count(act) == 1 and any(b.startswith("Dad will") for b in bodies)


@pytest.mark.parametrize(
    "sentence, quoted",
    [
        # Apostrophes inside words are not quotation marks (0.4.4 and before read these as quotes).
        ("After the father's death the case closed when Ms O'Neill returned to work.", False),
        ("Mum's partner doesn't drink at home any more.", False),
        ("Keira said she likes school.", True),
        ("He wrote 'Dad shouts at night' on the worksheet.", True),
    ],
)
def test_a_quote_is_a_quotation_not_an_apostrophe(sentence, quoted):
    from assessqa.features.markers import sentence_markers

    assert ("__quote__" in sentence_markers(sentence)) is quoted
