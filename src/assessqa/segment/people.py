"""People named in a document: children introduced with an age, and adults named after a title.

The ``assessqa_people`` component finds them once per document and keeps them on the Doc
(``doc.spans["children"]`` with ``span._.age``, ``doc.spans["adults"]``); masking names before any classifier
reads the text, per-child coverage and the suggestions all read this one list.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from assessqa.segment.extensions import register_extensions, source_text

# "Aisha (9)", "Aisha (aged 9)", "Aisha, aged 9", "Aisha, 9,", "Aisha who is 9"
_CHILD_PATTERNS = (
    re.compile(r"\b([A-Z][a-z]{2,})\s*\(\s*(?:aged?\s*)?(\d{1,2})\s*(?:yrs?|years?(?: old)?)?\s*\)"),
    re.compile(r"\b([A-Z][a-z]{2,}),?\s+(?:aged|age)\s+(\d{1,2})\b"),
    re.compile(r"\b([A-Z][a-z]{2,}),\s+(\d{1,2}),"),
    re.compile(r"\b([A-Z][a-z]{2,}),?\s+(?:who is|is)\s+(\d{1,2})(?:\s+years?(?: old)?)?\b"),
)
NOT_NAMES = frozenset(
    {"Mum", "Dad", "Mother", "Father", "School", "Police", "Section", "Page", "Date", "Age", "Nan", "Year", "Para", "Need", "Action", "The"}
)
_NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# A title and one or two names: "Ms Begum", "Ms Ilona Kovacova", "Dr. Patel".
TITLED_NAME_RE = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+({_NAME})(?: ({_NAME}))?\b")


def _child_mentions(text: str) -> dict[str, tuple[int, int, int]]:
    """Each child's age and the character range of their first introduction."""
    found: dict[str, tuple[int, int, int]] = {}
    for pattern in _CHILD_PATTERNS:
        for match in pattern.finditer(text):
            name, age = match.group(1), int(match.group(2))
            if name in NOT_NAMES or age > 18:
                continue
            if name not in found or match.start() < found[name][1]:
                found[name] = (age, match.start(1), match.end(1))
    return found


def named_children(text: str) -> list[tuple[str, int]]:
    """Children introduced with an age, in order of first mention: ``[("Aisha", 9), ("Omar", 4)]``."""
    found = _child_mentions(text)
    return [(name, age) for name, (age, _, _) in sorted(found.items(), key=lambda kv: kv[1][1])]


def adult_names(text: str) -> list[str]:
    """Names that follow a title anywhere in a document ("Ms Ilona Kovacova" gives both), so that they are
    masked wherever they appear, titled or not ("the Kovacova family")."""
    found = {name for match in TITLED_NAME_RE.finditer(text) for name in match.groups()[1:] if name}
    return sorted(found - NOT_NAMES)


_PEOPLE_KEY = "assessqa_people"


def people_of(doc: Doc) -> tuple[list[tuple[str, int]], list[str]]:
    """The children (name, age) and adult names of a Doc: as the component found them when it ran, else found now.

    The names are the matched words themselves; a span can be wider where a token runs on ("O'Driscoll" for the
    name "Driscoll"), so the spans are for users' pipelines and the masking reads these names."""
    found = doc.user_data.get(_PEOPLE_KEY)
    if found is None:
        text = source_text(doc)
        found = (named_children(text), adult_names(text))
    return found


class PeopleFinder:
    def __init__(self, nlp: Language, name: str) -> None:
        register_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = source_text(doc)
        children = []
        for name, (age, start, end) in sorted(_child_mentions(text).items(), key=lambda kv: kv[1][1]):
            span = doc.char_span(start, end, label="child", alignment_mode="expand")
            if span is not None:
                span._.age = age
                children.append(span)
        adults = []
        for match in TITLED_NAME_RE.finditer(text):
            for k in (2, 3):
                if match.group(k) and match.group(k) not in NOT_NAMES:
                    span = doc.char_span(match.start(k), match.end(k), label="adult", alignment_mode="expand")
                    if span is not None:
                        adults.append(span)
        doc.spans["children"] = children
        doc.spans["adults"] = adults
        doc.user_data[_PEOPLE_KEY] = (named_children(text), adult_names(text))
        return doc


@Language.factory("assessqa_people")
def make_people(nlp: Language, name: str) -> PeopleFinder:
    return PeopleFinder(nlp, name)
