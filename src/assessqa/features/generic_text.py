"""Sentences about no one: practice guidance and lists of terms, which say nothing about this child or family.

Stuffing that raises grades is text the evidence tagger reads as strong evidence wherever it comes from: guidance
on what records should contain ("Workers should see each child alone and write down what the child says"), a list
of audit vocabulary. A record's own evidence names someone (a child, a parent, a worker, "she", "Mum", "we") or
states a fact (a date, a count). With ``ignore_generic_sentences`` the cue stage gives the sentences found here
no cue at all (:func:`assessqa.pipeline.tag_cues`), so they count for no grade and are never shown as evidence.

Each test names no one first, then one of three shapes:
- **practice stated in general**: a duty (should, must, needs to...) that is not hedged ("may need to") and does
  not open a condition ("If things do not improve..."), together with a word of recording or assessing practice;
- **a list of terms** in one sentence: at least :data:`LIST_ITEMS` items between commas, semicolons or bullets, of
  at most :data:`LIST_ITEM_WORDS` words on average;
- **a run of terms**: at least :data:`RUN_UNITS` sentences in a row of at most :data:`LIST_ITEM_WORDS` words each;
- **a passage about no one** (only with ``passages``; off in the shipped configuration): at least :data:`PASSAGE_SENTENCES` sentences in a row, none naming anyone, none
  mentioning someone the record writes about ("she", "Mum"), a digit, a condition, an action ("Parents to..."), a
  labelled need or a table row. Guidance is written in many registers (questions, instructions, "we" values,
  definitions, grade descriptors) that no single-sentence test reads; a record's own sentences rarely go three in
  a row without anchoring to someone.

Measured on train+dev before use (``training/generic_dev.py``; training/README.md, "Sentences about no one" and
"Passages about no one").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LIST_ITEMS = 6
LIST_ITEM_WORDS = 4
RUN_UNITS = 5
PASSAGE_SENTENCES = 3

_PLACEHOLDERS = ("__child__", "__person__")
_DIGIT_RE = re.compile(r"\d")
# People a record writes about, however it refers to them. "Parents", "children" and "the child" are left out:
# guidance speaks of them in general.
_WRITTEN_ABOUT = (
    r"he|she|him|his|her|hers|himself|herself|i|me|my|mum|mummy|mam|dad|daddy|mother|father|nan|nana|nanny|gran|grandma|"
    r"grandmother|grandad|grandfather|step-?dad|step-?father|step-?mum|step-?mother|partner|boyfriend|girlfriend|aunt|"
    r"auntie|uncle|cousin|baby|brother|sister|son|daughter"
)
# In a single sentence "we" and "you" are a worker and a parent too.
_SOMEONE_RE = re.compile(rf"\b(?:{_WRITTEN_ABOUT}|we|us|our|you|your)\b", re.I)
_DUTY_RE = re.compile(
    r"\b(?:should|must|ought to|needs? to|has to|have to|(?:is|are) expected to|it is (?:important|essential|vital))\b", re.I
)
_HEDGED_RE = re.compile(r"\b(?:may|might|could|would)\s+(?:need|have)\b", re.I)
_CONDITION_RE = re.compile(r"^\W*(?:if|unless|should|where|when|in the event)\b", re.I)
_PRACTICE_RE = re.compile(
    r"\b(?:record\w*|writ\w+|document\w*|note[ds]?|describ\w+|analys\w+|analyz\w+|assess\w*|consider\w*|captur\w+|"
    r"evidenc\w+|explor\w+|set out|state[ds]?|includ\w+|reflect\w*|name[ds]?|link\w*|identif\w+|ask\w*|see|seen|speak|"
    r"spoken|talk\w*|listen\w*|seek|sought|ensure|review\w*|plans?|assessments?|records?|workers?|practitioners?|"
    r"reports?|audit\w*)\b",
    re.I,
)
_LIST_SEP_RE = re.compile(r"[,;\u2022\u00b7]")
# In a passage, "we" and "you" may be the writer and the reader of guidance as well as a worker and a parent, so
# only the people a record writes about anchor a sentence there.
_WRITTEN_ABOUT_RE = re.compile(rf"\b(?:{_WRITTEN_ABOUT})\b", re.I)
# Lines a plan states without naming anyone that are still the record's own: an action ("Parents to engage..."), a
# labelled need or worry, a table row.
_ACTION_SHAPE_RE = re.compile(
    r"^\W*(?:[A-Za-z'/-]+\s){0,4}?(?<!expected )(?<!need )(?<!needs )(?<!have )(?<!has )(?<!able )(?<!want )(?<!wants )"
    r"to\s(?!the\b|a\b|an\b|their\b|them\b|this\b)[a-z]+",
    re.I,
)
_LABELLED_RE = re.compile(r"^\W*(?:needs?|outcomes?|worr(?:y|ies)|concerns?|risks?|danger statement|safety goal)\b\s*[:\-]", re.I)


def names_no_one(text: str, masked: str, shape_names: bool = True) -> bool:
    """Whether a sentence names no one of the family: no child or titled adult (``masked`` is the sentence with
    names masked), no pronoun or family word, no digit. ``shape_names``: a name found by its shape counts too (a
    list's capitalised terms are often taken for names, so lists pass False)."""
    if any(p in masked for p in _PLACEHOLDERS) or (shape_names and "__name__" in masked):
        return False
    return not _DIGIT_RE.search(text) and not _SOMEONE_RE.search(text)


def practice_in_general(text: str, masked: str) -> bool:
    return (
        names_no_one(text, masked)
        and bool(_DUTY_RE.search(text))
        and not _HEDGED_RE.search(text)
        and not _CONDITION_RE.search(text)
        and bool(_PRACTICE_RE.search(text))
    )


def list_of_terms(text: str, masked: str) -> bool:
    items = [item for item in _LIST_SEP_RE.split(text) if item.strip()]
    if len(items) < LIST_ITEMS or not names_no_one(text, masked, shape_names=False):
        return False
    return sum(len(item.split()) for item in items) / len(items) <= LIST_ITEM_WORDS


def _term(text: str, masked: str) -> bool:
    return len(text.split()) <= LIST_ITEM_WORDS and names_no_one(text, masked, shape_names=False)


def _in_passage(text: str, masked: str) -> bool:
    """Whether a sentence could belong to a passage about no one: no name of any kind, no one the record writes
    about, no digit, and not a condition, an action, a labelled need or a table row."""
    if "__" in masked or _DIGIT_RE.search(text) or _WRITTEN_ABOUT_RE.search(text) or "\t" in text or "|" in text:
        return False
    condition = bool(_CONDITION_RE.search(text)) and not text.rstrip().endswith("?")  # "Where do they feel safe?"
    return not (condition or _ACTION_SHAPE_RE.search(text) or _LABELLED_RE.search(text))


def mark_runs(out: list[bool], flags: list[bool], at_least: int) -> None:
    """Set ``out`` True over every run of at least ``at_least`` consecutive True ``flags``."""
    i = 0
    while i < len(flags):
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        if j - i >= at_least:
            out[i:j] = [True] * (j - i)
        i = max(j, i + 1)


def about_no_one(texts: Sequence[str], masked: Sequence[str], passages: bool = False) -> list[bool]:
    """For one document's sentences in order (their text and their text with names masked): which say nothing
    about this child or family. ``passages``: passages about no one too (tried leaving each writer out, and off:
    training/README.md, "Passages about no one")."""
    out = [practice_in_general(t, m) or list_of_terms(t, m) for t, m in zip(texts, masked)]
    mark_runs(out, [_term(t, m) for t, m in zip(texts, masked)], RUN_UNITS)
    if passages:
        mark_runs(out, [_in_passage(t, m) for t, m in zip(texts, masked)], PASSAGE_SENTENCES)
    return out
