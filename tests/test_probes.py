"""The independent probes (training/probes.py) find what the model's masker misses, so they can fail."""

import random

import pytest

from assessqa.features import adult_names, named_children

from conftest import load_script

probes = load_script("training/probes.py")

TEXT = (
    "CHILD(REN): KOWALCZYK, Kacper | Sophie-Leigh Okafor (7)\n"
    "Sophie's teacher Mrs Jankowski said Sophie-Leigh is often hungry. Kacper walks her to school.\n"
    "On 12 May the Date of the review was set. Okafor family known since 2019."
)


@pytest.fixture(scope="module")
def swapper():
    return probes.NameSwap(probes.name_lexicon(), probes.english_words(["the date was set", "a date and a day"] * 2))


def test_finder_is_not_the_masker(swapper):
    found = set(swapper.find(TEXT))
    masked = {name for name, _ in named_children(TEXT)} | set(adult_names(TEXT))
    # capitals, hyphenated parts, possessives and surnames alone: names the masker's patterns do not all reach
    assert {"Kacper", "Kowalczyk", "Sophie", "Leigh", "Okafor", "Jankowski"} <= found
    assert found - masked, "the probe would only swap what the masker already hides"
    assert "May" not in found and "Date" not in found  # calendar words and words of the text stay


def test_swap_is_consistent_and_keeps_case(swapper):
    swapped, count = swapper.swap(TEXT, seed=3)
    assert count >= 4
    for name in ("Kacper", "Sophie", "Okafor", "Jankowski"):
        assert name not in swapped
    assert "KOWALCZYK" not in swapped and "12 May" in swapped and "Date of the review" in swapped
    first = swapped.split("\n")[0]
    assert first.split(": ")[1].split(",")[0].isupper()  # a name printed in capitals stays in capitals


@pytest.mark.parametrize("make", [probes.word_salad, probes.sentence_salad])
def test_salads_keep_the_words_and_lose_the_order(make):
    text = "Amy (6) told me she likes school. Mum is asleep most mornings. Amy makes her own breakfast."
    salad = make(text, random.Random(1))
    assert sorted(salad.split()) == sorted(text.split()) or set(salad.split("\n")) <= set(probes.probe_sentences(text))
    assert salad != text
