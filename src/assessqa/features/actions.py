"""What the action detector and the SMART flag classifiers read: each action candidate as an :class:`ActionUnit`,
its body with names masked, its shape, owner, timescale and measure markers, and the need it serves. Computed before
those models, from the candidates the segmenter found and the needs the evidence tagger found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from assessqa.features.markers import (
    Marker,
    lowered_ascii,
    _CONDITIONAL_RE,
    _NEED_WORDS_RE,
    _OUTCOME_RE,
    _PAST_RE,
    _MEASURE_RE,
    _PROCESS_RE,
    _PURPOSE_RE,
    _QUOTE_RE,
    _UNREALISTIC_RE,
    _VAGUE_VERB_RE,
    mask_names,
    time_markers,
)
from assessqa.features.sentences import copy_key
from assessqa.segment import category_at
from assessqa.segment.lines import BULLET_RE
from assessqa.segment.people import people_of

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
    others: tuple[str, ...] = ()


def action_units(doc: Doc, spans_key: str = "action_candidates") -> list[ActionUnit]:
    units = []
    all_roles = [(r.start_char, r.end_char, r.text, r.label_) for r in doc.spans.get("roles", [])]
    children, adult_list, other_list = people_of(doc)
    names = tuple(name for name, _ in children)
    adults = tuple(adult_list)
    others = tuple(other_list)
    seen: set[str] = set()
    for span in doc.spans.get(spans_key, []):
        raw = span.text
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        # An action written again word for word is the same action (see features.sentences.copy_key).
        key = copy_key(text)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        start = span.start_char + lead
        roles = tuple((t, lab) for a, b, t, lab in all_roles if a >= span.start_char and b <= span.end_char)
        units.append(ActionUnit(start, start + len(text), text, span.label_, category_at(doc, start), span._.action_fields, roles, names, adults, others))
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


# The action markers read from its text or from its body (the text without field labels), in the order they are
# written (the detector reads marker pairs too).
_PASSIVE = Marker("__passive__", re.compile(r"\b(?:to be|will be|is to be|are to be)\s+\w+ed\b", re.I))
_ACTION_MARKERS = (
    (Marker("__vague_verb__", _VAGUE_VERB_RE), "body"),
    (Marker("__measure__", _MEASURE_RE), "text"),
    (Marker("__unrealistic__", _UNREALISTIC_RE), "text"),
    (Marker("__purpose__", _PURPOSE_RE), "text"),
    (Marker("__process__", _PROCESS_RE), "body"),
    (Marker("__conditional__", _CONDITIONAL_RE, anchored=True), "body"),
    (Marker("__outcome__", _OUTCOME_RE), "body"),
    (Marker("__past__", _PAST_RE), "body"),
    (Marker("__needword__", _NEED_WORDS_RE), "body"),
    (Marker("__quote__", _QUOTE_RE), "body"),
)


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
    read = {"text": (text, lowered_ascii(text)), "body": (body, lowered_ascii(body))}
    if _PASSIVE.hit(*read["body"]):
        marks.append(_PASSIVE.name)
    when = (unit.fields or {}).get("when")
    if when is not None:
        marks.append("__when_col__")
        marks.extend(m.replace("__", "__col", 1) for m in time_markers(when))
    measure = (unit.fields or {}).get("measure")
    if measure is not None and measure.strip():
        marks.append("__measure_col__")
        if _MEASURE_RE.search(measure):
            marks.append("__measure_col_cue__")
    marks.extend(time_markers(*read["text"]))
    marks.extend(marker.name for marker, on in _ACTION_MARKERS if marker.hit(*read[on]))
    words = len(body.split())
    marks.append("__short__" if words < 6 else "__long__" if words > 25 else "__midlen__")
    marks.extend(action_shape_markers(text, body))
    return marks


def action_repr(unit: ActionUnit, relevance: float | None = None) -> str:
    """What the action detector and the flag classifiers read for one action candidate."""
    marks = action_markers(unit)
    if relevance is not None:
        marks.append("__rel_hi__" if relevance >= 0.2 else "__rel_mid__" if relevance >= 0.08 else "__rel_lo__")
    return f"{mask_names(_action_body(unit), list(unit.names), unit.adults, unit.others)} " + " ".join(marks)


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


