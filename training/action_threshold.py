"""Choose the action detector's threshold out of style, from leave-one-writer-out candidates.

    python3 training/style_cv.py --out training/style_cv.json --candidates training/style_cv_candidates.jsonl
    python3 training/action_threshold.py        # -> training/action_threshold.json

Every row of the candidates file is a plan a detector never saw the writer of, with every action candidate and
the detector's probability. At each threshold of the grid the kept candidates are matched with the annotated
actions as evaluation matches them (``training.evaluation.match_actions``), pooled over all plans; the threshold
with the highest F1 is chosen (the higher on a tie: fewer false actions). Per-writer figures at the chosen and the
current threshold are kept beside it. Plan grades read the detected actions, so a threshold chosen here is
measured again by a leave-one-writer-out run with it (training/README.md, "0.4.5"). The external split is never
read.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from assessqa.models.config import resolve_config
from assessqa.training.evaluation import match_actions

HERE = Path(__file__).resolve().parent
GRID = tuple(round(float(t), 2) for t in np.arange(0.15, 0.701, 0.05))


def figures(plans: list[dict], threshold: float) -> dict:
    """Pooled precision, recall and F1 of the candidates kept at ``threshold``."""
    tp = fp = fn = 0
    for plan in plans:
        kept = [(s, e) for s, e, p in plan["candidates"] if p >= threshold]
        pairs = match_actions([tuple(g) for g in plan["gold"]], kept)
        tp += len(pairs)
        fp += len(kept) - len(pairs)
        fn += len(plan["gold"]) - len(pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "tp": tp, "fp": fp, "fn": fn,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def choose(plans: list[dict], grid: tuple[float, ...] = GRID) -> tuple[float, list[dict]]:
    table = [figures(plans, t) for t in grid]
    best = max(table, key=lambda row: (row["f1"], row["threshold"]))
    return best["threshold"], table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=Path, default=HERE / "style_cv_candidates.jsonl")
    ap.add_argument("--out", type=Path, default=HERE / "action_threshold.json")
    args = ap.parse_args()
    plans = [json.loads(line) for line in args.candidates.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen, table = choose(plans)
    current = resolve_config()["action_threshold"]
    by_writer: dict[str, list[dict]] = defaultdict(list)
    for plan in plans:
        by_writer[plan["group"]].append(plan)
    result = {
        "candidates": args.candidates.name,
        "plans": len(plans),
        "current_threshold": current,
        "chosen_threshold": chosen,
        "grid": table,
        "per_writer": {
            g: {"current": figures(p, current), "chosen": figures(p, chosen)} for g, p in sorted(by_writer.items())
        },
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("| threshold | precision | recall | F1 |\n|---|---|---|---|")
    for row in table:
        print(f"| {row['threshold']:.2f} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} |")
    print(f"chosen {chosen} (now {current}); wrote {args.out}")


if __name__ == "__main__":
    main()
