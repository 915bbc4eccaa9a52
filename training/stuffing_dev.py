"""Stuffing and salad probes for choosing models, run on each held-out writer of a leave-one-writer-out run
(``training/style_cv.py --probes``).

The reported probes (``training/probes.py``, on the test and external splits) must stay a measurement, so no
choice may be made on them. These are their development twins: the same five stuffing families and a sentence
salad, written afresh (other headings, another vocabulary list, other guidance text, another sentence repeated,
another way of shuffling), applied to documents the fold's model never saw. A defence chosen on them is then
measured on texts it was not chosen on. None of these texts is used in training.

Beside them, the texts a blind writer wrote for development (``training/dev_stuffing/``: guidance in many registers,
vocabulary lists, sets of empty headings): one of each, drawn at random, put before or after every held-out
document, counted apart (``blind_grades_raised``) so that ``stuffing_total`` stays comparable with earlier runs. The
twins' guidance is one engineer's text, which the 0.4.10 tests stop; the blind guidance is what they do not
(training/README.md, "General text in runs").

    from stuffing_dev import probe_documents
    counts = probe_documents(scorer, held_out_docs, seed=0)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from assessqa.schemas import AnnotatedDocument, InputDocument
from assessqa.scoring import Scorer
from probes import probe_sentences  # training/probes.py: the same sentences, other texts

FAMILIES = ("empty_headings", "vocabulary_list", "guidance_pasted", "sentence_repeated", "other_family_pasted")
BLIND_FAMILIES = ("blind_guidance", "blind_vocabulary", "blind_headings")
BLIND_DIR = Path(__file__).resolve().parent / "dev_stuffing"

HEADINGS = {
    "assessment": ["What life is like for the child", "The child's wishes and feelings", "Risk and impact analysis",
                   "Family background and history", "What is working well"],
    "plan": ["Actions (SMART)", "Outcomes for the child", "If things do not change", "Who will do what, by when"],
}
VOCABULARY = (
    "Audit keywords - voice of the child, a day in the life, wishes, routines, harm, impact, risk analysis, "
    "likelihood, severity, genogram, family history, adverse childhood experiences, SMART, owner, deadline, review, "
    "escalation, contingency, outcomes for the child."
)
GUIDANCE = (
    "Quality standard. Workers should see each child alone and write down what the child says in the child's own "
    "words. Every risk needs to be analysed: what has happened, how often, and what it means for the child now and in "
    "the future. Parents' own childhoods and past involvement with services should be recorded and linked to current "
    "concerns. Plans should name who will do each task and by what date, how progress will be measured, and what "
    "will happen if the plan does not work, with the child's needs at the centre."
)


def stuffed(doc: AnnotatedDocument, donor: AnnotatedDocument) -> dict[str, str]:
    sentences = probe_sentences(doc.text) or [doc.text.strip()]
    by_length = sorted(sentences, key=len, reverse=True)
    repeated = by_length[1] if len(by_length) > 1 else by_length[0]
    return {
        "empty_headings": "\n".join(f"{h}\n" for h in HEADINGS[doc.doc_type]) + "\n" + doc.text,
        "vocabulary_list": doc.text + "\n" + VOCABULARY,
        "guidance_pasted": GUIDANCE + "\n\n" + doc.text,
        "sentence_repeated": doc.text + "\n\n" + " ".join([repeated] * 4),
        "other_family_pasted": doc.text + "\n\n" + donor.text,
    }


def blind_texts() -> dict[str, list[dict]]:
    """The blind writer's development texts by family (``{"text", "doc_type"?}`` items)."""
    return {f"blind_{name}": json.loads((BLIND_DIR / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("guidance", "vocabulary", "headings")}


def blind_stuffed(doc: AnnotatedDocument, rng: random.Random, texts: dict[str, list[dict]]) -> dict[str, str]:
    """One text of each blind family for the document's type, before or after it at random."""
    out = {}
    for family in BLIND_FAMILIES:
        items = [t for t in texts[family] if t.get("doc_type", doc.doc_type) == doc.doc_type]
        if not items:
            continue
        text = rng.choice(items)["text"]
        out[family] = text + "\n\n" + doc.text if rng.random() < 0.5 else doc.text + "\n\n" + text + "\n"
    return out


def sentence_salad(text: str, rng: random.Random) -> str:
    """The document's sentences shuffled and set three to a paragraph."""
    sentences = probe_sentences(text)
    rng.shuffle(sentences)
    return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


def _grades(scorer: Scorer, texts: list[str], doc_types: list[str]) -> list[dict[str, tuple[int, bool]]]:
    records = scorer.score_batch([InputDocument(text=t, doc_type=d) for t, d in zip(texts, doc_types)])
    return [{d: (r.grade, r.needs_review) for d, r in rec.dimensions.items() if r is not None} for rec in records]


def probe_documents(scorer: Scorer, docs: list[AnnotatedDocument], seed: int = 0) -> dict:
    """Grades raised by each stuffing family and sentence salads graded 3-4 without review, over ``docs``. The
    pasted family is another document of the same type from ``docs`` about another family (none: not probed)."""
    rng = random.Random(seed)
    # Its own generator, so that the twins' draws (and counts) are those of runs made before the blind texts.
    blind_rng, blind = random.Random(seed + 1000), blind_texts()
    base = _grades(scorer, [d.text for d in docs], [d.doc_type for d in docs])
    raised = dict.fromkeys(FAMILIES, 0)
    blind_raised = dict.fromkeys(BLIND_FAMILIES, 0)
    salad_high = grades = 0
    for doc, own in zip(docs, base):
        grades += len(own)
        donors = [d for d in docs if d.doc_type == doc.doc_type and d.family_group != doc.family_group]
        texts = stuffed(doc, rng.choice(donors)) if donors else {}
        names = [f for f in FAMILIES if f in texts]
        results = _grades(scorer, [texts[f] for f in names] + [sentence_salad(doc.text, rng)], [doc.doc_type] * (len(names) + 1))
        for family, got in zip(names, results):
            raised[family] += sum(got[d][0] > own[d][0] for d in own)
        salad_high += sum(g >= 3 and not review for g, review in results[-1].values())
        extra = blind_stuffed(doc, blind_rng, blind)
        for family, got in zip(extra, _grades(scorer, list(extra.values()), [doc.doc_type] * len(extra))):
            blind_raised[family] += sum(got[d][0] > own[d][0] for d in own)
    return {"grades": grades, "stuffing_grades_raised": raised, "stuffing_total": sum(raised.values()),
            "sentence_salad_3_4_without_review": salad_high,
            "blind_grades_raised": blind_raised, "blind_total": sum(blind_raised.values())}


def merge(a: dict | None, b: dict) -> dict:
    if a is None:
        return {**b, "stuffing_grades_raised": dict(b["stuffing_grades_raised"]),
                **({"blind_grades_raised": dict(b["blind_grades_raised"])} if "blind_grades_raised" in b else {})}
    blind = {}
    if "blind_grades_raised" in a and "blind_grades_raised" in b:
        blind = {"blind_grades_raised": {f: a["blind_grades_raised"][f] + b["blind_grades_raised"][f] for f in BLIND_FAMILIES},
                 "blind_total": a["blind_total"] + b["blind_total"]}
    return {
        **blind,
        "grades": a["grades"] + b["grades"],
        "stuffing_grades_raised": {f: a["stuffing_grades_raised"][f] + b["stuffing_grades_raised"][f] for f in FAMILIES},
        "stuffing_total": a["stuffing_total"] + b["stuffing_total"],
        "sentence_salad_3_4_without_review": a["sentence_salad_3_4_without_review"] + b["sentence_salad_3_4_without_review"],
    }
