"""Grouped cross-validation of the whole model on train+dev: grades, calibration and keyword stuffing.

Each of 5 folds (whole writing batches) is held out in turn from a model trained on the others with the given
configuration, so every train+dev document is graded once by a model that never saw its batch. This gives five
times dev's documents for comparing two configurations, and per-dimension calibration on ~159 documents instead
of the test split's 61. The test split is never read.

    python3 training/grade_cv.py --config '{"evidence_floor": 0.2}' --out training/grade_cv_floor02.json
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.config import Settings
from assessqa.training.evaluation import calibration_metrics, grade_metrics
from assessqa.training.fit import train_model
from assessqa.training.robustness import stuff_keywords
from assessqa.schemas import DIMENSIONS
from assessqa.scoring import Scorer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("annotations"))
    ap.add_argument("--config", default="{}", help="JSON object overriding the training configuration")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    config = json.loads(args.config)
    splits = split_documents(load_corpus(args.data), load_splits(args.data / "splits.json"))
    docs = splits["train"] + splits["dev"]
    groups = np.array([d.batch for d in docs])
    gold, pred, proba = defaultdict(list), defaultdict(list), defaultdict(list)
    raised = defaultdict(int)
    for k, (train_idx, test_idx) in enumerate(GroupKFold(n_splits=args.folds).split(np.zeros(len(docs)), groups=groups)):
        print(f"fold {k + 1}/{args.folds}: training on {len(train_idx)} documents", flush=True)
        scorer = Scorer(train_model([docs[i] for i in train_idx], config, model_version=f"cv-{k}"), Settings())
        for i in test_idx:
            doc = docs[i]
            plain = scorer.analyse(doc.text, doc.doc_type)
            stuffed = scorer.analyse(stuff_keywords(doc.text), doc.doc_type)
            for dim, probs in plain.grade_probs.items():
                grade = scorer.model.grade_from(probs)
                gold[dim].append(doc.grades[dim])
                pred[dim].append(grade)
                proba[dim].append([probs[g] for g in (1, 2, 3, 4)])
                raised[dim] += int(scorer.model.grade_from(stuffed.grade_probs[dim]) > grade)
    abstain = scorer.model.config["abstain_below"]
    out = {"documents": len(docs), "folds": args.folds, "config_overrides": config, "model_config": scorer.model.config, "dimensions": {}}
    print("| dimension | n | QWK | within one | ECE | ECE of a calibrated model (mean / p95) | confidence − accuracy | stuffing raised |")
    print("|---|---|---|---|---|---|---|---|")
    for dim in DIMENSIONS:
        m = grade_metrics(gold[dim], pred[dim])
        cal = calibration_metrics(np.array(proba[dim]), np.array(gold[dim]), abstain, np.array(pred[dim]))
        floor = cal["ece_if_perfectly_calibrated"]
        p = np.array(proba[dim])
        # Positive: the grade given is right less often than its probability says (over-confident).
        gap = float(p[np.arange(len(p)), np.array(pred[dim]) - 1].mean() - (np.array(pred[dim]) == np.array(gold[dim])).mean())
        out["dimensions"][dim] = {"qwk": m["qwk"], "within_one": m["within_one"], "n": m["n"], "ece": cal["ece"],
                                  "ece_if_perfectly_calibrated": floor, "confidence_minus_accuracy": round(gap, 4),
                                  "stuffing_raised": raised[dim]}
        print(f"| {dim} | {m['n']} | {m['qwk']:.3f} | {m['within_one']:.3f} | {cal['ece']:.3f} | "
              f"{floor['mean']:.3f} / {floor['p95']:.3f} | {gap:+.3f} | {raised[dim]} |")
    total = sum(raised.values())
    print(f"stuffing raised {total} of {sum(len(v) for v in gold.values())} grades")
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
