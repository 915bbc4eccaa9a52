"""Sections from the headings English councils use, mapped to a small category vocabulary.

Results go to ``doc.spans["sections"]``: one span per section, from its heading to the end of its content,
labelled with the category; ``span._.section_title`` holds the heading's words.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from assessqa.segment.extensions import ensure_lines, register_extensions
from assessqa.segment.lines import Line, LineKind
from assessqa.segment.rules import load_section_rules


# Headings in a row with nothing under them, at least this many counting the one whose content follows: none of
# them can be trusted to say what that content is. A council template puts a part heading over a subheading (two in
# a row, 56 times in train+dev); three or more in a row occur once there (a title block), while a template's empty
# headings pasted in front of a record make the record's text read as the last pasted heading's section.
HEADING_RUN = 3


@dataclass(frozen=True)
class SectionBounds:
    title: str
    category: str
    start: int
    end: int
    # False where the heading closes a run of HEADING_RUN or more: its content is read as if under no heading.
    placed: bool = True


def section_bounds(lines: list[Line]) -> list[SectionBounds]:
    """Each heading opens a section that runs to the last non-blank line before the next heading."""
    headings = [i for i, line in enumerate(lines) if line.kind is LineKind.HEADING]
    sections = []
    run = 0  # empty headings just before this one
    for n, i in enumerate(headings):
        stop = headings[n + 1] if n + 1 < len(headings) else len(lines)
        body = [line for line in lines[i:stop] if line.kind is not LineKind.BLANK]
        heading = lines[i]
        empty = heading.content_start is None and all(line.kind is LineKind.BOILERPLATE for line in body[1:])
        sections.append(
            SectionBounds(
                title=heading.heading_title or heading.text,
                category=heading.heading_category or "other",
                start=heading.start,
                end=body[-1].end,
                placed=empty or run + 1 < HEADING_RUN,
            )
        )
        run = run + 1 if empty else 0
    return sections


class SectionDetector:
    def __init__(self, nlp: Language, name: str, section_rules_path: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.rules = load_section_rules(Path(section_rules_path) if section_rules_path else None)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for bounds in section_bounds(ensure_lines(doc, self.rules)):
            span = doc.char_span(bounds.start, bounds.end, label=bounds.category, alignment_mode="expand")
            if span is None:
                continue
            span._.section_title = bounds.title
            span._.section_placed = bounds.placed
            spans.append(span)
        doc.spans["sections"] = spans
        return doc


@Language.factory("assessqa_sections", default_config={"section_rules_path": None})
def make_sections(nlp: Language, name: str, section_rules_path: str | None) -> SectionDetector:
    return SectionDetector(nlp, name, section_rules_path)


def section_category(span: Span) -> str | None:
    """What a section's content is read as: its heading's category, or None where the heading closes a run of
    empty headings (:data:`HEADING_RUN`), as for text before the first heading."""
    return span.label_ if span._.section_placed else None


def category_at(doc: Doc, char: int) -> str | None:
    """The category of the section holding character ``char`` (:func:`section_category`), or None before the
    first heading."""
    sections = list(doc.spans.get("sections", []))
    starts = [s.start_char for s in sections]
    i = bisect.bisect_right(starts, char) - 1
    if i < 0:
        return None
    section = sections[i]
    return section_category(section) if char < section.end_char or i == len(sections) - 1 else None


def heading_ranges(doc: Doc) -> list[tuple[int, int]]:
    """Character ranges of heading text (not the content of inline "LABEL: content" lines)."""
    ranges = []
    for line in ensure_lines(doc):
        if line.kind is LineKind.HEADING:
            ranges.append((line.start, line.content_start if line.content_start is not None else line.end))
        elif line.kind is LineKind.BOILERPLATE:
            ranges.append((line.start, line.end))
    return ranges


def content_sentences(doc: Doc) -> list[Span]:
    """Sentences that are not headings or page boilerplate: the text the models read."""
    ranges = heading_ranges(doc)
    starts = [r[0] for r in ranges]
    kept = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not text:
            continue
        first = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        last = first + len(text)
        i = bisect.bisect_right(starts, first) - 1
        if i >= 0 and ranges[i][0] <= first < ranges[i][1] and last <= ranges[i][1] + 1:
            continue
        kept.append(sent)
    return kept
