"""What audit tools miss: is each child seen, is the writing description or analysis, is the conclusion too rosy?

Built from the evidence tagger's sentence probabilities, so it adds no model of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assessqa.features import SentenceUnit, quality_hit
from assessqa.features.markers import Caseless
from assessqa.segment.people import named_children
from assessqa.schemas import CUES

_CONCLUSION_RE = re.compile(
    r"\b(?:no (?:safeguarding |further |ongoing )?concerns?|no further action|nfa|clos(?:e|ing|ed) the case|case (?:will|can|to) be closed|"
    r"step(?:ped)? down to (?:universal|early help)|low risk|no risk|not at risk|risks? (?:is|are) (?:minimal|low)|"
    r"no (?:role|need) for (?:children's )?social care)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ChildCoverage:
    name: str
    age: int
    mentions: int
    daily_life: bool
    views: bool


_PRONOUN = re.compile(r"\b(?:he|she|his|her|him|they|them|their)\b", re.IGNORECASE)


def _sentences_about(children: list[str], units: list[SentenceUnit]) -> dict[str, list[int]]:
    """Sentences about each child: those naming them, and a following sentence that names no child but refers
    back by pronoun to the one child named just before ("Zainab (8) ... She told me, '...'")."""
    words = {name: re.compile(rf"\b{re.escape(name)}\b") for name in children}
    rows: dict[str, list[int]] = {name: [] for name in children}
    last: list[str] = []
    for i, unit in enumerate(units):
        # The substring test first: far cheaper than the word-boundary search, and needed by it.
        named = [name for name, word in words.items() if name in unit.text and word.search(unit.text)]
        if named:
            for name in named:
                rows[name].append(i)
            last = named
        elif len(last) == 1 and _PRONOUN.search(unit.text):
            rows[last[0]].append(i)
        else:
            last = []
    return rows


def child_coverage(
    text: str,
    units: list[SentenceUnit],
    cue_probs: np.ndarray,
    threshold: float = 0.5,
    voice_shown: list[tuple[int, int]] | None = None,
    children: list[tuple[str, int]] | None = None,
) -> list[ChildCoverage]:
    """For each named child: is their own day described, and are their own views (or observed responses) recorded?

    ``voice_shown`` holds the spans the record shows as child_voice or observation evidence: a sentence about a
    child shown there counts as their views, so the record never quotes a child's words and says none are recorded.
    """
    daily = [CUES.index("daily_life"), CUES.index("observation")]
    voice = [CUES.index("child_voice"), CUES.index("observation")]
    shown = set(voice_shown or [])
    children = named_children(text) if children is None else children
    about = _sentences_about([name for name, _ in children], units)
    out = []
    for name, age in children:
        rows = about[name]
        word = re.compile(rf"\b{re.escape(name)}\b")
        mentions = sum(1 for u in units if name in u.text and word.search(u.text))
        out.append(
            ChildCoverage(
                name=name,
                age=age,
                mentions=mentions,
                daily_life=bool(rows) and bool((cue_probs[rows][:, daily] >= threshold).any()),
                views=bool(rows)
                and (bool((cue_probs[rows][:, voice] >= threshold).any()) or any((units[i].start, units[i].end) in shown for i in rows)),
            )
        )
    return out


def description_analysis(units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5) -> tuple[float, float]:
    """Shares of sentences that recount incidents and that analyse impact or likelihood."""
    if not units:
        return 0.0, 0.0
    impact = cue_probs[:, CUES.index("impact_analysis")] >= threshold
    reasoning = np.array([quality_hit(u.text, "reasoning") for u in units])
    describes = np.array([quality_hit(u.text, "description") for u in units])
    analysis = impact | (reasoning & ~describes)
    description = describes & ~analysis
    return round(float(description.mean()), 4), round(float(analysis.mean()), 4)


_HARM_RE = re.compile(
    r"\b(?:injur\w*|fracture\w*|bruis\w*|burns?|assault\w*|violen\w*|hit|punch\w*|strangl\w*|police|hospital|a&e|"
    r"self-harm\w*|overdos\w*|missing|exploit\w*|weapon|knife|drunk|intoxicated|disclos\w*|sexual\w*|neglect\w*|"
    r"unexplained|non-accidental)\b",
    re.IGNORECASE,
)
_CONCLUSIONS, _HARMS = Caseless(_CONCLUSION_RE), Caseless(_HARM_RE)


def over_optimism(units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5) -> tuple[SentenceUnit | None, int]:
    """A reassuring conclusion ("no safeguarding concerns", "close the case") written despite recorded risks.

    Returns the conclusion sentence (or None) and how many sentences record a risk or a harm (a risk statement,
    or an incident of harm described: over-optimistic documents tend to describe rather than name risks).
    """
    risk_col = CUES.index("risk_statement")
    risks = sum(
        1
        for i, unit in enumerate(units)
        if not _CONCLUSIONS.found(unit.text) and (cue_probs[i, risk_col] >= threshold or _HARMS.found(unit.text))
    )
    # One recorded harm is enough: "no safeguarding concerns" after a single police call-out is the pattern.
    if risks < 1:
        return None, risks
    for unit in reversed(units):  # conclusions come last
        if _CONCLUSIONS.found(unit.text):
            return unit, risks
    return None, risks
