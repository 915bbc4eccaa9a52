"""Tables laid out with spaces: a plan printed to PDF by a case system and copied back out as text.

Such a table has no "|" or tab to split on. Its columns are where the header's words start, and a cell wraps onto
the lines below it, so one row of the plan is several physical lines, each holding a piece of several cells:

    No.   What needs to happen                      Who                 By when
    3     PA to stay with Abdirahman every          Tomasz Wilk         From
          Wednesday 3:30pm-6:30pm so that Hodan                         19/03/2025
          can go to netball club.

Read line by line, the action is cut in three and its owner and date land in the middle of sentences. This module
finds such tables by their header, puts each piece in the column it starts under, and joins the lines of a row, so
that a row is read as a table row is: one action with its own owner and timescale cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assessqa.segment.lines import Line, LineKind

# Pieces of a line are runs of words one space apart; two or more spaces end a cell.
_PIECE_RE = re.compile(r"\S+(?: \S+)*")
_TRAILING_NOTE_RE = re.compile(r"\s*\([^()]*\)\s*$")
_NUMBER_HEADERS = frozenset({"no", "no.", "#", "ref", "ref.", "item"})
# How far a piece may start from its column's start, or run into the next column, and still be in its column:
# exports pad unevenly by a character or two.
_SLACK = 2
# Lines that fit no column (a page footer printed inside the table) are passed over; this many in a row end it.
_MAX_STRAY_LINES = 3
_ROW_END_RE = re.compile(r"[.!?)\"'\u201d]$")


@dataclass(frozen=True)
class AlignedRow:
    """One row of a space-aligned table: from its first line's first character to its last line's last."""

    start: int
    end: int
    fields: dict[str, str]


def _pieces(text: str, line_start: int, start: int, end: int) -> list[tuple[int, int, str]]:
    """(column, end column, words) of each piece of one physical line; columns count from the line's start."""
    return [
        (m.start() - line_start, m.end() - line_start, m.group(0))
        for m in _PIECE_RE.finditer(text, start, end)
    ]


def _header(pieces: list[tuple[int, int, str]], column_names: Mapping[str, str]) -> list[tuple[int, str]] | None:
    """The columns (start, field name) a header line names, if it names an action column and another one."""
    if len(pieces) < 3:
        return None
    names: list[str | None] = []
    for _, _, words in pieces:
        key = _TRAILING_NOTE_RE.sub("", words.strip().rstrip(":").lower()).strip()
        names.append("number" if key in _NUMBER_HEADERS else column_names.get(key))
    known = [n for n in names if n and n != "number"]
    if "action" not in known or len(known) < 2:
        return None
    return [(col, name or f"col{i}") for i, ((col, _, _), name) in enumerate(zip(pieces, names))]


def _place(pieces: list[tuple[int, int, str]], columns: list[tuple[int, str]]) -> dict[int, str] | None:
    """Each piece's column index, or None when a piece starts under no column or runs across the next one."""
    starts = [col for col, _ in columns]
    placed: dict[int, str] = {}
    for col, end, words in pieces:
        index = next((i for i, s in enumerate(starts) if abs(col - s) <= _SLACK), None)
        if index is None or index in placed:
            return None
        if index + 1 < len(starts) and end > starts[index + 1] + _SLACK:
            return None
        placed[index] = words
    return placed


def aligned_table_rows(text: str, lines: list[Line], column_names: Mapping[str, str]) -> list[AlignedRow]:
    """The rows of every space-aligned table in ``text`` whose header names an action column.

    A row starts on a line with a piece under the number column, or, in a table without one, a piece under the
    action column that begins with a capital or a digit after a row whose action ended a sentence; other lines
    continue the row above. A table ends at a heading or after :data:`_MAX_STRAY_LINES` lines in a row that fit
    no column.
    """
    rows: list[AlignedRow] = []
    columns: list[tuple[int, str]] | None = None
    current: tuple[int, int, dict[int, list[str]]] | None = None
    stray = 0

    def close() -> None:
        nonlocal current
        if current is not None and columns is not None:
            start, end, cells = current
            fields = {columns[i][1]: " ".join(parts) for i, parts in sorted(cells.items())}
            rows.append(AlignedRow(start, end, fields))
        current = None

    for line in lines:
        if line.kind is LineKind.BLANK:
            continue
        if line.kind is LineKind.TABLE_ROW:  # a table with "|" or tabs is read as such
            close()
            columns = None
            continue
        line_start = text.rfind("\n", 0, line.start) + 1
        pieces = _pieces(text, line_start, line.start, line.end)
        if (header := _header(pieces, column_names)) is not None:
            close()
            columns, stray = header, 0
            continue
        if columns is None:
            continue
        if line.kind is LineKind.BOILERPLATE:
            continue
        placed = _place(pieces, columns)
        # A heading's words under the first column alone end the table ("CONTINGENCY"); short words under a later
        # column are a wrapped cell that reads like one ("20/01. AMBER").
        heading = line.kind is LineKind.HEADING and (placed is None or set(placed) == {0})
        if placed is None or heading:
            # A page's footer and header printed inside the table ("Printed 21/01/2025 by ...") fit no column
            # and the table goes on below them; a heading, or prose going on for lines, ends it.
            stray += 1
            if heading or stray >= _MAX_STRAY_LINES:
                close()
                columns = None
            continue
        stray = 0
        names = [name for _, name in columns]
        number = names.index("number") if "number" in names else None
        action = names.index("action")
        if current is None:
            new_row = True
        elif number is not None:
            new_row = number in placed
        else:
            words = placed.get(action, "")
            previous = " ".join(current[2].get(action, []))
            new_row = bool(words) and (words[0].isupper() or words[0].isdigit()) and (
                not previous or bool(_ROW_END_RE.search(previous))
            )
        if new_row:
            close()
            current = (line.start, line.end, {i: [w] for i, w in placed.items()})
        else:
            assert current is not None
            start, _, cells = current
            for i, words in placed.items():
                cells.setdefault(i, []).append(words)
            current = (start, line.end, cells)
    close()
    return rows
