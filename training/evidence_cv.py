"""Grouped cross-validation behind the evidence scorer (``features.evidence_context``), on train+dev only.

For each dimension, sentence-level evidence F1 of out-of-fold scores: the tagger's own cue probabilities
against second-stage scorers that read more and more of their context. Folds are whole writing batches
(GroupKFold, 5), for the tagger and for the scorer alike, and the test split is never read.

The scorers here learn from the documents' own sentences only; the shipped ones also see the buzzword sentences
of each training document's stuffed copy, labelled "not evidence". F1 is taken at each variant's best threshold on its own out-of-fold scores, the same optimism for every row;
the shipped model fits its threshold out of fold (``train._fit_evidence_models``).

    python3 training/evidence_cv.py --data annotations --out training/evidence_cv.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.features import dimension_strength, evidence_context
from assessqa.models.bundle import DEFAULT_CONFIG
from assessqa.training.estimators import make_evidence_model
from assessqa.training.fit import evidence_gold, fit_cue_tagger, fold_cue_stage, general_check, parse_documents
from assessqa.schemas import CUES, DIMENSIONS, DIMENSIONS_BY_TYPE, SECTION_CATEGORIES

K = len(CUES)
S = len(SECTION_CATEGORIES) + 1


def _columns(window: int, blocks: set[str]) -> np.ndarray:
    """Columns of ``evidence_context(window=window)`` to keep: own and neighbours, then strongest, section, shape."""
    n_cues = (2 * window + 1) * K
    parts = [np.arange(0, K)]
    if "neighbours" in blocks:
        parts.append(np.arange(K, n_cues))
    if "document" in blocks:
        parts.append(np.arange(n_cues, n_cues + K))
    if "section_shape" in blocks:
        parts.append(np.arange(n_cues + K, n_cues + K + S + 4))
    return np.concatenate(parts)


SHIPPED = DEFAULT_CONFIG["evidence_context"]
SLOWER = {"max_iter": 200, "learning_rate": 0.05}
VARIANTS: list[tuple[str, int, set[str], dict]] = [
    ("scorer: the sentence's own cues", 1, set(), SLOWER),
    ("+ 1 sentence either side", 1, {"neighbours"}, SLOWER),
    ("+ section and shape", 1, {"neighbours", "section_shape"}, SLOWER),
    ("+ document's strongest sentence", 1, {"neighbours", "section_shape", "document"}, SLOWER),
    ("+ 2 sentences either side", 2, {"neighbours", "section_shape", "document"}, SLOWER),
    # Half the trees cost half the time at scoring, for the same F1 (shipped).
    ("same, 100 rounds at rate 0.1 (shipped)", 2, {"neighbours", "section_shape", "document"}, SHIPPED),
]


def best_f1(gold: np.ndarray, score: np.ndarray) -> float:
    return max(f1_score(gold, score >= t, zero_division=0.0) for t in np.arange(0.1, 0.91, 0.05))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("annotations"))
    ap.add_argument("--out", type=Path, default=Path("training/evidence_cv.json"))
    args = ap.parse_args()
    cfg = dict(DEFAULT_CONFIG)
    splits = split_documents(load_corpus(args.data), load_splits(args.data / "splits.json"))
    parsed = [p for p in parse_documents(splits["train"] + splits["dev"]) if len(p.units)]
    groups = np.array([p.doc.batch for p in parsed])
    folds = list(GroupKFold(n_splits=cfg["cv_folds"]).split(np.zeros(len(parsed)), groups=groups))
    oof = [np.zeros((0, K))] * len(parsed)
    for train_idx, test_idx in folds:
        tagger, cols = fit_cue_tagger([parsed[i] for i in train_idx], cfg)
        general, _, _ = general_check([parsed[i] for i in train_idx], cfg)
        for i, probs in zip(test_idx, fold_cue_stage(tagger, cols, cfg, general)([parsed[i].units for i in test_idx])):
            oof[i] = probs
    fold_of = np.zeros(len(parsed), dtype=int)
    for k, (_, test_idx) in enumerate(folds):
        fold_of[test_idx] = k
    contexts = {w: [evidence_context(p.units, oof[i], window=w) for i, p in enumerate(parsed)] for w in (1, 2)}
    table: dict[str, dict[str, float]] = {}
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        idx = [i for i, p in enumerate(parsed) if p.doc.doc_type == doc_type]
        for dim in dims:
            gold = np.concatenate([evidence_gold(parsed[i], dim) for i in idx])
            tagger_score = np.concatenate([dimension_strength(oof[i], dim) for i in idx])
            table.setdefault("tagger alone (0.2.0)", {})[dim] = best_f1(gold, tagger_score)
            rows_fold = np.concatenate([[fold_of[i]] * len(parsed[i].units) for i in idx])
            for name, window, blocks, rounds in VARIANTS:
                keep = _columns(window, blocks)
                X = np.vstack([contexts[window][i] for i in idx])[:, keep]
                score = np.zeros(len(gold))
                for k in range(len(folds)):
                    train, test = rows_fold != k, rows_fold == k
                    model = make_evidence_model(seed=cfg["seed"], **rounds).fit(X[train], gold[train])
                    score[test] = model.predict_proba(X[test])[:, 1]
                table.setdefault(name, {})[dim] = best_f1(gold, score)
            print(dim, {k: round(v[dim], 3) for k, v in table.items()}, flush=True)
    lines = ["| variant | " + " | ".join(DIMENSIONS) + " | mean |", "|---" * (len(DIMENSIONS) + 2) + "|"]
    for name, row in table.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[d]:.3f}" for d in DIMENSIONS) + f" | {np.mean(list(row.values())):.3f} |")
    print("\n".join(lines))
    args.out.write_text(
        json.dumps({"documents": len(parsed), "folds": cfg["cv_folds"], "f1": {k: {d: round(v, 4) for d, v in r.items()} for k, r in table.items()}}, indent=2)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
