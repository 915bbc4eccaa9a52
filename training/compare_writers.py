"""Two leave-one-writer-out runs compared on the writers both held out.

    git show df90afb:training/style_cv_predictions.jsonl > /tmp/before_predictions.jsonl   # 0.4.5's run
    git show df90afb:training/style_cv_candidates.jsonl > /tmp/before_candidates.jsonl
    python3 training/compare_writers.py --before /tmp/before_predictions.jsonl /tmp/before_candidates.jsonl \\
        --after training/style_cv_predictions.jsonl training/style_cv_candidates.jsonl --out training/writers_h14_h15.json
    # the h14/h15 plans' run at its own threshold, against 0.4.5's at 0.40:
    python3 training/compare_writers.py --before /tmp/before_predictions.jsonl /tmp/before_candidates.jsonl \
        --after PREDICTIONS CANDIDATES --threshold 0.5 --before-threshold 0.4 --out training/writers_h14_h15_plans_050.json

    # with the two runs' development probes on the same writers (the h20-h23 rule; 0.4.12's run against the
    # general-text run on 19 writers):
    python3 training/compare_writers.py --before training/style_cv_general_blind_predictions.jsonl \
        training/style_cv_general_blind_candidates.jsonl --after training/style_cv_predictions.jsonl \
        training/style_cv_candidates.jsonl --runs training/style_cv_general_blind.json training/style_cv.json \
        --out training/writers_h20_h23.json

When writers are added to the corpus, a new run holds out more writers and its pooled figures cover more
documents; compared on the writers both runs held out, the two runs grade the same documents. Pooled QWK per
dimension comes from the predictions files (``style_cv.py --predictions``); action precision, recall and F1 at the
threshold come from the candidates files (``--candidates``), matched as evaluation matches them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from assessqa.models.config import resolve_config
from assessqa.training.evaluation import grade_metrics

HERE = Path(__file__).resolve().parent


def _threshold_module():
    spec = importlib.util.spec_from_file_location("action_threshold", HERE / "action_threshold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def figures(predictions: list[dict], candidates: list[dict], writers: set[str], threshold: float) -> dict:
    by_dim: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for row in predictions:
        if row["group"] in writers:
            by_dim[row["dimension"]][0].append(row["gold"])
            by_dim[row["dimension"]][1].append(row["grade"])
    qwk = {dim: grade_metrics(gold, pred)["qwk"] for dim, (gold, pred) in sorted(by_dim.items())}
    actions = _threshold_module().figures([c for c in candidates if c["group"] in writers], threshold)
    return {"qwk": qwk, "mean_qwk": round(float(np.mean(list(qwk.values()))), 4), "actions": actions}


def fold_probes(run: dict, writers: set[str]) -> dict:
    """The development probes of ``style_cv.py --probes`` summed over the folds of ``writers`` (``per_fold``)."""
    folds = [f["probes"] for w, f in run["per_fold"].items() if w in writers and "probes" in f]
    return {
        "stuffing_total": sum(f["stuffing_total"] for f in folds),
        "sentence_salad_3_4_without_review": sum(f["sentence_salad_3_4_without_review"] for f in folds),
        "blind_total": sum(f.get("blind_total", 0) for f in folds),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, nargs=2, required=True, metavar=("PREDICTIONS", "CANDIDATES"))
    ap.add_argument("--after", type=Path, nargs=2, required=True, metavar=("PREDICTIONS", "CANDIDATES"))
    ap.add_argument("--threshold", type=float, default=None, help="action threshold (default: the configured one)")
    ap.add_argument("--before-threshold", type=float, default=None,
                    help="the first run's action threshold, when it shipped with another (default: --threshold)")
    ap.add_argument("--runs", type=Path, nargs=2, default=None, metavar=("BEFORE_RUN", "AFTER_RUN"),
                    help="the two runs' style_cv.json: their development probes on the same writers join the rule "
                         "(stuffing at most 4 and salads at most 10 above, the seed run's movement)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    before = [_rows(p) for p in args.before]
    after = [_rows(p) for p in args.after]
    writers = {r["group"] for r in before[0]} & {r["group"] for r in after[0]}
    threshold = args.threshold if args.threshold is not None else resolve_config()["action_threshold"]
    before_threshold = args.before_threshold if args.before_threshold is not None else threshold
    b, a = figures(*before, writers, before_threshold), figures(*after, writers, threshold)
    rule = {
        "action_f1_higher": a["actions"]["f1"] > b["actions"]["f1"],
        "mean_qwk_not_lower_by_more_than_0.005": a["mean_qwk"] >= b["mean_qwk"] - 0.005,
        "no_dimension_lower_by_more_than_0.02": all(a["qwk"][d] >= b["qwk"][d] - 0.02 for d in b["qwk"]),
    }
    if args.runs:
        b["probes"], a["probes"] = (fold_probes(json.loads(p.read_text(encoding="utf-8")), writers) for p in args.runs)
        rule["stuffing_at_most_4_above"] = a["probes"]["stuffing_total"] <= b["probes"]["stuffing_total"] + 4
        rule["salads_at_most_10_above"] = (
            a["probes"]["sentence_salad_3_4_without_review"] <= b["probes"]["sentence_salad_3_4_without_review"] + 10
        )
    result = {"writers": sorted(writers), "threshold": threshold, "before_threshold": before_threshold, "before": b, "after": a, "rule": rule, "ships": all(rule.values())}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
