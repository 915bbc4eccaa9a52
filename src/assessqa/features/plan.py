"""Plan figures after the models: the share of fully SMART actions, needs without an action, the contingency check."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assessqa.features.actions import ActionUnit, _action_body, link_need
from assessqa.features.documents import quality_hit
from assessqa.features.markers import (
    _CONDITIONAL_RE,
    _PROCESS_RE,
    _PURPOSE_RE,
    _VAGUE_TIME_RE,
    sentence_markers,
)
from assessqa.features.sentences import SentenceUnit
from assessqa.schemas import CUES


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
    consequence = any(quality_hit(t, "consequence") for t in texts)
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
