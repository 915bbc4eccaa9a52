"""Line-level reading of a document: what each physical line is (heading, list item, table row, prose).

Council documents carry much of their structure in line layout rather than punctuation, so the spaCy
components in this package share this one reading of the lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from assessqa.segment.rules import SectionRules

BULLET_RE = re.compile(
    r"^(?P<marker>[-\u2022*\u25aa\u25e6\u25cf\u00b7\u2013\u2014>]|o(?=\s)|\(?[a-hA-H]\)|\(?\d{1,2}[.)](?!\d)|\d{1,2}\.\d{1,2}\.?|[ivx]{1,4}[.)])\s+"
)
# "SECTION 4 -", "Part 2:", "4.", "2.3", "#" prefixes that come before a heading's words.
HEADING_PREFIX_RE = re.compile(
    r"^(?:#{1,6}\s*|\*\*|(?:section|part|step)\s*\d+[a-z]?\s*[-\u2013:.)]?\s*|\d{1,2}(?:\.\d{1,2})*[.)]?\s+|[A-H][.)]\s+)",
    re.IGNORECASE,
)
TABLE_SPLIT_RE = re.compile(r"\s*(?:\||\t)\s*")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")


class LineKind(str, Enum):
    BLANK = "blank"
    BOILERPLATE = "boilerplate"
    HEADING = "heading"
    TABLE_ROW = "table_row"
    LIST_ITEM = "list_item"
    TEXT = "text"


@dataclass(frozen=True)
class Line:
    """One physical line. ``start``/``end`` are character offsets of its non-blank content."""

    start: int
    end: int
    text: str
    kind: LineKind
    heading_title: str | None = None
    heading_category: str | None = None
    # For "LABEL: content" lines that start a section, where the content begins.
    content_start: int | None = None

    @property
    def cells(self) -> list[str]:
        return [c for c in TABLE_SPLIT_RE.split(self.text.strip().strip("|")) if c.strip()]


def clean_heading(text: str) -> str:
    """Strip numbering, markdown and trailing punctuation from a heading, keeping its words."""
    title = text.strip().strip("*_#").strip()
    previous = None
    while previous != title:
        previous = title
        title = HEADING_PREFIX_RE.sub("", title, count=1).strip()
    return title.rstrip(":-\u2013 ").strip().strip("*_").strip()


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _is_table_row(text: str) -> bool:
    if "|" not in text and "\t" not in text:
        return False
    return len([c for c in TABLE_SPLIT_RE.split(text.strip().strip("|")) if c.strip()]) >= 2


def _full_line_heading(text: str, rules: SectionRules) -> tuple[str, str] | None:
    stripped = text.strip()
    if not stripped or BULLET_RE.match(stripped) and not HEADING_PREFIX_RE.match(stripped):
        return None
    title = clean_heading(stripped)
    if not title or _word_count(title) == 0 or _word_count(title) > 12:
        return None
    ends_sentence = stripped.endswith(".") and not _is_all_caps(stripped)
    if ends_sentence:
        return None
    category = rules.categorise(title)
    shaped = (
        stripped.endswith((":", "?"))
        or _is_all_caps(title)
        or HEADING_PREFIX_RE.match(stripped) is not None
        or (title[0].isupper() and _word_count(title) <= 8)
    )
    if category is not None and shaped:
        if title.lower() in rules.field_labels:
            return None
        return title, category
    # Unknown headings still end the previous section when they look unmistakably like headings.
    if (_is_all_caps(title) and _word_count(title) <= 8) or (
        stripped.endswith(":") and _word_count(title) <= 6 and title.lower() not in rules.field_labels
    ):
        return title, "other"
    return None


def _inline_heading(text: str, rules: SectionRules) -> tuple[str, str, int] | None:
    """A "LABEL: content" line whose label is a known heading; returns (title, category, content offset)."""
    match = re.match(r"^(?P<label>[^:\n]{2,80}?):\s+(?=\S)", text)
    if not match:
        return None
    label = match.group("label")
    if _word_count(label) > 8 or BULLET_RE.match(label) and not HEADING_PREFIX_RE.match(label):
        return None
    title = clean_heading(label)
    if not title or title.lower() in rules.field_labels:
        return None
    category = rules.categorise(title)
    if category is None:
        return None
    return title, category, match.end()


def read_lines(text: str, rules: SectionRules) -> list[Line]:
    """Split ``text`` into classified lines, keeping character offsets into ``text``."""
    lines: list[Line] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        line_start = offset
        offset += len(raw)
        stripped = body.strip()
        if not stripped:
            lines.append(Line(line_start, line_start, "", LineKind.BLANK))
            continue
        lead = len(body) - len(body.lstrip())
        start = line_start + lead
        end = start + len(stripped)
        if rules.is_boilerplate(stripped):
            lines.append(Line(start, end, stripped, LineKind.BOILERPLATE))
        elif _is_table_row(stripped):
            lines.append(Line(start, end, stripped, LineKind.TABLE_ROW))
        elif (heading := _full_line_heading(stripped, rules)) is not None:
            lines.append(Line(start, end, stripped, LineKind.HEADING, heading[0], heading[1]))
        elif (inline := _inline_heading(stripped, rules)) is not None:
            lines.append(
                Line(start, end, stripped, LineKind.HEADING, inline[0], inline[1], content_start=start + inline[2])
            )
        elif BULLET_RE.match(stripped):
            lines.append(Line(start, end, stripped, LineKind.LIST_ITEM))
        else:
            lines.append(Line(start, end, stripped, LineKind.TEXT))
    return lines
