"""A first look at the action detector alone, each writer held out (#11: action recall out of style).

The whole-model leave-one-writer-out run (``style_cv.py``) takes about 20 minutes; this refits only the detector,
on the candidates' representations built once, so that a change to what the detector reads can be tried in a few
minutes before a whole run is spent on it. The representations are built as training builds them
(``training.fit``: segmented by the scoring pipeline's own stages, needs from an evidence tagger cross-fitted in five
batch folds). Each variant is the detector's text with some markers taken out, or another regularisation; it is
fitted on every writer but one and read on the held-out writer's candidates at the shipped threshold, 0.5.

Figures are per candidate (a gold action matched to a candidate, as ``fit.parse_documents`` matches them), not the
whole run's extraction figures, which also read the candidates' merging: close to them, not equal. The test and
external splits are not read. Writes ``training/action_detector_dev.json`` (~4 minutes on 2 cores).

    python3 training/action_detector_dev.py
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from assessqa.features import needs_from
from assessqa.features.actions import candidate_reprs
from assessqa.models.config import resolve_config
from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.training.estimators import make_text_classifier
from assessqa.training.fit import fit_cue_tagger, fold_cue_stage, general_check, parse_documents

ROOT = Path(__file__).resolve().parents[1]

# name -> (markers taken out of each representation, detector settings other than the shipped ones)
VARIANTS: dict[str, tuple[str | None, dict]] = {
    "shipped": (None, {}),
    "without layout markers": (r" __layout_\w+?__", {}),
    "without section markers": (r" __sec_\w+?__", {}),
    "without layout or section markers": (r" __(?:layout|sec)_\w+?__", {}),
    "C=1": (None, {"C": 1.0}),
    "C=16": (None, {"C": 16.0}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "action_detector_dev.json")
    args = ap.parse_args()
    started = time.time()
    splits = split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations"))
    docs = splits["train"] + splits["dev"]
    cfg = resolve_config({})
    parsed = parse_documents(docs)
    batches = np.array([p.doc.batch for p in parsed])
    cues = [np.zeros(0)] * len(parsed)
    for train_idx, test_idx in GroupKFold(n_splits=5).split(np.zeros(len(parsed)), groups=batches):
        tagger, columns = fit_cue_tagger([parsed[i] for i in train_idx], cfg)
        general, _, _ = general_check([parsed[i] for i in train_idx], cfg)
        for i, probs in zip(test_idx, fold_cue_stage(tagger, columns, cfg, general)([parsed[i].units for i in test_idx])):
            cues[i] = probs
    reprs = [candidate_reprs(p.candidates, needs_from(p.units, cues[i])) for i, p in enumerate(parsed)]
    writers = np.array([p.doc.batch.split("-")[0] for p in parsed])
    settings = dict(cfg["action_detector"])
    results = {}
    for name, (taken_out, changed) in VARIANTS.items():
        rx = re.compile(taken_out) if taken_out else None
        rows = reprs if rx is None else [[rx.sub("", r) for r in rs] for rs in reprs]
        tp = fp = fn = 0
        recall_by_writer = {}
        for writer in sorted(set(writers)):
            train = [i for i in range(len(parsed)) if writers[i] != writer]
            held = [i for i in range(len(parsed)) if writers[i] == writer and len(rows[i])]
            if not held:
                continue
            detector = make_text_classifier(seed=cfg["seed"], **{**settings, **changed}).fit(
                [r for i in train for r in rows[i]], np.concatenate([parsed[i].is_action for i in train])
            )
            said = detector.predict_proba([r for i in held for r in rows[i]])[:, 1] >= 0.5
            gold = np.concatenate([parsed[i].is_action for i in held]) == 1
            tp += int((said & gold).sum())
            fp += int((said & ~gold).sum())
            fn += int((~said & gold).sum())
            recall_by_writer[writer] = round(float((said & gold).sum() / max(1, gold.sum())), 4)
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        results[name] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(1e-12, precision + recall), 4),
            "recall_by_writer": recall_by_writer,
        }
        print(f"{name}: precision {precision:.4f}, recall {recall:.4f}", flush=True)
    out = {"documents": len(parsed), "threshold": 0.5, "minutes": round((time.time() - started) / 60, 1), "variants": results}
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
