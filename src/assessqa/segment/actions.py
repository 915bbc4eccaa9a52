"""Plan action items: list items, table rows (pipes, tabs, column layouts), field blocks and prose.

Results go to ``doc.spans["action_items"]``; for table rows under a header such as
"Need | Action | Who | By when | How we will know", ``span._.action_fields`` maps column names to cell text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from assessqa.segment.aligned_tables import aligned_table_rows
from assessqa.segment.extensions import ensure_lines, register_extensions, source_text
from assessqa.segment.lines import BULLET_RE, Line, LineKind
from assessqa.segment.roles import RoleMatcher
from assessqa.segment.sentences import sentence_spans
from assessqa.segment.rules import load_abbreviations, load_section_rules

# Column headers of plan tables, normalised to the field names assessqa uses.
COLUMN_NAMES: dict[str, str] = {
    "need": "need", "needs": "need", "worry": "need", "worries": "need", "danger": "need",
    "identified need": "need", "what needs to change": "need", "area of concern": "need", "concern": "need",
    "action": "action", "actions": "action", "what will happen": "action", "what needs to happen": "action",
    "task": "action", "what": "action", "action required": "action", "agreed action": "action",
    "who": "who", "by whom": "who", "responsible": "who", "lead": "who", "person responsible": "who",
    "who is responsible": "who", "owner": "who",
    "by when": "when", "when": "when", "timescale": "when", "timescales": "when", "date": "when", "deadline": "when",
    "how we will know": "measure", "how will we know": "measure", "outcome": "measure", "measure": "measure",
    "how we will know it has worked": "measure", "success measure": "measure", "expected outcome": "measure",
    "rag": "rag", "rag rating": "rag", "status": "rag", "progress": "progress", "progress update": "progress",
    "update": "progress", "comments": "progress", "review": "progress",
}
_RAG_ONLY_RE = re.compile(r"^\(?(red|amber|green|r|a|g|complete[d]?|not started|ongoing)\)?[.:]?$", re.IGNORECASE)
_NOT_ACTION_START_RE = re.compile(
    r"^(?:need|needs|worry|worries|danger statement|danger|concern|progress|update|review(?:ed)?|rag|status|"
    r"signed|signature|name|date|outcome|goal|safety goal|how we will know|by when|who|timescale|"
    r"comment|comments|manager|chair)\b[^:]{0,25}:",
    re.IGNORECASE,
)
_MODAL_RE = re.compile(
    r"\b(?:will|to|should|must|shall|is to|are to|needs? to|agreed to|has agreed to|have agreed to|"
    r"is expected to|are expected to|expected to)\s+(?:\w+ly\s+|not\s+|also\s+|continue to\s+)?[a-z]{3,}",
)
_IMPERATIVE_VERBS = frozenset(
    "attend complete provide ensure make refer arrange undertake visit support engage continue monitor maintain "
    "share take keep obtain book register apply seek develop create update review convene hold deliver offer "
    "liaise contact inform work meet see check carry set agree identify explore consider write send give discuss "
    "use reduce stop abstain remain allow enable facilitate assess complete consult call collect bring follow "
    "install buy purchase clean tidy put prepare read speak talk tell notify escort supervise observe request "
    "chase implement progress encourage promote help teach model practise practice ask gather invite record "
    "report organise organize start begin find plan hand sign submit".split()
)
_PAST_PROGRESS_RE = re.compile(r"^(?:\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|update|progress|\w+ (?:has|have) (?:been|now))", re.I)


@dataclass
class ActionCandidate:
    start: int
    end: int
    layout: str
    fields: dict[str, str] = field(default_factory=dict)


# "Mum (Sarah) will": a short aside may stand between the person named and the modal.
_DOER_GAP = 10


def names_doer(roles: Sequence[tuple[int, int]], text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` says who will act: a role span followed closely by a modal ("Dad to",
    "The health visitor will", "All professionals to").

    Non-owners count: "All professionals to share information" is still an action, one whose owner the SMART
    owner flag then judges. A name after the verb ("... goes to art club and Ayaan has ...") does not count.

    Args:
        roles: Sorted character offsets of the document's role spans (``doc.spans["roles"]``, from the
            ``assessqa_roles`` component); see :func:`role_offsets`.
        text: The document text the offsets refer to.
    """
    i = bisect_left(roles, (start, -1))
    while i < len(roles) and roles[i][0] < end:
        role_end = roles[i][1]
        i += 1
        if role_end > end:
            continue
        modal = _MODAL_RE.search(text, role_end, end)
        if modal and modal.start() - role_end <= _DOER_GAP:
            return True
    return False


def role_offsets(roles: Iterable[Span]) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of each role span, sorted, so that each range is looked up by bisection."""
    return sorted((s.start_char, s.end_char) for s in roles)


def looks_like_action(text: str, doer_named: bool) -> bool:
    """True for text that asks someone to do something (modal, 'X to do', or an imperative opening).

    Args:
        text: A list item, table cell or sentence, e.g. "- HV to weigh Leo fortnightly".
        doer_named: Whether the text names who will do it (see :func:`names_doer`).
    """
    body = BULLET_RE.sub("", text.strip(), count=1).strip()
    if not body or _NOT_ACTION_START_RE.match(body) or _RAG_ONLY_RE.match(body):
        return False
    first = re.match(r"[A-Za-z]+", body)
    if first and first.group(0).lower() in _IMPERATIVE_VERBS:
        return True
    return bool(_MODAL_RE.search(body)) and (doer_named or bool(re.match(r"^[A-Z]", body)))


def _cells_with_offsets(line: Line) -> list[tuple[str, int, int]]:
    """The row's cells with the character range of each in the document."""
    found, pos = [], 0
    for cell in line.cells:
        at = line.text.find(cell, pos)
        pos = at + len(cell)
        found.append((cell, line.start + at, line.start + pos))
    return found


def _header_columns(line: Line) -> list[str] | None:
    cells = [c.strip().rstrip(":").lower() for c in line.cells]
    names = [COLUMN_NAMES.get(c) for c in cells]
    known = [n for n in names if n]
    if len(known) >= 2 and len(known) >= len(cells) - 1 and "action" in known or len(known) >= 3:
        return [n or f"col{i}" for i, n in enumerate(names)]
    return None


def _table_candidates(text: str, lines: list[Line], broad: bool, roles: Sequence[tuple[int, int]]) -> list[ActionCandidate]:
    found = []
    columns: list[str] | None = None
    for line in lines:
        if line.kind is not LineKind.TABLE_ROW:
            if line.kind in (LineKind.BLANK, LineKind.HEADING):
                columns = None
            continue
        header = _header_columns(line)
        if header is not None:
            columns = header
            continue
        if set(line.text) <= set("|-+=: \t"):
            continue
        cells = line.cells
        fields = dict(zip(columns, cells)) if columns is not None and len(cells) == len(columns) else {}
        if broad:
            found.append(ActionCandidate(line.start, line.end, "table", fields))
        elif fields.get("action", "").strip() or any(
            looks_like_action(c, names_doer(roles, text, a, b)) for c, a, b in _cells_with_offsets(line)
        ):
            found.append(ActionCandidate(line.start, line.end, "table", fields))
    return found


_FIELD_LINE_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z '/]{1,30}?)\s*[\d.]*\s*:\s*(?P<value>.*)$")


def _field_block_candidates(lines: list[Line]) -> list[ActionCandidate]:
    """'Action: ...' lines in one-field-per-line layouts; the action is the 'Action:' line itself."""
    found = []
    for line in lines:
        if line.kind in (LineKind.BLANK, LineKind.TABLE_ROW, LineKind.BOILERPLATE):
            continue
        body = BULLET_RE.sub("", line.text, count=1)
        match = _FIELD_LINE_RE.match(body)
        if match and COLUMN_NAMES.get(match.group("label").strip().lower()) == "action" and match.group("value").strip():
            found.append(ActionCandidate(line.start, line.end, "fields", {"action": match.group("value").strip()}))
    return found


# "Mum - clear dog mess by 30/5", "Hsg (Kerry Dunn) - deliver cot": a note-form item names its doer first and the
# task after a dash, with no "to" or "will" between them.
_DASH_NOTE_RE = re.compile(
    r"(?P<who>[A-Z](?:[^\n:;,.!?\u2013\u2014-]|(?<=\w)-(?=\w)){0,40}?)\s+[-\u2013\u2014]\s+(?P<action>\S.*)", re.S
)
_PARENTHESES_RE = re.compile(r"\([^()]*\)")
_WHO_JOINER_RE = re.compile(r"^(?:\+|&|/|and)$", re.I)


def dash_note_fields(text: str, start: int, end: int, roles: Sequence[tuple[int, int]]) -> dict[str, str] | None:
    """The "who" and "action" of a note-form item ("SW - visit 2/52"), or None if it is not one.

    What stands before the dash must be a doer: at most four words once a note in brackets is set aside, each a
    role the roles component found, a capitalised word or a joiner ("Mum + Dad", "YW Kerr", "Ms C"). "Dad's
    drinking - every incident after drink" is not one.
    """
    match = _DASH_NOTE_RE.match(text, start, end)
    if match is None:
        return None
    who = match.group("who")
    words = _PARENTHESES_RE.sub(" ", who).split()
    if not words or len(words) > 4:
        return None
    who_start = match.start("who")
    in_role = [any(a <= who_start + at < b for a, b in roles) for at in range(len(who))]
    offset = 0
    for word in words:
        at = who.find(word, offset)
        offset = at + len(word)
        if not (word[:1].isupper() or _WHO_JOINER_RE.match(word) or all(in_role[at:offset])):
            return None
    return {"who": who.strip(), "action": match.group("action").strip()}


def _list_candidates(text: str, lines: list[Line], broad: bool, roles: Sequence[tuple[int, int]]) -> list[ActionCandidate]:
    """List items (with their wrapped continuation lines); in narrow mode only those that read as actions."""
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind is LineKind.LIST_ITEM:
            end = line.end
            j = i + 1
            while j < len(lines) and lines[j].kind is LineKind.TEXT and lines[j].text[:1].islower():
                end = lines[j].end
                j += 1
            body = BULLET_RE.sub("", line.text, count=1)
            doer_named = not broad and names_doer(roles, text, line.start, line.end)
            if broad or (looks_like_action(line.text, doer_named) and not _PAST_PROGRESS_RE.match(body)):
                note = dash_note_fields(text, line.start + len(line.text) - len(body), end, roles)
                found.append(ActionCandidate(line.start, end, "list", note or {}))
            i = j
            continue
        i += 1
    return found


_WEAK_MODAL_RE = re.compile(r"\b(?:will|to be|is to|are to|should|must|shall|needs? to|agreed to)\b", re.I)


# A sentence this long is a run-on (dictated text, speech-to-text, a paragraph without full stops): it can hold
# several actions, each said as its own clause ("so mum is going to take him to the dentist before half term and I
# will check with the practice"). Shorter sentences are read whole, as before.
RUN_ON_WORDS = 30
# Where a new clause may begin: a joining word or a comma or semicolon, then someone who will act.
_CLAUSE_JOIN_RE = re.compile(r"(?:[,;]\s*|\s)(?:(?:and|so|then|also|but|plus|and then|and also|after that)\s+)+|[,;]\s+", re.I)
_DETERMINER_RE = re.compile(r"(?:the|her|his|their|our|my|your)\s+", re.I)
_PRONOUN_DOER_RE = re.compile(r"(?:I|we|he|she|they|you|everyone|everybody|both parents|all professionals)\b", re.I)


def clauses(text: str, start: int, end: int, roles: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """A run-on sentence cut before each clause that says who will act; any other sentence whole.

    A clause starts after a joining word (and, so, then, also, but) or a comma where a person follows (a role span
    the roles component found, or a pronoun) and a modal follows them closely ("mum is going to", "I will",
    "school to"): the doer test :func:`names_doer` applies to sentences, taken one clause at a time.
    """
    if len(text[start:end].split()) < RUN_ON_WORDS:
        return [(start, end)]
    role_starts = {a: b for a, b in roles if start <= a < end}
    cuts = []
    for join in _CLAUSE_JOIN_RE.finditer(text, start, end):
        at = join.end()
        lead = _DETERMINER_RE.match(text, at, end)
        doer_end = role_starts.get(lead.end() if lead else at)
        if doer_end is None:
            pronoun = _PRONOUN_DOER_RE.match(text, at, end)
            doer_end = pronoun.end() if pronoun else None
        if doer_end is None:
            continue
        modal = _MODAL_RE.search(text, doer_end, min(end, doer_end + _DOER_GAP + 40))
        if modal and modal.start() - doer_end <= _DOER_GAP and join.start() > start:
            cuts.append((join.start(), at))
    if not cuts:
        return [(start, end)]
    # The joining words belong to neither clause: "... before half term | and | I will check ...".
    starts = [start] + [at for _, at in cuts]
    ends = [before for before, _ in cuts] + [end]
    return [(a, b) for a, b in zip(starts, ends) if text[a:b].strip()]


def _prose_candidates(
    text: str, lines: list[Line], abbreviations: frozenset[str], broad: bool, roles: Sequence[tuple[int, int]]
) -> list[ActionCandidate]:
    """Sentences inside paragraphs that say who will do what (in broad mode, any sentence with a modal)."""
    found = []
    prose_lines = [ln for ln in lines if ln.kind in (LineKind.TEXT, LineKind.HEADING) and (ln.kind is LineKind.TEXT or ln.content_start)]
    if not prose_lines:
        return found
    for start, end in (c for span in sentence_spans(text, prose_lines, abbreviations) for c in clauses(text, *span, roles)):
        sentence = text[start:end]
        doer_named = names_doer(roles, text, start, end)
        if broad:
            if _WEAK_MODAL_RE.search(sentence) or looks_like_action(sentence, doer_named):
                found.append(ActionCandidate(start, end, "prose"))
        elif (
            doer_named
            and not _NOT_ACTION_START_RE.match(sentence)
            and not re.search(r"\b(worried|concern(ed|s)?|said|told|reported|was|were|had)\b", sentence[:60], re.I)
        ):
            found.append(ActionCandidate(start, end, "prose"))
    return found


# Sections whose list items are descriptions, not actions.
_DESCRIPTIVE_CATEGORIES = frozenset(
    {"referral", "child_views", "daily_life", "family_history", "parenting_capacity", "risk", "strengths", "analysis"}
)


def find_action_candidates(
    text: str,
    lines: list[Line],
    abbreviations: frozenset[str],
    broad: bool = False,
    roles: Sequence[tuple[int, int]] = (),
) -> list[ActionCandidate]:
    """Action items by layout rules (``broad=False``), or every plausible candidate for a trained filter.

    Broad candidates cover every table row, list item, "Action:" field and modal sentence; the model's
    action detector, trained on annotated plans, then decides which are actions.

    Args:
        roles: Sorted character offsets of the document's role spans (:func:`role_offsets` of
            ``doc.spans["roles"]``, the spans the trained path's features read too).
    """
    if broad:
        scope = [ln for ln in lines if ln.kind is not LineKind.BOILERPLATE]
    else:
        category: str | None = None
        scope = []
        for line in lines:
            if line.kind is LineKind.HEADING:
                category = line.heading_category
            if category not in _DESCRIPTIVE_CATEGORIES:
                scope.append(line)
    # A row of a table laid out with spaces is one candidate, its cells read as a table row's; the lines it spans
    # are not read again as list items or prose.
    aligned = [
        ActionCandidate(row.start, row.end, "table", row.fields)
        for row in aligned_table_rows(text, lines, COLUMN_NAMES)
        if broad or row.fields.get("action", "").strip()
    ]
    candidates = aligned + [
        c
        for c in _table_candidates(text, lines, broad, roles)
        + _field_block_candidates(scope)
        + _list_candidates(text, scope, broad, roles)
        + _prose_candidates(text, scope, abbreviations, broad, roles)
        if not any(c.start < row.end and row.start < c.end for row in aligned)
    ]
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[ActionCandidate] = []
    for cand in candidates:
        if kept and cand.start < kept[-1].end:
            continue
        kept.append(cand)
    return kept


class ActionExtractor:
    def __init__(self, nlp: Language, name: str, section_rules_path: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.nlp = nlp
        self.rules = load_section_rules(Path(section_rules_path) if section_rules_path else None)
        self.abbreviations = load_abbreviations()
        self._own_roles: RoleMatcher | None = None

    def _roles(self, doc: Doc) -> list[tuple[int, int]]:
        if "roles" in doc.spans:
            return role_offsets(doc.spans["roles"])
        # A pipeline without assessqa_roles before this component: the same detection, run here, not stored.
        if self._own_roles is None:
            self._own_roles = RoleMatcher(self.nlp)
        return role_offsets(self._own_roles(doc))

    def __call__(self, doc: Doc) -> Doc:
        lines = ensure_lines(doc, self.rules)
        roles = self._roles(doc)
        for key, broad in (("action_items", False), ("action_candidates", True)):
            spans = []
            for cand in find_action_candidates(source_text(doc), lines, self.abbreviations, broad=broad, roles=roles):
                span = doc.char_span(cand.start, cand.end, label=cand.layout, alignment_mode="expand")
                if span is None:
                    continue
                span._.action_fields = cand.fields or None
                spans.append(span)
            doc.spans[key] = spans
        return doc


@Language.factory("assessqa_actions", default_config={"section_rules_path": None})
def make_actions(nlp: Language, name: str, section_rules_path: str | None) -> ActionExtractor:
    return ActionExtractor(nlp, name, section_rules_path)
