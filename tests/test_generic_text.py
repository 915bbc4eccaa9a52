"""Sentences about no one (features/generic_text.py): practice guidance and lists of terms get no cue, and a
record's own sentences keep theirs. The texts here were written for these tests, not taken from any probe."""

import dataclasses

import numpy as np
import pytest

from assessqa.features import SentenceUnit
from assessqa.features.generic_text import about_no_one
from assessqa.features.sentences import own_words, unit_reprs
from assessqa.pipeline import tag_cues
from assessqa.schemas import CUES


def _taken(sentences: list[str], names: tuple[str, ...] = (), passages: bool = False) -> list[bool]:
    units = [SentenceUnit(0, len(s), s, None, names) for s in sentences]
    return about_no_one(sentences, [own_words(r) for r in unit_reprs(units)], passages)


@pytest.mark.parametrize(
    "sentence",
    [
        "Assessments must describe a typical day for every child in the household.",
        "Good practice is that practitioners should record the wishes and feelings of each young person.",
        "It is essential that analysis of harm is included in the report.",
    ],
)
def test_practice_stated_in_general_is_about_no_one(sentence):
    assert _taken([sentence]) == [True]


@pytest.mark.parametrize(
    "sentence, names",
    [
        ("Mum needs to record when she gives Amir his medicine.", ()),
        ("Amir should be seen alone at every visit and his views recorded.", ("Amir",)),
        ("We need to write to the school by Friday.", ()),
        ("If things do not improve, the plan should be reviewed at conference.", ()),
        ("The local authority may need to consider further action.", ()),
        ("The assessment must be completed within 45 working days.", ()),
        ("The children need a warm bed and food every day.", ()),  # a need, with no word of recording practice
    ],
)
def test_sentences_about_this_family_or_a_condition_are_kept(sentence, names):
    assert _taken([sentence], names) == [False]


def test_a_list_of_terms_in_one_sentence_and_a_run_of_short_lines_are_about_no_one():
    inline = "Key themes: resilience, attachment, parental capacity, neglect, safety planning, reflective practice."
    assert _taken([inline]) == [True]
    run = ["Attachment", "Resilience", "Neglect indicators", "Parental capacity", "Safety planning"]
    kept = "Zara (6) told me she is scared when Dad shouts."
    assert _taken(run + [kept], ("Zara",)) == [True] * 5 + [False]
    assert _taken(run[:2] + [kept], ("Zara",), passages=True) == [False] * 3  # neither a run nor a passage


def test_a_passage_of_three_sentences_naming_no_one_is_about_no_one_when_passages_are_read():
    questions = ["What is a morning like in this home?", "Who does the child go to when upset?", "Where do they feel safe?"]
    assert _taken(questions, passages=True) == [True, True, True]
    assert _taken(questions[:2], passages=True) == [False, False]  # two are not yet a passage
    assert _taken(questions) == [False, False, False]  # off, as shipped


@pytest.mark.parametrize(
    "sentences",
    [
        # a record's own run: someone it writes about in the middle breaks it
        ["The home was cold.", "She had no coat on.", "The kitchen had no food."],
        # a terse plan's lines naming no one are still its own
        ["Parents to engage with the plan.", "School to monitor attendance.", "Home conditions to be maintained."],
        ["If things do not improve, a review will be held.", "Otherwise the plan ends.", "Worries: neglect of teeth."],
        ["The flat had 2 bedrooms for five people.", "Mould was on the walls.", "There was a smell of damp."],
    ],
)
def test_runs_a_record_writes_are_kept(sentences):
    assert _taken(sentences, passages=True) == [False] * len(sentences)


def test_a_list_naming_the_family_is_kept():
    assert _taken(["Zara likes drawing, swimming, her cat, her nan, pizza, and the park."], ("Zara",)) == [False]


def test_the_cue_stage_gives_sentences_about_no_one_no_cue_only_when_asked():
    sentences = ["Workers should write down what each child says in their own words.", "Zara (6) said she is scared."]
    units = [SentenceUnit(0, len(s), s, None, ("Zara",)) for s in sentences]

    def predict(reprs):
        return np.full((len(reprs), len(CUES)), 0.9)

    read = tag_cues([units], predict)[0]
    ignored = tag_cues([units], predict, ignore_generic=True)[0]
    assert read.min() == pytest.approx(0.9)
    assert ignored[0].max() == 0.0 and ignored[1].min() == pytest.approx(0.9)


def test_a_model_saved_before_the_setting_reads_every_sentence(small_model):
    config = {k: v for k, v in small_model.meta["config"].items() if k != "ignore_generic_sentences"}
    old = dataclasses.replace(small_model, meta={**small_model.meta, "config": config})
    assert old.config["ignore_generic_sentences"] is False
    assert small_model.config["ignore_generic_sentences"] == small_model.meta["config"]["ignore_generic_sentences"]
