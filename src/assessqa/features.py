"""Features: what the models read about sentences, action candidates and whole documents.

Hand-made signals (a quotation, an age, a date, a named owner, a vague verb) become marker tokens such as
``__quote__`` appended to the text, so one TF-IDF vocabulary carries words and signals together and every
model stays a plain, safely serialisable scikit-learn pipeline.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from dateutil import parser as date_parser
from spacy.tokens import Doc

from assessqa.schemas import CUES, DIMENSION_CUES, DIMENSIONS_BY_TYPE, SECTION_CATEGORIES
from assessqa.segment import category_at, content_sentences, source_text
from assessqa.segment.people import TITLED_NAME_RE, adult_names, named_children, people_of
from assessqa.segment.sections import heading_ranges
from assessqa.segment.lines import BULLET_RE

# Bump when a change here alters what a trained model reads; models record it and loading checks it.
FEATURES_VERSION = 10

_QUOTE_RE = re.compile(r"[\"\u201c\u201d]|'[A-Z][^']{3,}'|\bsaid\b|\btold (me|us|the)\b|\bsays\b", re.I)
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


def domain_density(text: str) -> float:
    """Children's social care words per 100 words: near zero for off-topic text and gibberish."""
    words = max(1, len(text.split()))
    return 100.0 * len(_DOMAIN_RE.findall(text)) / words

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


def time_markers(text: str) -> list[str]:
    marks = []
    date = _DATE_RE.search(text)
    if date and _parses_as_date(date.group(0)):
        marks.append("__date__")
    if _FREQUENCY_RE.search(text):
        marks.append("__freq__")
    if _DEADLINE_RE.search(text):
        marks.append("__deadline__")
    if _VAGUE_TIME_RE.search(text):
        marks.append("__vague_time__")
    return marks


@lru_cache(maxsize=65536)
def _sentence_markers(text: str) -> tuple[str, ...]:
    return tuple(_compute_sentence_markers(text))


def sentence_markers(text: str) -> list[str]:
    """Marker tokens for one sentence (cached: the same sentence is read by the tagger and each grade model)."""
    return list(_sentence_markers(text))


def _compute_sentence_markers(text: str) -> list[str]:
    marks = []
    if _QUOTE_RE.search(text):
        marks.append("__quote__")
    if _AGE_RE.search(text):
        marks.append("__age__")
    if _YEAR_RE.search(text):
        marks.append("__year__")
    if _FIRST_PERSON_RE.search(text):
        marks.append("__first_person__")
    if _CONDITIONAL_RE.match(text):
        marks.append("__conditional__")
    if _OUTCOME_RE.search(text):
        marks.append("__outcome__")
    if _NEED_WORDS_RE.search(text):
        marks.append("__needword__")
    if _PAST_RE.search(text):
        marks.append("__past__")
    return marks + time_markers(text)


def person_names(text: str) -> list[str]:
    """Names of the children (introduced with an age) in a document; masked before any classifier reads text."""
    return [name for name, _ in named_children(text)]


def mask_names(text: str, names: list[str], adults: list[str] | tuple[str, ...] = ()) -> str:
    """Replace children's names and adults' names with placeholders, so that no grade can depend on which
    names (and so which backgrounds) a document mentions."""
    if names:
        text = re.sub(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", "__child__", text)
    text = TITLED_NAME_RE.sub(lambda m: f"{m.group(1)} __person__", text)
    if adults:
        text = re.sub(r"\b(?:" + "|".join(re.escape(n) for n in adults) + r")\b", "__person__", text)
    return text


def sentence_repr(
    text: str, category: str | None, names: list[str] | None = None, adults: list[str] | tuple[str, ...] = ()
) -> str:
    """What the evidence tagger reads for one sentence (names masked, markers appended)."""
    return f"{mask_names(text, names or [], adults)} __sec_{category or 'none'}__ " + " ".join(sentence_markers(text))


@dataclass(frozen=True)
class SentenceUnit:
    start: int
    end: int
    text: str
    category: str | None
    names: tuple[str, ...] = ()
    adults: tuple[str, ...] = ()

    @property
    def repr(self) -> str:
        return sentence_repr(self.text, self.category, list(self.names), self.adults)


# Words of the previous sentence the evidence tagger reads as context (chosen by grouped cross-validation on
# train+dev, training/README.md): evidence often continues its neighbour ("She said it happens every night.").
CONTEXT_WORDS = 12
_WORD_RE = re.compile(r"[\w'-]+")


def unit_reprs(units: list[SentenceUnit]) -> list[str]:
    """What the evidence tagger reads for each sentence: its own representation, then the first words of the
    sentence before it (names masked), each prefixed ``P_`` so context never counts as the sentence's own words."""
    out = []
    for i, unit in enumerate(units):
        if i == 0:
            out.append(unit.repr)
            continue
        before = units[i - 1]
        words = _WORD_RE.findall(mask_names(before.text, list(before.names), before.adults).lower())[:CONTEXT_WORDS]
        out.append(unit.repr + "".join(f" P_{w}" for w in words))
    return out


def sentence_units(doc: Doc) -> list[SentenceUnit]:
    """Content sentences (not headings or page furniture) with stripped offsets and their section category."""
    sections = [(s.start_char, s.end_char, s.label_) for s in doc.spans.get("sections", [])]
    if doc._.sentence_spans is None:  # a user's pipeline without assessqa_sentences
        spans = [(s.start_char, s.end_char) for s in content_sentences(doc)]
    else:
        skip = heading_ranges(doc)
        spans = [(a, b) for a, b in doc._.sentence_spans if not any(h0 <= a and b <= h1 + 1 for h0, h1 in skip)]
    starts = [s[0] for s in sections]
    units = []
    text = source_text(doc)
    children, adult_list = people_of(doc)
    names = tuple(name for name, _ in children)
    adults = tuple(adult_list)
    for a, b in spans:
        raw = text[a:b]
        stripped = raw.strip()
        if not stripped:
            continue
        start = a + (len(raw) - len(raw.lstrip()))
        i = bisect.bisect_right(starts, start) - 1
        category = sections[i][2] if i >= 0 and (start < sections[i][1] or i == len(sections) - 1) else None
        units.append(SentenceUnit(start, start + len(stripped), stripped, category, names, adults))
    return units


# ------------------------------------------------------------------ action candidates and flags


@dataclass(frozen=True)
class ActionUnit:
    start: int
    end: int
    text: str
    layout: str
    category: str | None
    fields: dict[str, str] | None
    # (text, label) of the people/roles the assessqa_roles component found inside the unit.
    roles: tuple[tuple[str, str], ...] = ()
    names: tuple[str, ...] = ()
    adults: tuple[str, ...] = ()


def action_units(doc: Doc, spans_key: str = "action_candidates") -> list[ActionUnit]:
    units = []
    all_roles = [(r.start_char, r.end_char, r.text, r.label_) for r in doc.spans.get("roles", [])]
    children, adult_list = people_of(doc)
    names = tuple(name for name, _ in children)
    adults = tuple(adult_list)
    for span in doc.spans.get(spans_key, []):
        raw = span.text
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        start = span.start_char + lead
        roles = tuple((t, lab) for a, b, t, lab in all_roles if a >= span.start_char and b <= span.end_char)
        units.append(ActionUnit(start, start + len(text), text, span.label_, category_at(doc, start), span._.action_fields, roles, names, adults))
    return units


def _roles_within(unit: ActionUnit, text: str) -> set[str]:
    lowered = text.lower()
    return {label for role, label in unit.roles if role.lower() in lowered}


def _action_body(unit: ActionUnit) -> str:
    if unit.fields and unit.fields.get("action"):
        return unit.fields["action"]
    return BULLET_RE.sub("", unit.text, count=1)


# The shape of an action, whatever the layout (features version 10): a doer "to" a verb, a modal, or an imperative
# opening ("Refer Hamid to ...", as plans written for the family put it). Rows without any of them are header,
# attendance, reasons or outcome rows; a status after the action ("- completed 21/02/2025", "AMBER") marks a
# progress note on an earlier action.
_TO_VERB_RE = re.compile(
    r"\bto (?!(?:the|a|an|his|her|their|my|our|your|this|that|these|school|nursery|college|hospital|court|home|bed|work|"
    r"him|them|me|us|it|and|or|date|do|be)\b)[a-z]{2,}|\bto be \w+|\bto do\b"
)
_MODAL_RE = re.compile(r"\b(?:will|must|shall|should|need(?:s)? to|has to|have to|going to|agreed (?:that|to)|is to|are to)\b", re.I)
_IMPERATIVE_RE = re.compile(
    r"^(?:help|refer|re-refer|take|agree|visit|support|move|book|arrange|attend|provide|complete|ensure|make|keep|ask|tell|"
    r"send|ring|call|phone|contact|apply|check|give|go|bring|explain|meet|see|speak|talk|write|register|enrol|continue|"
    r"share|find|put|collect|stop|start|buy|pay|sit|set|review|monitor|plan|offer|organise|liaise|consider|discuss|"
    r"undertake|carry|follow|update|inform|read|let|show|teach|practise|use|record|invite|request|obtain|seek|work|"
    r"encourage|reduce|improve|maintain|develop|identify|assess|join|learn|get|do|sort|fill|look|remind|sign|test|"
    r"complete|create|fix|clean|tidy|repair|replace|install|open|close|chase|escalate|convene|hold|schedule)\b",
    re.I,
)
_STATUS_RE = re.compile(
    r"(?:[-\u2013;:,.(]\s*|\b)(?:completed|done|achieved|not (?:yet )?(?:started|done|completed|arranged|met|achieved|attended)|"
    r"in progress|partially met|not met|met)\b(?!\s+(?:with|by|to)\b)|\b(?:RED|AMBER|GREEN)\b|\bRAG\b"
)
_FIELD_LABEL_RE = re.compile(r"(?:^|[|\t]\s*)[A-Z][A-Z/()' -]{2,}:")
_YES_NO_CELL_RE = re.compile(r"^(?:Y|N|Yes|No|N/A|-|Not recorded|Present|Apologies|Attended)$", re.I)
_CELL_SPLIT_RE = re.compile(r"\s*\|\s*|\t+")


def action_shape_markers(text: str, body: str) -> list[str]:
    """Markers of whether a candidate is worded as an action at all, the same in every layout."""
    marks = []
    opening = BULLET_RE.sub("", body.lstrip(), count=1)
    verb = False
    if _TO_VERB_RE.search(body):
        marks.append("__to_verb__")
        verb = True
    if _MODAL_RE.search(body):
        marks.append("__modal__")
        verb = True
    if _IMPERATIVE_RE.match(opening):
        marks.append("__imperative__")
        verb = True
    if not verb:
        marks.append("__no_verb__")
    if _STATUS_RE.search(text):
        marks.append("__status__")
    if _FIELD_LABEL_RE.search(text):
        marks.append("__field_labels__")
    cells = [c for c in _CELL_SPLIT_RE.split(text.strip()) if c]
    if sum(bool(_YES_NO_CELL_RE.match(c)) for c in cells) >= 2:
        marks.append("__yes_no_cells__")
    return marks

def action_markers(unit: ActionUnit) -> list[str]:
    text = unit.text
    body = _action_body(unit)
    marks = [f"__layout_{unit.layout}__", f"__sec_{unit.category or 'none'}__"]
    who = (unit.fields or {}).get("who")
    if who is not None:
        marks.append("__who_col__")
        who_roles = _roles_within(unit, who)
        if "owner" in who_roles:
            marks.append("__who_owner__")
        if "non_owner" in who_roles:
            marks.append("__who_nonowner__")
    body_roles = _roles_within(unit, body)
    if "owner" in body_roles:
        marks.append("__owner__")
    if "non_owner" in body_roles:
        marks.append("__nonowner__")
    if re.search(r"\b(?:to be|will be|is to be|are to be)\s+\w+ed\b", body, re.I):
        marks.append("__passive__")
    when = (unit.fields or {}).get("when")
    if when is not None:
        marks.append("__when_col__")
        marks.extend(m.replace("__", "__col", 1) for m in time_markers(when))
    measure = (unit.fields or {}).get("measure")
    if measure is not None and measure.strip():
        marks.append("__measure_col__")
        if _MEASURE_RE.search(measure):
            marks.append("__measure_col_cue__")
    marks.extend(time_markers(text))
    if _VAGUE_VERB_RE.search(body):
        marks.append("__vague_verb__")
    if _MEASURE_RE.search(text):
        marks.append("__measure__")
    if _UNREALISTIC_RE.search(text):
        marks.append("__unrealistic__")
    if _PURPOSE_RE.search(text):
        marks.append("__purpose__")
    if _PROCESS_RE.search(body):
        marks.append("__process__")
    if _CONDITIONAL_RE.match(body):
        marks.append("__conditional__")
    if _OUTCOME_RE.search(body):
        marks.append("__outcome__")
    if _PAST_RE.search(body):
        marks.append("__past__")
    if _NEED_WORDS_RE.search(body):
        marks.append("__needword__")
    if _QUOTE_RE.search(body):
        marks.append("__quote__")
    words = len(body.split())
    marks.append("__short__" if words < 6 else "__long__" if words > 25 else "__midlen__")
    marks.extend(action_shape_markers(text, body))
    return marks


def action_repr(unit: ActionUnit, relevance: float | None = None) -> str:
    """What the action detector and the flag classifiers read for one action candidate."""
    marks = action_markers(unit)
    if relevance is not None:
        marks.append("__rel_hi__" if relevance >= 0.2 else "__rel_mid__" if relevance >= 0.08 else "__rel_lo__")
    return f"{mask_names(_action_body(unit), list(unit.names), unit.adults)} " + " ".join(marks)


_CONTENT_WORD_RE = re.compile(r"[a-z]{3,}")
_STOP = frozenset(
    "the and for with will her his their she they them this that have has are was were not from who when what "
    "how she him its our out can all any into than then there these those which would could should been being "
    "weekly daily week weeks month months date".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in _CONTENT_WORD_RE.findall(text.lower()) if w not in _STOP}


def best_need(action_text: str, needs: list[tuple[int, int, str]]) -> tuple[float, tuple[int, int] | None]:
    """The need an action serves: the need sharing most content words with it (Jaccard), and that score."""
    words = _content_words(action_text)
    best = (0.0, None)
    for start, end, text in needs:
        other = _content_words(text)
        if not words or not other:
            continue
        score = len(words & other) / len(words | other)
        if score > best[0]:
            best = (score, (start, end))
    return best


# ------------------------------------------------------------------ document-level features


def cue_aggregates(probabilities: np.ndarray, cue_names: tuple[str, ...] = CUES) -> dict[str, float]:
    """Per cue: how many sentences carry it (soft and hard counts, log-scaled), its strongest and top-3 mean."""
    n = probabilities.shape[0]
    if not n:
        return {f"{cue}_{kind}": 0.0 for cue in cue_names for kind in ("soft", "hard", "share", "max", "top3")}
    # One pass over all columns at once; the same figures a per-cue loop would give.
    top = -np.sort(-probabilities, axis=0)[:3]
    hard = (probabilities >= 0.5).sum(axis=0)
    soft, share, best, top3 = np.log1p(probabilities.sum(axis=0)), hard / n, top[0], top.mean(axis=0)
    feats: dict[str, float] = {}
    for j, cue in enumerate(cue_names):
        feats[f"{cue}_soft"] = float(soft[j])
        feats[f"{cue}_hard"] = float(np.log1p(hard[j]))
        feats[f"{cue}_share"] = float(share[j])
        feats[f"{cue}_max"] = float(best[j])
        feats[f"{cue}_top3"] = float(top3[j])
    return feats


# Wording that separates a good answer from a thin one, whatever the template: hedged contingencies,
# named consequences, reasoning words, over-optimistic conclusions, children lumped together.
QUALITY_PATTERNS: dict[str, re.Pattern[str]] = {
    "hedge": re.compile(r"\b(?:may|might|could|possibly|consider(?:ed)?|further action|appropriate action|if (?:things|it|this) (?:do|does)(?:n't| not) (?:improve|change))\b", re.I),
    "consequence": re.compile(r"\b(?:legal planning|legal gateway|public law outline|pre-proceedings|plo|care proceedings|court|(?:initial|review) (?:child protection )?conference|icpc|rcpc|strategy (?:discussion|meeting)|step(?:ped)?[- ]up|section 20|s20|removed|foster care|escalat\w*)\b", re.I),
    "reasoning": re.compile(r"\b(?:this means|which means|because|as a result|so that|explain\w*|pattern|repeat\w*|links? (?:to|with)|linked|mirrors?|impact\w*|affect\w*|likel\w*|unlikely|probab\w*|on balance|therefore|suggests?|indicates?)\b", re.I),
    "conclusion": re.compile(r"\b(?:conclude\w*|significant harm|threshold|in my (?:view|professional judgement)|my assessment is|i (?:am|remain) (?:worried|concerned))\b", re.I),
    "optimism": re.compile(r"\b(?:no (?:safeguarding |further )?concerns?|no further action|nfa|close the case|case (?:will be|to be|can be) closed|doing well|is happy|are happy|settled)\b", re.I),
    "generic_children": re.compile(r"\bthe (?:children|kids|boys|girls|siblings)\b", re.I),
    "description": re.compile(r"\b(?:on (?:\d{1,2}[/.]\d{1,2}|the \d)|police (?:were|attended|called)|incident|was called|attended the (?:home|address)|reported that)\b", re.I),
}
_MARKERS = ("__quote__", "__age__", "__year__", "__first_person__", "__conditional__", "__outcome__", "__date__", "__freq__", "__deadline__", "__vague_time__", "__past__")


@lru_cache(maxsize=65536)
def _quality_hits(text: str) -> tuple[bool, ...]:
    """Which :data:`QUALITY_PATTERNS` a sentence matches (cached: every dimension of a document reads them)."""
    return tuple(bool(pattern.search(text)) for pattern in QUALITY_PATTERNS.values())


def _weighted_share(weights: np.ndarray, hits: np.ndarray) -> float:
    total = weights.sum()
    return float((weights * hits).sum() / total) if total > 0 else 0.0


def dimension_strength(matrix: np.ndarray, dimension: str) -> np.ndarray:
    """Per sentence, the strongest of ``dimension``'s cue columns of a sentences x cues matrix (probabilities or
    0/1 labels): how strongly the sentence is evidence for the dimension by the tagger (or the annotators) alone."""
    return matrix[:, [CUES.index(c) for c in DIMENSION_CUES[dimension]]].max(axis=1) if len(matrix) else np.zeros(0)


# How many sentences either side the evidence scorer reads (chosen by grouped cross-validation on train+dev,
# training/README.md "Evidence in context"): whether a sentence is evidence depends on its neighbours, as when
# a vague "there are concerns" opens a paragraph that the next sentence goes on to analyse.
EVIDENCE_WINDOW = 2
_TABLE_ROW_RE = re.compile(r"\t| \| ")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def evidence_context(units: list[SentenceUnit], cue_probs: np.ndarray, window: int = EVIDENCE_WINDOW) -> np.ndarray:
    """Per sentence, what the evidence scorer reads: the tagger's cue log-odds for the sentence, for the
    ``window`` sentences either side (zeros past the ends) and the document's strongest sentence for each cue;
    the section the sentence sits in; and its shape (length, a short fragment, a table row, its position).

    Nothing here reads words: the scorer weighs the tagger's outputs against each other, which is how it learns
    that a plan's outcome ("Zuzanna needs to feel safe at school") is not one of its needs although it reads
    like one.
    """
    n, k = len(units), len(CUES)
    if n == 0:
        return np.zeros((0, (2 * window + 2) * k + len(SECTION_CATEGORIES) + 1 + 4))
    own = _logit(cue_probs)
    pad = np.zeros((window, k))
    padded = np.vstack([pad, own, pad])
    shifted = [padded[window + d : window + d + n] for d in range(-window, window + 1) if d != 0]
    strongest = np.repeat(own.max(axis=0, keepdims=True), n, axis=0)
    section = np.array([[u.category == c for c in SECTION_CATEGORIES] + [u.category is None] for u in units], dtype=float)
    words = np.array([len(u.text.split()) for u in units], dtype=float)
    shape = np.column_stack(
        [
            np.log1p(words),
            words <= 3,
            [bool(_TABLE_ROW_RE.search(u.text)) for u in units],
            np.arange(n) / max(1, n - 1),
        ]
    )
    return np.hstack([own, *shifted, strongest, section, shape])


# The cues each document type's dimensions read, in CUES order.
TYPE_CUES: dict[str, tuple[str, ...]] = {
    doc_type: tuple(c for c in CUES if any(c in DIMENSION_CUES[d] for d in dims)) for doc_type, dims in DIMENSIONS_BY_TYPE.items()
}
_TYPE_OF = {d: doc_type for doc_type, dims in DIMENSIONS_BY_TYPE.items() for d in dims}

# A sentence whose every cue probability (among its type's cues) is below this carries no evidence for the grade
# models; a trained model records the floor it used in its config ("evidence_floor"). 0.2 was chosen by whole-model
# cross-validation on train+dev (training/README.md, "Evidence floor"): buzzword sentences the tagger scores 0.1-0.2
# no longer count, and calibration improved.
EVIDENCE_FLOOR = 0.2


def dimension_features(
    dimension: str,
    cue_probs: np.ndarray,
    units: list[SentenceUnit],
    flag_probs: np.ndarray | None,
    plan: "PlanFigures | None" = None,
    floor: float = EVIDENCE_FLOOR,
) -> dict[str, float]:
    """Features of one document for one dimension's grade model.

    Deliberately excludes raw length and heading presence: the corpus audit checks that neither gives the
    grade away, and a model that read them could be gamed by padding or by empty headings. For the same reason
    shares are taken over sentences that carry some evidence: padding, boilerplate or buzzwords with no evidence
    in them change none of these features.
    """
    # Only the cues of this document type's own dimensions: a plan grade that read assessment cues (history links,
    # say) would learn accidents of the corpus, and anyone could move it with sentences that merely sound like one.
    own = [CUES.index(c) for c in TYPE_CUES[_TYPE_OF[dimension]]]
    if len(units):
        keep = cue_probs[:, own].max(axis=1) >= floor
        cue_probs = cue_probs[keep]
        units = [u for u, k in zip(units, keep) if k]
    feats = cue_aggregates(cue_probs[:, own], tuple(CUES[j] for j in own))
    n = len(units)
    weights = dimension_strength(cue_probs, dimension)
    feats["relevant_share"] = float((weights >= 0.5).mean()) if n else 0.0
    feats["relevant_soft_share"] = float(weights.mean()) if n else 0.0
    # How the dimension's own evidence is written (weighted by how strongly each sentence is evidence).
    quality = np.array([_quality_hits(u.text) for u in units], dtype=float).reshape(n, len(QUALITY_PATTERNS))
    for k, name in enumerate(QUALITY_PATTERNS):
        feats[f"q_{name}"] = _weighted_share(weights, quality[:, k])
        feats[f"doc_{name}"] = float(quality[:, k].mean()) if n else 0.0
    markers = [set(sentence_markers(u.text)) for u in units]
    for marker in _MARKERS:
        hits = np.array([marker in m for m in markers], dtype=float)
        feats[f"m{marker}"] = _weighted_share(weights, hits)
    if dimension in ("lived_experience", "child_focus"):
        children = [name for name, _ in named_children(" ".join(u.text for u in units))]
        voice = cue_probs[:, [CUES.index("child_voice"), CUES.index("observation"), CUES.index("daily_life")]].max(axis=1) if n else np.zeros(0)
        covered = sum(1 for name in children if any(name in u.text and v >= 0.5 for u, v in zip(units, voice)))
        feats["children_named"] = float(min(len(children), 6))
        feats["children_covered_share"] = covered / len(children) if children else 0.0
    if flag_probs is not None:
        n_actions = flag_probs.shape[0]
        feats["n_actions_log"] = float(np.log1p(n_actions))
        if n_actions:
            hard = flag_probs >= 0.5
            feats["all_smart_share"] = float(hard.all(axis=1).mean())
            feats["mean_flags"] = float(flag_probs.mean())
            for j in range(flag_probs.shape[1]):
                feats[f"flag{j}_share"] = float(hard[:, j].mean())
                feats[f"flag{j}_min"] = float(flag_probs[:, j].min())
        else:
            feats["all_smart_share"] = feats["mean_flags"] = 0.0
            for j in range(flag_probs.shape[1]):
                feats[f"flag{j}_share"] = feats[f"flag{j}_min"] = 0.0
    if plan is not None:
        feats.update(plan.as_features())
    return feats


def needs_from(
    units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5, in_worry_section: float = 0.15
) -> list[tuple[int, int, str]]:
    """Need sentences; under a worry/danger heading ("What are we worried about?") a weaker signal suffices,
    since the guidelines count every worry statement of a plan as a need."""
    col = CUES.index("need")
    probs = cue_probs[:, col] if len(units) else []
    return [
        (u.start, u.end, u.text)
        for u, p in zip(units, probs)
        if p >= threshold or (u.category == "risk" and p >= in_worry_section)
    ]


def candidate_reprs(candidates: list[ActionUnit], needs: list[tuple[int, int, str]]) -> list[str]:
    return [action_repr(c, best_need(c.text, needs)[0]) for c in candidates]


def link_need(action: ActionUnit, needs: list[tuple[int, int, str]], min_score: float = 0.08) -> tuple[int, int] | None:
    """The need an action serves: its table row's need cell, else the need sentence sharing most words with it."""
    cell = (action.fields or {}).get("need", "").strip()
    if cell and len(cell) > 2:
        offset = action.text.find(cell)
        if offset >= 0:
            return action.start + offset, action.start + offset + len(cell)
    score, span = best_need(action.text, needs)
    return span if score >= min_score else None


@dataclass(frozen=True)
class ContingencyCheck:
    """Is there a contingency, and does it give a trigger, a consequence and a timescale?"""

    present: bool
    trigger: bool
    consequence: bool
    timescale: bool
    sentence: SentenceUnit | None


def check_contingency(units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5) -> ContingencyCheck:
    col = CUES.index("contingency")
    found = [(p, u) for u, p in zip(units, cue_probs[:, col] if len(units) else []) if p >= threshold]
    if not found:
        return ContingencyCheck(False, False, False, False, None)
    texts = [u.text for _, u in found]
    trigger = any(_CONDITIONAL_RE.match(t) or re.search(r"\b(?:if|unless|should|where)\b", t, re.I) for t in texts)
    consequence = any(QUALITY_PATTERNS["consequence"].search(t) for t in texts)
    timescale = any({"__date__", "__deadline__", "__freq__"} & set(sentence_markers(t)) for t in texts)
    best = max(found, key=lambda item: item[0])[1]
    return ContingencyCheck(True, bool(trigger), bool(consequence), bool(timescale), best)


@dataclass(frozen=True)
class PlanFigures:
    actions: int
    fully_smart: float
    process_only: float
    vague_timescales: float
    needs: int
    needs_without_action: int
    actions_without_need: int
    contingency: ContingencyCheck

    def as_features(self) -> dict[str, float]:
        return {
            "plan_process_only": self.process_only,
            "plan_vague_time": self.vague_timescales,
            "plan_needs_log": float(np.log1p(self.needs)),
            "plan_needs_unmet_share": self.needs_without_action / self.needs if self.needs else 0.0,
            "plan_actions_unlinked_share": self.actions_without_need / self.actions if self.actions else 0.0,
            "cont_present": float(self.contingency.present),
            "cont_trigger": float(self.contingency.trigger),
            "cont_consequence": float(self.contingency.consequence),
            "cont_timescale": float(self.contingency.timescale),
        }


def plan_figures(
    actions: list[ActionUnit],
    flag_probs: np.ndarray,
    needs: list[tuple[int, int, str]],
    units: list[SentenceUnit],
    cue_probs: np.ndarray,
) -> tuple[PlanFigures, list[tuple[int, int] | None]]:
    """Plan-level figures and, for each action, the need it serves (or None)."""
    # Needs that are themselves action rows (a table row carries its need cell) are not separate needs.
    action_ranges = [(a.start, a.end) for a in actions]
    free_needs = [n for n in needs if not any(span_overlap((n[0], n[1]), r) >= 0.5 for r in action_ranges)]
    links = [link_need(a, free_needs) for a in actions]
    linked = {link for link in links if link is not None}
    bodies = [_action_body(a) for a in actions]
    n = len(actions)
    process_only = sum(bool(_PROCESS_RE.search(b)) and not _PURPOSE_RE.search(b) for b in bodies)
    vague = sum(bool(_VAGUE_TIME_RE.search(b)) for b in bodies)
    fully = float((flag_probs >= 0.5).all(axis=1).mean()) if n else 0.0
    figures = PlanFigures(
        actions=n,
        fully_smart=round(fully, 4),
        process_only=round(process_only / n, 4) if n else 0.0,
        vague_timescales=round(vague / n, 4) if n else 0.0,
        needs=len(free_needs),
        needs_without_action=sum(1 for nd in free_needs if (nd[0], nd[1]) not in linked),
        actions_without_need=sum(1 for link in links if link is None),
        contingency=check_contingency(units, cue_probs),
    )
    return figures, links


def span_overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Overlap of two character ranges as a share of the shorter one."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(1, min(a[1] - a[0], b[1] - b[0]))


__all__ = [
    "domain_density",
    "dimension_strength",
    "evidence_context",
    "EVIDENCE_WINDOW",
    "candidate_reprs",
    "needs_from",
    "ActionUnit",
    "SentenceUnit",
    "action_repr",
    "action_units",
    "best_need",
    "cue_aggregates",
    "dimension_features",
    "named_children",
    "adult_names",
    "person_names",
    "sentence_repr",
    "sentence_units",
    "span_overlap",
]
