"""Copies are read once: a sentence or action written again word for word, and a line written again and again in
one run (a line without a full stop pasted several times reads as one sentence). Texts written for these tests."""

import pytest

from assessqa.pipeline import segment
from assessqa.segment.repeats import blank_repeats

LINE = "Mum to take Poppy (6) to the dentist at St Anne's on 11/02/25; Nana to drive them"


@pytest.mark.parametrize(
    "text, expected",
    [
        (" ".join([LINE] * 4), LINE),
        (" ".join([LINE + ";"] * 3), LINE + ";"),
        ("Keira said she was scared. Keira said she was scared.", "Keira said she was scared."),
        ("Ongoing. Ongoing. Ongoing.", "Ongoing. Ongoing. Ongoing."),  # too short to count as a copy
        ("Keira said she was scared when Dad shouted.", "Keira said she was scared when Dad shouted."),
        (LINE + " " + LINE + " and more", LINE + " " + LINE + " and more"),  # not one run of copies
    ],
)
def test_a_repeated_line_keeps_its_first_copy_and_its_length(text, expected):
    blanked = blank_repeats(text)
    assert len(blanked) == len(text)
    assert blanked.rstrip() == expected


PLAN = f"""Child in need plan

Actions
- {LINE}
- School to send Poppy's attendance to the social worker every Friday.

Contingency
If Poppy misses the appointment the social worker will arrange a review within two weeks.
"""


def test_a_line_pasted_again_and_again_adds_no_sentence_and_no_action(nlp):
    stuffed = PLAN + "\n" + " ".join([LINE] * 4) + "\n"
    plain, repeated = segment(nlp, [PLAN, stuffed], ["plan", "plan"])
    assert [u.text for u in repeated.units] == [u.text for u in plain.units]
    assert [u.text for u in repeated.candidates] == [u.text for u in plain.candidates]
    assert repeated.text == stuffed  # the record keeps the text as given
