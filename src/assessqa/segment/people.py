"""People named in a document: children introduced with an age, adults named after a title, and every other name.

The ``assessqa_people`` component finds them once per document and keeps them on the Doc
(``doc.spans["children"]`` with ``span._.age``, ``doc.spans["adults"]``); masking names before any classifier
reads the text, per-child coverage and the suggestions all read this one list.

"Every other name" is found by shape and a word list, not a list of names: a word with a capital initial whose
lower-case form the training documents never use as a word ("Keira", "Okafor", "Leeds"), and a word in capitals
that is neither such a word nor a known acronym ("WILSON" in a header). So a name is masked whatever background it
comes from, whether or not it was ever seen (the list: segment/resources/lowercase_words.json, built by
training/build_wordlist.py).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from assessqa.segment.extensions import register_extensions, source_text

# One part of a surname or name as English records write them: "Thompson", "O'Driscoll", "McDonald", "D'Souza", and
# in the capitals of system exports ("O'NEILL").
_PART = r"[A-Z](?:'[A-Z])?(?:[A-Za-z]*[a-z]|[A-Z]+)"
# "Riley Thompson (7)", "Keira O'Driscoll-Hughes (7)": the given name is the child's name; the surname is masked with
# the other names.
_CHILD_WITH_SURNAME = re.compile(
    rf"\b([A-Z][a-z]{{2,}})\s+({_PART}(?:-{_PART})?)\s*\(\s*(?:aged?\s*)?(\d{{1,2}})\s*(?:yrs?|years?(?: old)?)?\s*\)"
)
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
_NAME = rf"{_PART}(?:-{_PART})?"
# A title and one or two names: "Ms Begum", "Ms Ilona Kovacova", "Dr. Patel".
TITLED_NAME_RE = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+({_NAME})(?: ({_NAME}))?\b")


# Words with a capital initial that are not names, though the training documents never write them in lower case.
_NOT_NAMES_BY_SHAPE = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Mr Mrs Ms Miss Dr".split()
)
# Status words of progress notes, kept in capitals even where a child shares the name.
_KEEP_CAPITALS = frozenset({"RED", "AMBER", "GREEN"})
# A name's Irish or French prefix is part of it ("O'Driscoll", "O'DRISCOLL", "D'Souza"): found whole, masked whole.
_TITLE_CASE = re.compile(r"\b(?:[A-Z]')?[A-Z][A-Za-z]*[a-z][A-Za-z]*\b")
_CAPITALS = re.compile(r"\b(?:[A-Z]')?[A-Z]{2,}\b")


@lru_cache(maxsize=1)
def _wordlist() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads((Path(__file__).parent / "resources" / "lowercase_words.json").read_text(encoding="utf-8"))
    return frozenset(data["words"]), frozenset(data["acronyms"])


# As large as _masked_names' cache: a scoring batch asks about each of its texts in turn, more than once.
@lru_cache(maxsize=128)
def _child_mentions(text: str) -> dict[str, tuple[int, int, int]]:
    """Each child's age and the character range of their first introduction (read-only: the result is cached,
    since the component, the masker and two grade features each ask about the same text in turn)."""
    words, _ = _wordlist()
    found: dict[str, tuple[int, int, int]] = {}
    surnames: list[tuple[int, int]] = []
    for match in _CHILD_WITH_SURNAME.finditer(text):
        # "Child Riley (7)" is not a child called Child with the surname Riley.
        if match.group(1).lower() in words or match.group(1) in NOT_NAMES:
            continue
        surnames.append(match.span(2))
        name, age = match.group(1), int(match.group(3))
        if age <= 18 and (name not in found or match.start() < found[name][1]):
            found[name] = (age, match.start(1), match.end(1))
    for pattern in _CHILD_PATTERNS:
        for match in pattern.finditer(text):
            name, age = match.group(1), int(match.group(2))
            # Nor is the end of a surname ("Driscoll" of "O'Driscoll (7)") a child's name.
            if name in NOT_NAMES or age > 18 or any(a <= match.start(1) < b for a, b in surnames):
                continue
            if name not in found or match.start() < found[name][1]:
                found[name] = (age, match.start(1), match.end(1))
    return found


def other_names(text: str, known: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Names found by shape and the word list (see the module's note), other than ``known`` ones."""
    words, acronyms = _wordlist()
    found = {w for w in _TITLE_CASE.findall(text) if w.lower() not in words and w not in NOT_NAMES and w not in _NOT_NAMES_BY_SHAPE}
    found |= {
        w for w in _CAPITALS.findall(text)
        if w.lower() not in words and w not in acronyms and w not in _KEEP_CAPITALS and w.capitalize() not in NOT_NAMES
    }
    return sorted(found - set(known))


def named_children(text: str) -> list[tuple[str, int]]:
    """Children introduced with an age, in order of first mention: ``[("Aisha", 9), ("Omar", 4)]``."""
    found = _child_mentions(text)
    return [(name, age) for name, (age, _, _) in sorted(found.items(), key=lambda kv: kv[1][1])]


def adult_names(text: str) -> list[str]:
    """Names that follow a title anywhere in a document ("Ms Ilona Kovacova" gives both), so that they are
    masked wherever they appear, titled or not ("the Kovacova family")."""
    found = {name for match in TITLED_NAME_RE.finditer(text) for name in match.groups()[1:] if name}
    return sorted(found - NOT_NAMES)


def masked_names(text: str) -> tuple[list[tuple[str, int]], list[str], list[str]]:
    """The children (name, age), the titled adults, and every other name found by shape: three kinds of name the
    masker gives three placeholders, since who a sentence is about (a child, a professional or parent addressed by
    title, anyone else) matters to the grades even when the name itself must not."""
    children, adults, others = _masked_names(text)
    return list(children), list(adults), list(others)


# Large enough for a scoring batch: the two-records check (segment.records) asks for every text of a batch before
# the people component asks again for each.
@lru_cache(maxsize=128)
def _masked_names(text: str) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...], tuple[str, ...]]:
    children = named_children(text)
    adults = adult_names(text)
    return tuple(children), tuple(adults), tuple(other_names(text, {name for name, _ in children} | set(adults)))


_PEOPLE_KEY = "assessqa_people"


def people_of(doc: Doc) -> tuple[list[tuple[str, int]], list[str], list[str]]:
    """The children (name, age), titled adults and other names found by shape of a Doc (:func:`masked_names`):
    as the component found them when it ran, else found now.

    The names are the matched words themselves; a span can be wider where a token runs on ("O'Driscoll" for the
    name "Driscoll"), so the spans are for users' pipelines and the masking reads these names."""
    found = doc.user_data.get(_PEOPLE_KEY)
    if found is None:
        text = source_text(doc)
        found = masked_names(text)
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
        doc.user_data[_PEOPLE_KEY] = masked_names(text)
        return doc


@Language.factory("assessqa_people")
def make_people(nlp: Language, name: str) -> PeopleFinder:
    return PeopleFinder(nlp, name)
