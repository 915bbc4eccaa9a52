"""What audit tools miss: is each child seen, is the writing description or analysis, is the conclusion too rosy?

Built from the evidence tagger's sentence probabilities, so it adds no model of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assessqa.features import QUALITY_PATTERNS, SentenceUnit, named_children
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


def child_coverage(text: str, units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5) -> list[ChildCoverage]:
    """For each named child: is their own day described, and are their own views (or observed responses) recorded?"""
    daily = [CUES.index("daily_life"), CUES.index("observation")]
    voice = [CUES.index("child_voice"), CUES.index("observation")]
    out = []
    for name, age in named_children(text):
        word = re.compile(rf"\b{re.escape(name)}\b")
        rows = [i for i, u in enumerate(units) if word.search(u.text)]
        out.append(
            ChildCoverage(
                name=name,
                age=age,
                mentions=len(rows),
                daily_life=bool(rows) and bool((cue_probs[rows][:, daily] >= threshold).any()),
                views=bool(rows) and bool((cue_probs[rows][:, voice] >= threshold).any()),
            )
        )
    return out


def description_analysis(units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5) -> tuple[float, float]:
    """Shares of sentences that recount incidents and that analyse impact or likelihood."""
    if not units:
        return 0.0, 0.0
    impact = cue_probs[:, CUES.index("impact_analysis")] >= threshold
    reasoning = np.array([bool(QUALITY_PATTERNS["reasoning"].search(u.text)) for u in units])
    describes = np.array([bool(QUALITY_PATTERNS["description"].search(u.text)) for u in units])
    analysis = impact | (reasoning & ~describes)
    description = describes & ~analysis
    return round(float(description.mean()), 4), round(float(analysis.mean()), 4)


_HARM_RE = re.compile(
    r"\b(?:injur\w*|fracture\w*|bruis\w*|burns?|assault\w*|violen\w*|hit|punch\w*|strangl\w*|police|hospital|a&e|"
    r"self-harm\w*|overdos\w*|missing|exploit\w*|weapon|knife|drunk|intoxicated|disclos\w*|sexual\w*|neglect\w*|"
    r"unexplained|non-accidental)\b",
    re.IGNORECASE,
)


def over_optimism(units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5) -> tuple[SentenceUnit | None, int]:
    """A reassuring conclusion ("no safeguarding concerns", "close the case") written despite recorded risks.

    Returns the conclusion sentence (or None) and how many sentences record a risk or a harm (a risk statement,
    or an incident of harm described: over-optimistic documents tend to describe rather than name risks).
    """
    risk_col = CUES.index("risk_statement")
    risks = sum(
        1
        for i, unit in enumerate(units)
        if not _CONCLUSION_RE.search(unit.text) and (cue_probs[i, risk_col] >= threshold or _HARM_RE.search(unit.text))
    )
    if risks < 2:
        return None, risks
    for unit in reversed(units):  # conclusions come last
        if _CONCLUSION_RE.search(unit.text):
            return unit, risks
    return None, risks
