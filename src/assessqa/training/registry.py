"""Model folders side by side: list them, compare two on the same held-out documents, promote one.

``compare`` scores the same documents with both models and gives each figure with a 95% bootstrap interval
(documents resampled, the same resample for both models, so the interval of the difference is paired).
``promote`` refuses a candidate that is worse than the current model on any figure beyond its interval (the
whole interval of the difference on the wrong side of zero), unless forced with a reason; either way the
decision and the comparison are recorded in the candidate's meta.json before it is copied into place.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

from assessqa import errors
from assessqa.models.bundle import expected_calibration_error
from assessqa.models.store import verify_runtime
from assessqa.schemas import ACTION_FLAGS, AnnotatedDocument, DIMENSIONS
from assessqa.scoring import Scorer
from assessqa.training.evaluation import Collected, _kappa, collect_each

# Figures where lower is better; every other figure is better higher.
_LOWER_IS_BETTER = {"ece"}


@dataclass
class ModelEntry:
    path: Path
    version: str
    trained_at: str
    documents: int | None
    test_qwk: dict[str, float]
    promoted: dict[str, Any] | None


def list_models(root: Path) -> list[ModelEntry]:
    """Every model folder directly under ``root`` (one with a meta.json), newest first."""
    out = []
    for folder in sorted(p for p in Path(root).iterdir() if (p / "meta.json").is_file()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        dims = meta.get("metrics", {}).get("dimensions", {})
        out.append(
            ModelEntry(
                path=folder,
                version=str(meta.get("model_version", "?")),
                trained_at=str(meta.get("trained_at", "")),
                documents=meta.get("training_data", {}).get("documents"),
                test_qwk={d: v.get("qwk") for d, v in dims.items()},
                promoted=meta.get("promotion"),
            )
        )
    return sorted(out, key=lambda e: e.trained_at, reverse=True)


def figures(parts: list[Collected]) -> dict[str, float | None]:
    """The compared figures of pooled per-document results."""
    pooled = Collected()
    for part in parts:
        pooled.merge(part)
    out: dict[str, float | None] = {}
    for dim in DIMENSIONS:
        gold, pred = pooled.gold_grades.get(dim, []), pooled.pred_grades.get(dim, [])
        out[f"qwk:{dim}"] = _kappa(gold, pred, "quadratic") if len(gold) >= 2 else None
    tp, fp, fn = (pooled.extraction[k] for k in ("tp", "fp", "fn"))
    out["action_precision"] = tp / (tp + fp) if tp + fp else None
    out["action_recall"] = tp / (tp + fn) if tp + fn else None
    for flag in ACTION_FLAGS:
        out[f"kappa:{flag}"] = _kappa(pooled.flag_gold.get(flag, []), pooled.flag_pred.get(flag, []))
    dims = [d for d in DIMENSIONS if pooled.gold_grades.get(d)]
    if dims:
        proba = np.vstack([np.array(pooled.probas[d]) for d in dims])
        y = np.concatenate([np.array(pooled.gold_grades[d]) - 1 for d in dims])
        out["ece"] = expected_calibration_error(proba, y)
    return out


@dataclass
class Comparison:
    a: str
    b: str
    documents: int
    # figure -> (a, b, difference b - a, low, high) with the 95% interval of the difference.
    rows: dict[str, tuple[float | None, float | None, float | None, float | None, float | None]] = field(default_factory=dict)
    changed: list[tuple[str, str, int, int]] = field(default_factory=list)

    def worse(self) -> list[str]:
        """Figures on which B is worse than A beyond the interval of the difference."""
        bad = []
        for name, (_, _, diff, low, high) in self.rows.items():
            if diff is None or low is None or high is None:
                continue
            if (name in _LOWER_IS_BETTER and low > 0) or (name not in _LOWER_IS_BETTER and high < 0):
                bad.append(name)
        return bad

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "figures": {k: dict(zip(("a", "b", "difference", "low", "high"), (None if x is None else round(x, 4) for x in v))) for k, v in self.rows.items()},
            "grades_changed": len(self.changed),
            "worse_beyond_interval": self.worse(),
        }


def compare(
    a: Scorer, b: Scorer, docs: list[AnnotatedDocument], resamples: int = 500, seed: int = 0, progress: Callable[[], None] | None = None
) -> Comparison:
    """Both models on the same documents, with paired bootstrap intervals of each difference."""
    parts_a = collect_each(a, docs, progress)
    parts_b = collect_each(b, docs, progress)
    fa, fb = figures(parts_a), figures(parts_b)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in fa}
    n = len(docs)
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        ra, rb = figures([parts_a[i] for i in idx]), figures([parts_b[i] for i in idx])
        for k in draws:
            if ra.get(k) is not None and rb.get(k) is not None:
                draws[k].append(rb[k] - ra[k])
    out = Comparison(a.model_version, b.model_version, n)
    for k in fa:
        diff = None if fa[k] is None or fb[k] is None else fb[k] - fa[k]
        d = draws[k]
        low, high = (float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5))) if len(d) >= 20 else (None, None)
        out.rows[k] = (fa[k], fb[k], diff, low, high)
    for doc, pa, pb in zip(docs, parts_a, parts_b):
        for dim in pa.pred_grades:
            ga, gb = pa.pred_grades[dim][0], pb.pred_grades[dim][0]
            if ga != gb:
                out.changed.append((doc.id, dim, ga, gb))
    return out


def promote(candidate: Path, target: Path, comparison: Comparison, force: bool = False, reason: str | None = None) -> dict[str, Any]:
    """Copy ``candidate`` into ``target`` (the folder scoring loads) after recording the decision in its meta.json.

    Raises :class:`assessqa.errors.ModelError` (E108) when the candidate is worse beyond an interval and not forced.
    """
    worse = comparison.worse()
    if worse and not force:
        raise errors.promotion_refused(str(candidate), worse)
    if force and not reason:
        raise errors.promotion_refused(str(candidate), ["--force needs --reason, which is recorded in meta.json"])
    verify_runtime(candidate)  # only a folder that loads, with twins that match its estimators, is promoted
    meta_path = Path(candidate) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    record = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "replaced": comparison.a,
        "forced": bool(worse),
        "reason": reason or "no figure worse beyond its 95% interval",
        "comparison": comparison.as_dict(),
    }
    meta["promotion"] = record
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    # meta.json changed, so an old signature no longer holds: the promoted folder must be signed again.
    signature = Path(candidate) / "meta.json.sig"
    if signature.exists():
        signature.unlink()
    if Path(target).resolve() != Path(candidate).resolve():
        staging = Path(target).with_name(Path(target).name + ".promoting")
        if staging.exists():
            shutil.rmtree(staging)
        shutil.copytree(candidate, staging)
        if Path(target).exists():
            shutil.rmtree(target)
        staging.rename(target)
    return record
