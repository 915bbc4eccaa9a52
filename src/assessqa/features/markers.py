"""Marker tokens read from the raw text of a sentence or action (a quotation, an age, a date, a vague verb), and
the masking of names: the first thing every text representation goes through, before any model."""

from __future__ import annotations

import re
from functools import lru_cache

from dateutil import parser as date_parser

from assessqa.segment.people import TITLED_NAME_RE, named_children

# A single quote opens a quotation only where no letter stands before it: "Mum's partner doesn't" and "Ms O'Neill"
# hold apostrophes, not quotes (features version 15; before it, one sentence in 80 of the corpus read as a quote).
_QUOTE_RE = re.compile(r"[\"\u201c\u201d]|(?<![A-Za-z])'[A-Z][^']{3,}'|\bsaid\b|\btold (me|us|the)\b|\bsays\b", re.I)
_AGE_RE = re.compile(r"\(\s*\d{1,2}\s*(?:yrs?|years?|months?|mths?)?\s*\)|\baged? \d{1,2}\b|\b\d{1,2}[- ]year[- ]old\b", re.I)
_YEAR_RE = re.compile(r"\b(?:19[5-9]\d|20[0-3]\d)\b")
_FIRST_PERSON_RE = re.compile(r"\b(?:I|me|my|we|us|our)\b")
_DATE_RE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+20\d\d\b",
    re.I,
)
_FREQUENCY_RE = re.compile(
    r"\b(?:daily|weekly|fortnightly|monthly|every (?:day|week|fortnight|month|morning|evening|night|\w+ (?:days|weeks|months))|"
    r"each (?:day|week|visit|core group|review|morning)|once a (?:week|month|day)|twice (?:a|per) (?:week|month|day)|"
    r"(?:at|before) (?:each|every|the next) (?:core group|review|visit|meeting|cin|conference)|per (?:week|month)|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days)\b",
    re.I,
)
_DEADLINE_RE = re.compile(
    r"\b(?:by|before|within|no later than|until|from)\s+(?:the\s+)?(?:\d|next|end|\w+day|\w+ weeks?|\w+ days?|\w+ months?|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.I,
)
_VAGUE_TIME_RE = re.compile(r"\b(?:ongoing|asap|as soon as possible|as required|as needed|when possible|in due course|tbc|from now on|going forward|at all times|throughout)\b", re.I)
_VAGUE_VERB_RE = re.compile(
    r"\b(?:engage|engaging|support|supporting|work(?:ing)? with|address|continue to|monitor|improve|be aware|consider|"
    r"look (?:at|into)|try to|be open|cooperate|co-operate|work together|share information|keep in touch|liaise)\b",
    re.I,
)
_MEASURE_RE = re.compile(
    r"\b(?:\d+\s?%|per ?cent|test|tests|hair[- ]strand|score|scores|certificate|attendance|record(?:ed|s)?|checked|"
    r"evidence(?:d)?|report|reports|log|diary|weigh(?:ed|t|-in)?|centile|results?|sign(?:ed)?|confirm(?:ed|ation)?|"
    r"graded care profile|gcp|outcome star|scaling|completed?|letter|written|copy|minutes|screen|breathalys\w+|"
    r"visits? (?:recorded|seen)|seen alone|no (?:further )?(?:incidents|missed)|without (?:missing|a missed))\b",
    re.I,
)
_UNREALISTIC_RE = re.compile(
    r"\b(?:within (?:a|one|1|two|2|three|3) (?:day|days|week)|immediately|never|at all times|100\s?%|all (?:debts|courses)|"
    r"three (?:courses|programmes)|(?:stop|abstain|give up|cease)\w* (?:drinking|using|alcohol|drugs|smoking)|"
    r"completely|overnight|by tomorrow|in a fortnight|every single|always)\b",
    re.I,
)
_PURPOSE_RE = re.compile(r"\b(?:to (?:check|see|make sure|ensure|help|understand|assess|keep|reduce|find out|talk|hear)|so that|in order to|so (?:he|she|they|we|mum|dad|the)|because|which will)\b", re.I)
_PROCESS_RE = re.compile(r"\b(?:core group|cin meeting|review|meeting|visit|conference|strategy|case to be|network meeting|be held|to meet|statutory)\b", re.I)
_CONDITIONAL_RE = re.compile(r"^\s*(?:if|should|where|in the event)\b", re.I)
_OUTCOME_RE = re.compile(r"\b(?:will (?:feel|be|have|know|get|go|sleep|eat|attend|grow|stay|keep|say)|feels?|wants?|able to|so that (?:he|she|they)|will not (?:have|be|see|hear))\b", re.I)
_PAST_RE = re.compile(r"\b(?:has|have|had|was|were)\s+(?:been|attended|completed|started|not|now|made|seen|had)\b|\b\w+ed (?:on|in) \d", re.I)
_NEED_WORDS_RE = re.compile(r"\b(?:worr\w+|concern\w*|danger|risk|needs? to (?:be|improve|show|understand)|exposed|not (?:being|safe))\b", re.I)


_DOMAIN_RE = re.compile(
    r"\b(?:child(?:ren)?|baby|babies|son|daughter|parents?|mum|mother|dad|father|carers?|family|families|school|nursery|"
    r"social worker|sw|safeguarding|assessment|plan|risk|harm|neglect|abuse|care|health visitor|gp|police|home|visit\w*|"
    r"siblings?|brother|sister|nan|grandm\w+|foster|conference|core group|referral)\b",
    re.IGNORECASE,
)


def lower_case_only(pattern: re.Pattern[str]) -> bool:
    """Whether a pattern is case-blind and names no capital letter (escapes such as \\b or \\S aside)."""
    return bool(pattern.flags & re.IGNORECASE) and not re.search(r"(?<!\\)[A-Z]", pattern.pattern.replace("\\\\", ""))


class Marker:
    """A marker token and the pattern that sets it: searched for, or matched at the start (``anchored``); a
    case-blind pattern in lower case is matched through :class:`Caseless`."""

    def __init__(self, name: str, pattern: re.Pattern[str], anchored: bool = False) -> None:
        self.name, self.pattern, self.anchored = name, pattern, anchored
        self._caseless = Caseless(pattern) if not anchored and lower_case_only(pattern) else None

    def hit(self, text: str, lowered: str | None) -> bool:
        """``lowered``: ``text.lower()`` when the text is ASCII, else None (see :meth:`Caseless.found_in`)."""
        if self._caseless is not None:
            return self._caseless.found_in(text, lowered)
        return bool(self.pattern.match(text) if self.anchored else self.pattern.search(text))


def lowered_ascii(text: str) -> str | None:
    """What :meth:`Marker.hit` and :meth:`Caseless.found_in` take as ``lowered``."""
    return text.lower() if text.isascii() else None


class Caseless:
    """A case-blind pattern of lower-case words, matched case-sensitively in lower-cased text when the text is ASCII.

    Python's IGNORECASE tries each letter's cases at every position; on long alternations of words that took four
    times as long. For ASCII text lower-casing is exactly the comparison IGNORECASE makes, and only when the pattern
    itself names no capital letter, which the constructor checks; other text is matched by the pattern as written.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        if not lower_case_only(pattern):
            raise ValueError("Caseless needs an IGNORECASE pattern written in lower case")
        self.pattern = pattern
        self._lower = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)

    def found(self, text: str) -> bool:
        return self.found_in(text, text.lower() if text.isascii() else None)

    def found_in(self, text: str, lowered: str | None) -> bool:
        """:meth:`found`, given ``lowered``: ``text.lower()`` when the text is ASCII, else None (lower-cased once
        for all the patterns a sentence is read with)."""
        return bool(self._lower.search(lowered) if lowered is not None else self.pattern.search(text))

    def span_in(self, text: str, lowered: str | None) -> tuple[int, int] | None:
        """Where the first match is; lower-casing ASCII keeps every offset, so ``text[a:b]`` is the match as written."""
        match = self._lower.search(lowered) if lowered is not None else self.pattern.search(text)
        return match.span() if match else None

    def count(self, text: str) -> int:
        return len(self._lower.findall(text.lower()) if text.isascii() else self.pattern.findall(text))


_DOMAIN_WORDS = Caseless(_DOMAIN_RE)
# Each sentence's markers, in the order they are written after it (the tagger reads marker pairs too).
SENTENCE_MARKERS = (
    Marker("__quote__", _QUOTE_RE),
    Marker("__age__", _AGE_RE),
    Marker("__year__", _YEAR_RE),
    Marker("__first_person__", _FIRST_PERSON_RE),
    Marker("__conditional__", _CONDITIONAL_RE, anchored=True),
    Marker("__outcome__", _OUTCOME_RE),
    Marker("__needword__", _NEED_WORDS_RE),
    Marker("__past__", _PAST_RE),
)
_DATES = Caseless(_DATE_RE)
TIME_MARKERS = (Marker("__freq__", _FREQUENCY_RE), Marker("__deadline__", _DEADLINE_RE), Marker("__vague_time__", _VAGUE_TIME_RE))


def domain_density(text: str) -> float:
    """Children's social care words per 100 words: near zero for off-topic text and gibberish."""
    words = max(1, len(text.split()))
    return 100.0 * _DOMAIN_WORDS.count(text) / words

@lru_cache(maxsize=4096)
def _parses_as_date(expression: str) -> bool:
    """A date-like phrase counts only when it is a real calendar date, read day first as in the UK.

    dateutil rather than dateparser: 40 times faster on this corpus's 773 date-like phrases, and it agrees on all
    of them but two time ranges ("3.30-8.30") that dateparser wrongly took for dates.
    """
    try:
        date_parser.parse(expression, dayfirst=True)
    except (ValueError, OverflowError):
        return False
    return True


def time_markers(text: str, lowered: str | None = None) -> list[str]:
    """Date, frequency, deadline and vague-time markers; ``lowered`` as :meth:`Caseless.found_in` takes it."""
    if lowered is None:
        lowered = lowered_ascii(text)
    marks = []
    date = _DATES.span_in(text, lowered)
    if date and _parses_as_date(text[date[0] : date[1]]):
        marks.append("__date__")
    return marks + [m.name for m in TIME_MARKERS if m.hit(text, lowered)]


@lru_cache(maxsize=65536)
def _sentence_markers(text: str) -> tuple[str, ...]:
    return tuple(_compute_sentence_markers(text))


def sentence_markers(text: str) -> list[str]:
    """Marker tokens for one sentence (cached: the same sentence is read by the tagger and each grade model)."""
    return list(_sentence_markers(text))


def _compute_sentence_markers(text: str) -> list[str]:
    lowered = lowered_ascii(text)
    return [m.name for m in SENTENCE_MARKERS if m.hit(text, lowered)] + time_markers(text, lowered)


def person_names(text: str) -> list[str]:
    """Names of the children (introduced with an age) in a document; masked before any classifier reads text."""
    return [name for name, _ in named_children(text)]


def mask_names(
    text: str, names: list[str] | tuple[str, ...], adults: list[str] | tuple[str, ...] = (), others: list[str] | tuple[str, ...] = ()
) -> str:
    """Replace names with placeholders, so that no grade can depend on which names (and so which backgrounds) a
    document mentions: children introduced with an age become ``__child__``, titled adults ``__person__``, every
    other name found by shape ``__name__`` (who a sentence is about still matters, the name must not)."""
    children_re, adults_re, others_re = _name_pattern(tuple(names)), _name_pattern(tuple(adults)), _name_pattern(tuple(others))
    if children_re is not None:
        text = children_re.sub("__child__", text)
    text = TITLED_NAME_RE.sub(lambda m: f"{m.group(1)} __person__", text)
    if adults_re is not None:
        text = adults_re.sub("__person__", text)
    if others_re is not None:
        text = others_re.sub("__name__", text)
    return text


@lru_cache(maxsize=512)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a document's names, each also in capitals, as headers and table cells write them ("KEIRA",
    "OKAFOR"). Built once per document and list, not once per sentence: escaping and joining a long list of names
    for every sentence cost a fifth of the scoring time."""
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(v) for n in names for v in {n, n.upper()}) + r")\b")
