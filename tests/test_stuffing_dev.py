"""The development stuffing and salad probes (training/stuffing_dev.py) keep the record and differ from the reported
probes' texts, so choosing on them is not choosing on the probes that measure."""

import random
import sys
from pathlib import Path

TRAINING = Path(__file__).resolve().parents[1] / "training"
sys.path.insert(0, str(TRAINING))

import probes  # noqa: E402
import stuffing_dev  # noqa: E402


def test_every_stuffed_variant_keeps_the_record_and_adds_to_it(corpus_splits):
    doc, donor = [d for d in corpus_splits["train"] if d.doc_type == "plan"][:2]
    variants = stuffing_dev.stuffed(doc, donor)
    assert set(variants) == set(stuffing_dev.FAMILIES)
    for text in variants.values():
        assert doc.text in text and len(text) > len(doc.text)
    assert donor.text in variants["other_family_pasted"]


def test_development_texts_are_not_the_reported_probes_texts():
    assert stuffing_dev.GUIDANCE != probes.GUIDANCE and stuffing_dev.VOCABULARY != probes.VOCABULARY
    for doc_type, headings in stuffing_dev.HEADINGS.items():
        assert not set(headings) & set(probes.HEADINGS[doc_type])


def test_sentence_salad_keeps_every_sentence_in_paragraphs_of_three():
    text = "One two three four. Five six seven eight. Nine ten eleven twelve. Thirteen fourteen fifteen sixteen."
    salad = stuffing_dev.sentence_salad(text, random.Random(0))
    paragraphs = salad.split("\n\n")
    assert [len(probes.probe_sentences(p)) for p in paragraphs] == [3, 1]
    assert sorted(probes.probe_sentences(salad)) == sorted(probes.probe_sentences(text))


def test_merge_adds_counts_family_by_family():
    a = {"grades": 3, "stuffing_grades_raised": dict.fromkeys(stuffing_dev.FAMILIES, 1), "stuffing_total": 5,
         "sentence_salad_3_4_without_review": 2}
    merged = stuffing_dev.merge(stuffing_dev.merge(None, a), a)
    assert merged["grades"] == 6 and merged["stuffing_total"] == 10 and merged["sentence_salad_3_4_without_review"] == 4
    assert merged["stuffing_grades_raised"] == dict.fromkeys(stuffing_dev.FAMILIES, 2)
    assert a["stuffing_grades_raised"] == dict.fromkeys(stuffing_dev.FAMILIES, 1)  # merging never changes its inputs


def test_blind_texts_keep_the_record_and_draw_apart_from_the_twins(corpus_splits):
    doc = [d for d in corpus_splits["train"] if d.doc_type == "plan"][0]
    texts = stuffing_dev.blind_texts()
    assert set(texts) == set(stuffing_dev.BLIND_FAMILIES) and all(texts.values())
    variants = stuffing_dev.blind_stuffed(doc, random.Random(0), texts)
    assert set(variants) == set(stuffing_dev.BLIND_FAMILIES)
    for family, text in variants.items():
        assert doc.text in text and len(text) > len(doc.text)
        pasted = text.replace(doc.text, "").strip()
        assert pasted in {t["text"].strip() for t in texts[family]}
    # The blind texts are development texts, not the reported probes'.
    reported = {probes.GUIDANCE, probes.VOCABULARY}
    assert not reported & {t["text"] for family in texts.values() for t in family}


def test_merge_adds_blind_counts_when_both_runs_have_them():
    blind = dict.fromkeys(stuffing_dev.BLIND_FAMILIES, 2)
    a = {"grades": 3, "stuffing_grades_raised": dict.fromkeys(stuffing_dev.FAMILIES, 1), "stuffing_total": 5,
         "sentence_salad_3_4_without_review": 2, "blind_grades_raised": blind, "blind_total": 6}
    merged = stuffing_dev.merge(stuffing_dev.merge(None, a), a)
    assert merged["blind_total"] == 12 and merged["blind_grades_raised"] == dict.fromkeys(stuffing_dev.BLIND_FAMILIES, 4)
    assert a["blind_grades_raised"] == blind
