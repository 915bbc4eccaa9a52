"""Has this month's batch moved away from what the model was measured on?

A batch's score records are compared with a reference profile of the same model's records on held-out documents
(``reference.json`` in the model folder, written at release by ``training/reference.py``): the grade distribution
of each dimension, the share of grades needing review, document length, and the layout (document type, plans in
tables, documents without headings). Each comparison is a test with a named effect size; the verdict says in words
what moved and whether retraining is advised.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import chi2_contingency, ks_2samp

from assessqa import errors
from assessqa.report.output import read_records
from assessqa.schemas import DIMENSIONS, ScoreRecord

# A shift is reported when the test's p-value is below ALPHA *and* the effect is large enough to matter:
# with thousands of documents a trivial shift is "significant".
ALPHA = 0.01
MIN_TOTAL_VARIATION = 0.15  # grade distributions: half the summed absolute difference of shares
MIN_REVIEW_POINTS = 0.10  # review share: percentage points (as a fraction)
MIN_KS = 0.25  # length: Kolmogorov-Smirnov distance
MIN_LAYOUT_POINTS = 0.20


def record_length(record: ScoreRecord) -> int:
    """Characters the document spans, from the furthest offset the record names (sections cover the text)."""
    ends = [s.end for s in record.sections] + [a.end for a in record.actions]
    ends += [e.end for r in record.dimensions.values() if r is not None for e in r.evidence]
    return max(ends, default=0)


def profile(records: list[ScoreRecord]) -> dict[str, Any]:
    """What the drift check compares: per-dimension grade counts, review counts, lengths and layout counts."""
    grades = {d: Counter() for d in DIMENSIONS}
    review = graded = 0
    for r in records:
        for dim, result in r.dimensions.items():
            if result is not None:
                grades[dim][result.grade] += 1
                graded += 1
                review += result.needs_review
    layout = Counter()
    for r in records:
        layout[f"type:{r.doc_type}"] += 1
        if r.doc_type == "plan" and any(" | " in a.text or "\t" in a.text for a in r.actions):
            layout["plan_in_table"] += 1
        if not r.sections:
            layout["no_headings"] += 1
    return {
        "documents": len(records),
        "grades": {d: {str(g): c[g] for g in (1, 2, 3, 4)} for d, c in grades.items() if sum(c.values())},
        "review": review,
        "graded": graded,
        "lengths": sorted(record_length(r) for r in records),
        "layout": dict(layout),
    }


@dataclass
class Shift:
    what: str
    detail: str
    p_value: float
    effect: float


@dataclass
class DriftReport:
    documents: int
    reference_documents: int
    shifts: list[Shift] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def retrain_advised(self) -> bool:
        # One shifted grade distribution can be a genuinely weaker month; a shift in what the documents look
        # like (length, layout) or in how unsure the model is says the training data no longer matches.
        kinds = {s.what.split(":")[0] for s in self.shifts}
        return bool(kinds & {"length", "layout", "review"}) or len(self.shifts) >= 3

    def summary(self) -> str:
        if not self.shifts:
            return (
                f"No drift: {self.documents} documents look like the {self.reference_documents} the model was measured on "
                f"({len(self.checked)} comparisons). No retraining needed."
            )
        lines = [f"{len(self.shifts)} of {len(self.checked)} comparisons moved ({self.documents} documents against {self.reference_documents}):"]
        lines += [f"- {s.detail} (p = {s.p_value:.1g})" for s in self.shifts]
        lines.append(
            "Retraining is advised: annotate a sample of these documents (assessqa annotations sample) and retrain."
            if self.retrain_advised
            else "Retraining is not advised yet: the documents look as before, but their grades moved; check whether practice changed."
        )
        return "\n".join(lines)


def _table(a: dict[str, int], b: dict[str, int], keys: list[str]) -> np.ndarray:
    table = np.array([[a.get(k, 0) for k in keys], [b.get(k, 0) for k in keys]], dtype=float)
    return table[:, table.sum(axis=0) > 0]


def compare(batch: dict[str, Any], reference: dict[str, Any]) -> DriftReport:
    """Compare a batch profile with the reference profile."""
    report = DriftReport(batch["documents"], reference["documents"])
    for dim, ref_counts in reference["grades"].items():
        counts = batch["grades"].get(dim)
        if not counts or sum(counts.values()) < 10:
            continue
        report.checked.append(f"grades:{dim}")
        table = _table(counts, ref_counts, ["1", "2", "3", "4"])
        if table.shape[1] < 2:
            continue
        p = float(chi2_contingency(table)[1])
        shares = table / table.sum(axis=1, keepdims=True)
        tv = float(0.5 * np.abs(shares[0] - shares[1]).sum())
        if p < ALPHA and tv >= MIN_TOTAL_VARIATION:
            mean_new = sum(int(g) * c for g, c in counts.items()) / sum(counts.values())
            mean_ref = sum(int(g) * c for g, c in ref_counts.items()) / sum(ref_counts.values())
            way = "lower" if mean_new < mean_ref else "higher"
            report.shifts.append(Shift(f"grades:{dim}", f"{dim.replace('_', ' ')} grades are {way}: mean {mean_new:.2f} against {mean_ref:.2f}", p, tv))
    if batch["graded"] >= 10 and reference["graded"]:
        report.checked.append("review")
        table = np.array([[batch["review"], batch["graded"] - batch["review"]], [reference["review"], reference["graded"] - reference["review"]]], dtype=float)
        share, ref_share = batch["review"] / batch["graded"], reference["review"] / reference["graded"]
        p = float(chi2_contingency(table)[1]) if table.min() >= 0 and table.sum(axis=0).all() else 1.0
        if p < ALPHA and abs(share - ref_share) >= MIN_REVIEW_POINTS:
            report.shifts.append(Shift("review", f"grades needing review: {100 * share:.0f}% against {100 * ref_share:.0f}%", p, abs(share - ref_share)))
    if len(batch["lengths"]) >= 10:
        report.checked.append("length")
        result = ks_2samp(batch["lengths"], reference["lengths"])
        if result.pvalue < ALPHA and result.statistic >= MIN_KS:
            med, ref_med = float(np.median(batch["lengths"])), float(np.median(reference["lengths"]))
            way = "shorter" if med < ref_med else "longer"
            report.shifts.append(
                Shift("length", f"documents are {way}: median {med:,.0f} characters against {ref_med:,.0f}", float(result.pvalue), float(result.statistic))
            )
    n, ref_n = batch["documents"], reference["documents"]
    for key in sorted(set(reference["layout"]) | set(batch["layout"])):
        if n < 10:
            break
        report.checked.append(f"layout:{key}")
        a, b = batch["layout"].get(key, 0), reference["layout"].get(key, 0)
        table = np.array([[a, n - a], [b, ref_n - b]], dtype=float)
        if (table.sum(axis=0) == 0).any():
            continue
        p = float(chi2_contingency(table)[1])
        if p < ALPHA and abs(a / n - b / ref_n) >= MIN_LAYOUT_POINTS:
            report.shifts.append(Shift(f"layout:{key}", f"{_layout_words(key)}: {100 * a / n:.0f}% of documents against {100 * b / ref_n:.0f}%", p, abs(a / n - b / ref_n)))
    return report


def _layout_words(key: str) -> str:
    if key.startswith("type:"):
        return f"{key[5:]}s"
    return {"plan_in_table": "plans whose actions are table rows", "no_headings": "documents without headings"}.get(key, key)


def read_scored(path: Path) -> list[ScoreRecord]:
    """The scored records of a JSONL file (error records are skipped)."""
    return [r for r in read_records(path) if isinstance(r, ScoreRecord)]


def load_reference(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / "reference.json"
    if not path.is_file():
        raise errors.model_corrupt(str(model_dir), "reference.json is missing: write it with python3 training/reference.py")
    return json.loads(path.read_text(encoding="utf-8"))
