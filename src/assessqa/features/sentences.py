"""What the evidence tagger reads: each content sentence as a :class:`SentenceUnit`, its text with names masked,
its section and its markers, and the first words of the sentence before it. Computed before any model."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from assessqa.features.markers import mask_names, sentence_markers
from assessqa.segment import content_sentences, source_text
from assessqa.segment.people import people_of
from assessqa.segment.sections import heading_ranges


def sentence_repr(
    text: str,
    category: str | None,
    names: list[str] | None = None,
    adults: list[str] | tuple[str, ...] = (),
    others: list[str] | tuple[str, ...] = (),
) -> str:
    """What the evidence tagger reads for one sentence (names masked, markers appended)."""
    return f"{mask_names(text, names or [], adults, others)} __sec_{category or 'none'}__ " + " ".join(sentence_markers(text))


_SECTION_MARK = " __sec_"


def own_words(representation: str) -> str:
    """The sentence's own words (names masked) from what :func:`unit_reprs` or :func:`sentence_repr` made of it:
    everything before its section marker. A text without one (the tagger's buzzword negatives) is all its own."""
    end = representation.rfind(_SECTION_MARK)
    return representation if end < 0 else representation[:end]


@dataclass(frozen=True)
class SentenceUnit:
    start: int
    end: int
    text: str
    category: str | None
    names: tuple[str, ...] = ()
    adults: tuple[str, ...] = ()
    others: tuple[str, ...] = ()

    @property
    def repr(self) -> str:
        return sentence_repr(self.text, self.category, list(self.names), self.adults, self.others)


# Words of the previous sentence the evidence tagger reads as context (chosen by grouped cross-validation on
# train+dev, training/README.md): evidence often continues its neighbour ("She said it happens every night.").
CONTEXT_WORDS = 12
_WORD_RE = re.compile(r"[\w'-]+")

# A sentence of at least this many words written again, word for word, is a copy: it says nothing the first time did
# not, and counting it twice would let repetition (pasted again, or stuffed in) raise a grade. Shorter lines repeat
# honestly ("Ongoing.", "Social worker") and are kept.
COPY_MIN_WORDS = 5
_KEY_WORD_RE = re.compile(r"\w+")


def copy_key(text: str) -> str | None:
    """The words of a sentence, lower-cased and without punctuation, when it is long enough to count as a copy."""
    words = _KEY_WORD_RE.findall(text.lower())
    return " ".join(words) if len(words) >= COPY_MIN_WORDS else None


def unit_reprs(units: list[SentenceUnit]) -> list[str]:
    """What the evidence tagger reads for each sentence: its own representation, then the first words of the
    sentence before it (names masked), each prefixed ``P_`` so context never counts as the sentence's own words."""
    # Each sentence is masked once and read twice: as itself, and as the context of the sentence after it.
    masked = [mask_names(u.text, u.names, u.adults, u.others) for u in units]
    out = []
    for i, unit in enumerate(units):
        own = f"{masked[i]} __sec_{unit.category or 'none'}__ " + " ".join(sentence_markers(unit.text))
        if i == 0:
            out.append(own)
            continue
        words = _WORD_RE.findall(masked[i - 1].lower())[:CONTEXT_WORDS]
        out.append(own + "".join(f" P_{w}" for w in words))
    return out


def sentence_units(doc: Doc) -> list[SentenceUnit]:
    """Content sentences (not headings or page furniture) with stripped offsets and their section category; a
    sentence that repeats an earlier one word for word (:func:`copy_key`) is read once, where it first appears."""
    sections = [(s.start_char, s.end_char, s.label_) for s in doc.spans.get("sections", [])]
    if doc._.sentence_spans is None:  # a user's pipeline without assessqa_sentences
        spans = [(s.start_char, s.end_char) for s in content_sentences(doc)]
    else:
        skip = heading_ranges(doc)
        spans = [(a, b) for a, b in doc._.sentence_spans if not any(h0 <= a and b <= h1 + 1 for h0, h1 in skip)]
    starts = [s[0] for s in sections]
    units = []
    text = source_text(doc)
    children, adult_list, other_list = people_of(doc)
    names = tuple(name for name, _ in children)
    adults = tuple(adult_list)
    others = tuple(other_list)
    seen: set[str] = set()
    for a, b in spans:
        raw = text[a:b]
        stripped = raw.strip()
        if not stripped:
            continue
        key = copy_key(stripped)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        start = a + (len(raw) - len(raw.lstrip()))
        i = bisect.bisect_right(starts, start) - 1
        category = sections[i][2] if i >= 0 and (start < sections[i][1] or i == len(sections) - 1) else None
        units.append(SentenceUnit(start, start + len(stripped), stripped, category, names, adults, others))
    return units

