"""Sentence boundaries that respect line breaks, bullets, table rows and practitioners' abbreviations."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from assessqa.segment.extensions import ensure_lines, register_extensions, source_text
from assessqa.segment.lines import BULLET_RE, Line, LineKind
from assessqa.segment.rules import load_abbreviations, load_section_rules

# A full stop, question or exclamation mark, optional closing quotes/brackets, then space and a capital,
# digit or opening quote: the candidate end of a sentence.
_BOUNDARY_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_FINAL_PUNCT = (".", "!", "?", ":", ";", '"', "\u201d")


def _previous_word(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _split_block(text: str, start: int, end: int, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    spans = []
    cursor = start
    marker = BULLET_RE.match(text[start:end])
    marker_end = start + marker.end() if marker else start
    for match in _BOUNDARY_RE.finditer(text, start, end):
        if match.start() < marker_end:
            continue  # the full stop of "1." or "2.3" numbering
        word = _previous_word(text, match.start()).strip("\"'(\u201c\u2018").lower()
        # "Mr.", "e.g.", initials like "J." do not end a sentence.
        if word in abbreviations or (len(word) == 1 and word.isalpha()):
            continue
        spans.append((cursor, match.start() + len(match.group(0).rstrip())))  # keep closing quotes/brackets
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _blocks(lines: list[Line]) -> list[tuple[int, int]]:
    """Group physical lines into blocks that may hold several sentences but never cross a layout break."""
    blocks: list[list[int]] = []
    previous: Line | None = None
    for line in lines:
        if line.kind is LineKind.BLANK:
            previous = None
            continue
        continues = (
            previous is not None
            and line.kind is LineKind.TEXT
            and previous.kind in (LineKind.TEXT, LineKind.LIST_ITEM)
            and not previous.text.endswith(_FINAL_PUNCT)
            and line.text[:1].islower()
        )
        if line.kind is LineKind.HEADING and line.content_start is not None:
            blocks.append([line.start, line.content_start])
            blocks.append([line.content_start, line.end])
        elif continues:
            blocks[-1][1] = line.end
        else:
            blocks.append([line.start, line.end])
        previous = line
    return [(s, e) for s, e in blocks]


def sentence_spans(text: str, lines: list[Line], abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of sentences: blocks from the layout, then punctuation inside prose blocks.

    Example: ``"Risks:\\n- Dad drinks. Mum works nights.\\n"`` gives the heading, then two sentences.
    """
    kinds = {line.start: line.kind for line in lines}
    spans: list[tuple[int, int]] = []
    for start, end in _blocks(lines):
        if kinds.get(start) in (LineKind.TABLE_ROW, LineKind.BOILERPLATE):
            spans.append((start, end))
        else:
            spans.extend(_split_block(text, start, end, abbreviations))
    return spans


# spaCy's -1 ("not a sentence start") as the uint64 Doc.from_array expects.
_NOT_A_START = np.uint64(2**64 - 1)


class LineSentencizer:
    """Sets ``token.is_sent_start`` from :func:`sentence_spans`; replaces spaCy's punctuation sentencizer."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        abbreviations_path: str | None = None,
        section_rules_path: str | None = None,
    ) -> None:
        register_extensions()
        self.name = name
        self.abbreviations = load_abbreviations(Path(abbreviations_path) if abbreviations_path else None)
        self.rules = load_section_rules(Path(section_rules_path) if section_rules_path else None)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        lines = ensure_lines(doc, self.rules)
        spans = sentence_spans(source_text(doc), lines, self.abbreviations)
        # Kept as character offsets too: reading them back through doc.sents builds a Token per token.
        doc._.sentence_spans = spans
        starts = [s for s, _ in spans]
        token_starts = doc.to_array(IDX).tolist()
        first_tokens = {0}
        for start in starts:
            i = bisect.bisect_left(token_starts, start)
            if i < len(doc):
                first_tokens.add(i)
        # Written as one array: only the first token of each sentence is marked (spaCy reads an unset boundary as
        # "not a sentence start"), and setting Token.is_sent_start one token at a time re-checks the whole Doc
        # for a parse on every call.
        marks = np.zeros(len(doc), dtype=np.uint64)
        marks[sorted(first_tokens)] = 1
        if len(doc) > 1 and 1 not in first_tokens:
            marks[1] = _NOT_A_START  # marks the doc as sentence-annotated even when it is one sentence
        doc.from_array([SENT_START], marks)
        return doc


@Language.factory(
    "assessqa_sentences", default_config={"abbreviations_path": None, "section_rules_path": None}
)
def make_sentences(
    nlp: Language, name: str, abbreviations_path: str | None, section_rules_path: str | None
) -> LineSentencizer:
    return LineSentencizer(nlp, name, abbreviations_path, section_rules_path)
