"""Leave one writing style out: the headline figure for every modelling choice.

Each group of the corpus is held out in turn from a model trained, with the given configuration, on the
others; the held-out predictions of all folds are pooled, and every figure (QWK, action precision and recall,
flag kappa, ECE) is computed once on the pool. Grouped by writer (``--group-by author``, the batch prefix: each
of the corpus's writers has a house style of their own), a model is always scored on a writer it never saw,
which is what a council's records will be. ``--group-by batch`` gives the in-style figure beside it (writing
batches held out, every writer seen in training). The test split and the external split are never read.

    python3 training/style_cv.py --group-by author --out training/style_cv.json
    python3 training/style_cv.py --group-by batch --folds 5 --out training/style_cv_in_style.json
    python3 training/style_cv.py --config '{"evidence_floor": 0.15}'     # compare a change out of style
    python3 training/style_cv.py --predictions training/style_cv_predictions.jsonl   # and keep every held-out grade
    python3 training/style_cv.py --candidates training/style_cv_candidates.jsonl     # and every plan's action candidates
    python3 training/style_cv.py --probes             # and the development stuffing and salad probes per held-out writer
    python3 training/style_cv.py --group-by author --folds 5 --out /tmp/quick.json   # writers held out five groups at a time

``--predictions`` writes one row per held-out grade (document id, writer, dimension, the annotated and the given
grade, the probabilities and the signals of ``assessqa.models.review``): what
``training/review_rule.py`` learns when a grade is likely wrong from. ``--candidates`` writes one row per held-out
plan (its annotated actions, every action candidate and the detector's probability): what
``training/action_threshold.py`` chooses the detector's threshold from. Ids, offsets and figures only, never text.
``--probes`` runs ``training/stuffing_dev.py`` (stuffing and sentence salad written for choosing, not the reported
probes) on each fold's held-out documents and adds the pooled counts as ``probes``.

``--group-by author`` holds out one writer per fold by default; with ``--folds K`` (K smaller than the number of
writers) the writers are held out K groups at a time: fewer trainings, for a first look at a change; every choice
is still made on the full run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.config import Settings
from assessqa.features import FEATURES_VERSION
from assessqa.training.evaluation import Collected, collect, summarise
from assessqa.training.fit import train_model
from assessqa.models.review import review_signals
from assessqa.scoring import Scorer


def group_of(batch: str, how: str) -> str:
    return batch.split("-")[0] if how == "author" else batch


def held_out_rows(scorer: Scorer, docs: list, group: str) -> tuple[list[dict], list[dict]]:
    """One row per held-out grade: labels, probabilities and the review signals (from which the record's fixed review
    reasons are read back: models.review.fixed_reasons); and one per held-out plan: its annotated actions and every
    action candidate with the detector's probability (offsets and figures only)."""
    analyses = scorer.analyse_batch([d.text for d in docs], [d.doc_type for d in docs])
    rows, plans = [], []
    for doc, analysis in zip(docs, analyses):
        if doc.doc_type == "plan":
            plans.append({
                "id": doc.id, "group": group, "gold": [[a.start, a.end] for a in doc.actions],
                "candidates": [[c.start, c.end, round(float(p), 6)] for c, p in zip(analysis.candidates, analysis.candidate_probs)],
            })
        for dim, probs in analysis.grade_probs.items():
            rows.append({
                "id": doc.id, "group": group, "dimension": dim, "gold": doc.grades[dim], "grade": analysis.grades[dim],
                "probabilities": [round(probs[g], 6) for g in (1, 2, 3, 4)],
                "signals": {k: round(v, 6) for k, v in review_signals(analysis, doc.text, dim).items()},
            })
    return rows, plans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("annotations"))
    ap.add_argument("--config", default="{}", help="JSON object overriding the training configuration")
    ap.add_argument("--group-by", choices=("author", "batch"), default="author")
    ap.add_argument("--folds", type=int, default=None, help="folds (default: 5 for --group-by batch, one per writer for author)")
    ap.add_argument("--probes", action="store_true", help="run the development stuffing and salad probes on each fold")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--predictions", type=Path, default=None, help="JSONL of every held-out grade and its review signals")
    ap.add_argument("--candidates", type=Path, default=None, help="JSONL of every held-out plan's action candidates")
    args = ap.parse_args()
    rows: list[dict] = []
    plan_rows: list[dict] = []
    config = json.loads(args.config)
    splits = split_documents(load_corpus(args.data), load_splits(args.data / "splits.json"))
    docs = splits["train"] + splits["dev"]
    groups = np.array([group_of(d.batch, args.group_by) for d in docs])
    if args.group_by == "author" and args.folds is None:
        splitter = LeaveOneGroupOut()
    else:
        splitter = GroupKFold(n_splits=args.folds or 5)
    probes = None
    if args.probes:
        import stuffing_dev  # training/stuffing_dev.py, beside this script; it reads probes.py, which needs Faker (dev extra)

    pooled = Collected()
    per_fold = {}
    abstain = None
    started = time.perf_counter()
    folds = list(splitter.split(np.zeros(len(docs)), groups=groups))
    for k, (train_idx, test_idx) in enumerate(folds):
        held = sorted(set(groups[test_idx]))
        name = held[0] if len(held) == 1 else f"fold{k + 1}"
        print(f"fold {k + 1}/{len(folds)} ({name}): training on {len(train_idx)}, scoring {len(test_idx)}", flush=True)
        scorer = Scorer(train_model([docs[i] for i in train_idx], config, model_version=f"style-cv-{k}"), Settings())
        abstain = scorer.model.config["abstain_below"]
        fold = collect(scorer, [docs[i] for i in test_idx])
        fold_metrics = summarise(fold, abstain)
        per_fold[name] = {
            "documents": fold.documents,
            "qwk": {d: m["qwk"] for d, m in fold_metrics["dimensions"].items()},
            "action_precision": fold_metrics["actions"]["extraction"]["precision"],
            "action_recall": fold_metrics["actions"]["extraction"]["recall"],
        }
        pooled.merge(fold)
        if args.probes:
            fold_probes = stuffing_dev.probe_documents(scorer, [docs[i] for i in test_idx], seed=k)
            per_fold[name]["probes"] = fold_probes
            probes = stuffing_dev.merge(probes, fold_probes)
        if args.predictions or args.candidates:
            grades, plans = held_out_rows(scorer, [docs[i] for i in test_idx], name)
            rows.extend(grades)
            plan_rows.extend(plans)
    metrics = summarise(pooled, abstain)
    out = {
        "group_by": args.group_by,
        "groups": len(folds),
        "documents": len(docs),
        "config_overrides": config,
        # What the figures were measured on, so a card can tell figures of an earlier feature set from its own.
        "features_version": FEATURES_VERSION,
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "pooled": metrics,
        "per_fold": per_fold,
    }
    if probes is not None:
        out["probes"] = probes
        print(f"development probes: stuffing raised {probes['stuffing_total']} of {probes['grades']} grades "
              f"{probes['stuffing_grades_raised']}; sentence salad 3-4 without review {probes['sentence_salad_3_4_without_review']}; "
              f"blind development texts raised {probes.get('blind_total')} {probes.get('blind_grades_raised')}")
    print("| dimension | QWK | within one | ECE | ECE of a calibrated model (p95) |")
    print("|---|---|---|---|---|")
    for dim, m in metrics["dimensions"].items():
        print(f"| {dim} | {m['qwk']:.3f} | {m['within_one']:.3f} | {m['ece']:.3f} | {m['ece_if_perfectly_calibrated']['p95']:.3f} |")
    ex = metrics["actions"]["extraction"]
    print(f"actions: precision {ex['precision']:.3f}, recall {ex['recall']:.3f}; flag kappa "
          + ", ".join(f"{f} {v['kappa']}" for f, v in metrics["actions"]["flags"].items()))
    if args.candidates:
        args.candidates.write_text("".join(json.dumps(r) + "\n" for r in plan_rows), encoding="utf-8")
        print(f"wrote {args.candidates} ({len(plan_rows)} plans)")
    if args.predictions:
        args.predictions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"wrote {args.predictions} ({len(rows)} grades)")
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
