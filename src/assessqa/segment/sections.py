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


@dataclass(frozen=True)
class SectionBounds:
    title: str
    category: str
    start: int
    end: int


def section_bounds(lines: list[Line]) -> list[SectionBounds]:
    """Each heading opens a section that runs to the last non-blank line before the next heading."""
    headings = [i for i, line in enumerate(lines) if line.kind is LineKind.HEADING]
    sections = []
    for n, i in enumerate(headings):
        stop = headings[n + 1] if n + 1 < len(headings) else len(lines)
        body = [line for line in lines[i:stop] if line.kind is not LineKind.BLANK]
        heading = lines[i]
        sections.append(
            SectionBounds(
                title=heading.heading_title or heading.text,
                category=heading.heading_category or "other",
                start=heading.start,
                end=body[-1].end,
            )
        )
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
            spans.append(span)
        doc.spans["sections"] = spans
        return doc


@Language.factory("assessqa_sections", default_config={"section_rules_path": None})
def make_sections(nlp: Language, name: str, section_rules_path: str | None) -> SectionDetector:
    return SectionDetector(nlp, name, section_rules_path)


def category_at(doc: Doc, char: int) -> str | None:
    """The category of the section holding character ``char``, or None before the first heading."""
    sections = list(doc.spans.get("sections", []))
    starts = [s.start_char for s in sections]
    i = bisect.bisect_right(starts, char) - 1
    if i < 0:
        return None
    section = sections[i]
    return section.label_ if char < section.end_char or i == len(sections) - 1 else None


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
