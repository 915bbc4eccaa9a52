"""A line written again and again in one run, read once.

A line without a full stop pasted several times in a row reads as one long sentence, or as several action clauses
that run from one copy into the next, so the copy rules of the features (a sentence or action written again word
for word is read once) never see a copy. Before segmenting, every copy after the first in such a line is blanked
with spaces: offsets into the text stay the same, and every component reads the line once.
"""

from __future__ import annotations

import re

# A run of at least this many words, as for copies elsewhere (features.sentences.COPY_MIN_WORDS).
MIN_COPY_WORDS = 5
_WORD_RE = re.compile(r"\w+")
_TRAILING = ".,;:!?)'\"\u201d"


def first_copy_end(line: str) -> int | None:
    """Where the first copy ends in ``line``, when the line is one run of words written again and again with nothing
    between the copies but spaces or punctuation; otherwise None."""
    matches = list(_WORD_RE.finditer(line.lower()))
    words = [m.group() for m in matches]
    n = len(words)
    for size in range(MIN_COPY_WORDS, n // 2 + 1):
        if n % size == 0 and words == words[:size] * (n // size):
            end = matches[size - 1].end()
            rest = line[end:]
            return end + len(rest) - len(rest.lstrip(_TRAILING))
    return None


def blank_repeats(text: str) -> str:
    """``text`` with every copy after the first of a repeated line replaced by spaces (the same length)."""
    out = []
    for line in text.split("\n"):
        end = first_copy_end(line)
        out.append(line if end is None else line[:end] + " " * (len(line) - end))
    return "\n".join(out)
