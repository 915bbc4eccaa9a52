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
- **a run of terms**: at least :data:`RUN_UNITS` sentences in a row of at most :data:`LIST_ITEM_WORDS` words each.

Measured on train+dev before use (training/README.md, "Sentences about no one"): of 3,718 sentences annotated as
evidence, the three tests take one ("Parents need to engage with the plan.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LIST_ITEMS = 6
LIST_ITEM_WORDS = 4
RUN_UNITS = 5

_PLACEHOLDERS = ("__child__", "__person__")
_DIGIT_RE = re.compile(r"\d")
# People of this family, however a record refers to them. "Parents", "children" and "the child" are left out:
# guidance speaks of them in general.
_SOMEONE_RE = re.compile(
    r"\b(?:he|she|him|his|her|hers|himself|herself|i|me|my|we|us|our|you|your|mum|mummy|mam|dad|daddy|mother|father|"
    r"nan|nana|nanny|gran|grandma|grandmother|grandad|grandfather|step-?dad|step-?father|step-?mum|step-?mother|partner|"
    r"boyfriend|girlfriend|aunt|auntie|uncle|cousin|baby|brother|sister|son|daughter)\b",
    re.I,
)
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


def about_no_one(texts: Sequence[str], masked: Sequence[str]) -> list[bool]:
    """For one document's sentences in order (their text and their text with names masked): which say nothing
    about this child or family."""
    out = [practice_in_general(t, m) or list_of_terms(t, m) for t, m in zip(texts, masked)]
    terms = [_term(t, m) for t, m in zip(texts, masked)]
    i = 0
    while i < len(terms):
        j = i
        while j < len(terms) and terms[j]:
            j += 1
        if j - i >= RUN_UNITS:
            out[i:j] = [True] * (j - i)
        i = max(j, i + 1)
    return out
