"""Where a second family's record begins, when one text holds two.

A worker who pastes another family's assessment or plan into a record (the wrong file open, a template copied with
its old text) makes a record that names two sets of people. Graded whole, the second family's analysis counts as
evidence for the first: the independent probe that appends another family's document of the same type raised grades
more than any other (training/probes.py). A text is cut where everyone named before the cut is never named after it
and the reverse, both parts long enough to be records, each naming people more than once, and one of them
introducing a person (a child with an age, or an adult with a title). Only the part before the cut is graded, and
the record says so (``review_reasons``: ``two_records``).

Where this check leaves a text whole, a second step may still cut it (the pipeline's stage 0): the coherence
check's position model marks where a text's sentences start again from where records begin
(``coherence_features.restart_windows``), and :func:`cut_between` asks less of the names there. Neither check
counts a review plan's progress statuses ("RAG: Amber", "GREEN") as people: Amber is a name, and a plan's statuses
would otherwise be people named only in its second half.

Siblings written about in turn share their parents, and a second section about one child still names the adults
around them, so a record of one family is seldom cut. The thresholds below were set on the train and dev splits
(``training/records_dev.py`` writes how many of their documents were cut, and how many pasted ones were found, to
``training/records_dev.json``). Missed: a pasted record that shares names with the one it was pasted into, two
records neither of which introduces anyone by title or age; a paragraph of another family's record pasted into the
middle of one (the first family is named on both sides).
"""

from __future__ import annotations

import re

import numpy as np

from assessqa.segment.people import masked_names

# Each part has at least this many words: shorter ends are signatures, headers or a closing paragraph.
MIN_WORDS = 120
# Each part names at least this many people (any name mentioned at least twice, all on its side).
MIN_PEOPLE = 2
# Mentions of names found on both sides, as a share of all mentions counted: a name two families share is allowed.
MAX_SHARED = 0.1
# The same share where the position model already marks a seam (cut_between): set on train+dev, each writer held out
# (training/position_seams_dev.py).
SEAM_MAX_SHARED = 0.2

_LINE_START = re.compile(r"\n")
_BLANK_BEFORE = re.compile(r"\n[ \t]*\n$")
_WORD_OR_NAME = re.compile(r"[A-Za-z]+(?:'(?!s\b)[A-Za-z]+)*")
# Progress statuses of review plans ("RAG: Amber", a line "GREEN"): words that are also names, but name no one there.
_RAG_WORDS = frozenset({"red", "amber", "green"})
_RAG_LINE = re.compile(r"\bRAG\b|^\W*(?:[A-Za-z]+\s*:\s*)?(?:red|amber|green)\W*$", re.I)


def second_record_start(text: str) -> int | None:
    """The character offset at which a second family's record begins in ``text``, or None."""
    if len(text.split()) < 2 * MIN_WORDS:
        return None
    spans = _name_spans(text, min_introduced=2)
    if spans is None:
        return None
    first, last, count, is_introduced = spans
    if len(first) < 2 * MIN_PEOPLE:
        return None
    cuts = _record_length_cuts(text, 0, len(text))
    if not len(cuts):
        return None
    # Cuts x names: which side of each cut each name lies on.
    before = last[None, :] < cuts[:, None]
    after = first[None, :] >= cuts[:, None]
    shared = ~before & ~after
    recurring = count >= 2
    n_before = (before & recurring).sum(axis=1)
    n_after = (after & recurring).sum(axis=1)
    m_before = (before & recurring) @ count
    m_after = (after & recurring) @ count
    m_shared = shared @ count
    # A part that introduces no one by age or title (a form of names only, or "Mum" and "Dad") must name one
    # recurring person more, and the other part must introduce someone.
    introduces_before = (before & is_introduced).any(axis=1)
    introduces_after = (after & is_introduced).any(axis=1)
    ok = (
        (n_before >= np.where(introduces_before, MIN_PEOPLE, MIN_PEOPLE + 1))
        & (n_after >= np.where(introduces_after, MIN_PEOPLE, MIN_PEOPLE + 1))
        & (m_shared <= MAX_SHARED * (m_before + m_after + m_shared))
        & (introduces_before | introduces_after)
    )
    if not ok.any():
        return None
    # Of the cuts that separate the two families, those with the most mentions on the thinner side; they run from
    # the first family's last mention to the second's first.
    score = np.where(ok, np.minimum(m_before, m_after) - m_shared, -np.inf)
    return _record_start(text, [int(c) for c in cuts[score == score.max()]])


def _name_spans(text: str, min_introduced: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Per person named in ``text``: where they are first and last mentioned ("Jayden's" is a mention of Jayden), how
    often, and whether they are introduced (a child with an age, an adult with a title); None when no one is named
    or fewer than ``min_introduced`` people are introduced."""
    children, adults, others = masked_names(text)
    introduced = {name.lower() for name, _ in children} | {name.lower() for name in adults}
    if len(introduced) < min_introduced:
        return None
    wanted = introduced | {name.lower() for name in others}
    positions: dict[str, list[int]] = {}
    for match in _WORD_OR_NAME.finditer(text):
        key = match.group().lower()
        if key in wanted and not (key in _RAG_WORDS and (match.group().isupper() or _is_rag_line(text, match.start()))):
            positions.setdefault(key, []).append(match.start())
    spans = [(found[0], found[-1], len(found), name in introduced) for name, found in positions.items()]
    if not spans:
        return None
    return tuple(np.array(column) for column in zip(*spans))  # type: ignore[return-value]


def _record_length_cuts(text: str, lo: int, hi: int) -> np.ndarray:
    """The starts of lines broken between characters ``lo`` and ``hi`` (inclusive), with at least
    :data:`MIN_WORDS` words on each side: both parts long enough to be a record."""
    # Words on each line, counted once: a cut falls at a line start, so the words before it are the lines' before.
    per_line = [len(line.split()) for line in text.split("\n")]
    total = sum(per_line)
    starts = np.array([m.end() for m in _LINE_START.finditer(text)], dtype=int)
    words_before = np.cumsum(per_line)[:-1]  # before the start of line 2, 3, ...: one per line break
    keep = (starts > lo) & (starts <= hi + 1) & (words_before >= MIN_WORDS) & (total - words_before >= MIN_WORDS)
    return starts[keep]


def _is_rag_line(text: str, at: int) -> bool:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return bool(_RAG_LINE.search(text[start : len(text) if end < 0 else end]))


def cut_between(text: str, lo: int, hi: int, max_shared: float = SEAM_MAX_SHARED) -> int | None:
    """Where, between characters ``lo`` and ``hi``, a second family's record begins: the line start that best
    separates the people named before it from those named after, if someone mentioned more than once is named only
    before it, someone else only after it, and mentions of people named on both sides are at most ``max_shared`` of
    all mentions, and each part holds at least :data:`MIN_WORDS` words. A weaker test of names than
    :func:`second_record_start`'s, for a stretch that something else (the coherence check's position model, where a
    text's places start again) already marks as a likely seam."""
    spans = _name_spans(text)
    if spans is None:
        return None
    first, last, count, _ = spans
    # As for the first check, each part is long enough to be a record: headings or guidance appended after a record
    # make its places start again near the end, and a change of names in its closing lines must not cut it there.
    cuts = _record_length_cuts(text, lo, hi)
    if not len(cuts):
        return None
    before = last[None, :] < cuts[:, None]
    after = first[None, :] >= cuts[:, None]
    recurring = count >= 2
    m_before = before @ count
    m_after = after @ count
    m_shared = (~before & ~after) @ count
    ok = ((before & recurring).any(axis=1) & (after & recurring).any(axis=1)
          & (m_shared <= max_shared * (m_before + m_after + m_shared)))
    if not ok.any():
        return None
    score = np.where(ok, np.minimum(m_before, m_after) - m_shared, -np.inf)
    return _record_start(text, [int(c) for c in cuts[score == score.max()]])


def _record_start(text: str, tied: list[int]) -> int:
    """Among cuts that separate the families equally well, where the second record most likely begins: the last
    paragraph start (the first record keeps its closing lines), moved back over the headings just before it (the
    second record's title)."""
    paragraphs = [c for c in tied if _BLANK_BEFORE.search(text[max(0, c - 16) : c])]
    if not paragraphs:
        return tied[-1]
    k = len(paragraphs) - 1
    while k > 0 and _is_heading(text[paragraphs[k - 1] : paragraphs[k]]):
        k -= 1
    return paragraphs[k]


def _is_heading(block: str) -> bool:
    stripped = block.strip()
    return bool(stripped) and len(stripped.split()) <= 10 and "\n" not in stripped and stripped[-1] not in ".!?"


__all__ = ["cut_between", "second_record_start"]
