"""Which documents to annotate next: those the model is least sure of, spread across dimensions and layouts.

Uncertainty of a grade is one minus the probability of the grade given (a grade given at 0.4 is less sure than
one at 0.9). Picking takes turns over the dimensions, and within a dimension prefers the layout picked least so
far, so that 50 documents are not all one council's export where one dimension happens to be hard.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from assessqa.report.drift import record_length
from assessqa.schemas import DIMENSIONS, ScoreRecord


@dataclass(frozen=True)
class Pick:
    id: str
    dimension: str
    grade: int
    confidence: float
    layout: str


def layout_of(record: ScoreRecord) -> str:
    """A coarse layout signature from the record alone: type, headings, table actions, length band."""
    table = any(" | " in a.text or "\t" in a.text for a in record.actions)
    length = record_length(record)
    band = "short" if length < 1500 else "long" if length > 6000 else "medium"
    headed = "headed" if record.sections else "no headings"
    return f"{record.doc_type}, {headed}{', table actions' if table else ''}, {band}"


def sample(records: list[ScoreRecord], n: int) -> list[Pick]:
    """Up to ``n`` documents, each picked once, for the next annotation round."""
    pools: dict[str, list[Pick]] = {d: [] for d in DIMENSIONS}
    for r in records:
        if not r.id:
            continue
        layout = layout_of(r)
        for dim, result in r.dimensions.items():
            if result is not None:
                pools[dim].append(Pick(r.id, dim, result.grade, result.probabilities[str(result.grade)], layout))
    for pool in pools.values():
        pool.sort(key=lambda p: p.confidence)
    chosen: list[Pick] = []
    taken: set[str] = set()
    layouts: Counter = Counter()
    active = [d for d in DIMENSIONS if pools[d]]
    while len(chosen) < n and active:
        for dim in list(active):
            candidates = [p for p in pools[dim] if p.id not in taken]
            if not candidates:
                active.remove(dim)
                continue
            # Among the ten least sure for this dimension, the one whose layout has been picked least.
            best = min(candidates[:10], key=lambda p: (layouts[p.layout], p.confidence))
            chosen.append(best)
            taken.add(best.id)
            layouts[best.layout] += 1
            if len(chosen) >= n:
                break
    return chosen
