"""Compare model families per dimension on the dev split (never test), with 95% bootstrap intervals.

Families:
  tfidf_ordinal   document TF-IDF (names masked) -> ordinal logistic model; the fast baseline
  stacked_tfidf   the shipped design: TF-IDF evidence tagger -> evidence/wording/plan features -> ordinal head
  stacked_minilm  the same stack with the evidence tagger on MiniLM sentence embeddings (local weights)

Usage: python training/compare_models.py [--out training/MODEL_SELECTION.md]   (about 10 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.features import dimension_features, mask_names, person_names
from assessqa.models.bundle import DEFAULT_CONFIG
from assessqa.training.estimators import make_dimension_model
from assessqa.models.ordinal import OrdinalClassifier
from assessqa.training.fit import parse_documents, train_model
from assessqa.schemas import CUES, DIMENSIONS_BY_TYPE
from assessqa.scoring import Scorer


def bootstrap_qwk(gold: np.ndarray, pred: np.ndarray, n: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    point = cohen_kappa_score(gold, pred, weights="quadratic")
    stats = []
    for _ in range(n):
        idx = rng.integers(0, len(gold), len(gold))
        if len(set(gold[idx])) > 1:
            stats.append(cohen_kappa_score(gold[idx], pred[idx], weights="quadratic"))
    return point, float(np.percentile(stats, 2.5)), float(np.percentile(stats, 97.5))


def tfidf_ordinal(train, dev) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        tr = [d for d in train if d.doc_type == doc_type]
        dv = [d for d in dev if d.doc_type == doc_type]
        Xtr = [mask_names(d.text, person_names(d.text)) for d in tr]
        Xdv = [mask_names(d.text, person_names(d.text)) for d in dv]
        for dim in dims:
            model = make_pipeline(
                TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                OrdinalClassifier(LogisticRegression(C=4.0, max_iter=3000)),
            ).fit(Xtr, [d.grades[dim] for d in tr])
            out[dim] = (np.array([d.grades[dim] for d in dv]), model.predict(Xdv))
    return out


def stacked_tfidf(train, dev) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    scorer = Scorer(train_model(train))
    out = {}
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        dv = [d for d in dev if d.doc_type == doc_type]
        analyses = [scorer.analyse(d.text, d.doc_type) for d in dv]
        for dim in dims:
            pred = [max(a.grade_probs[dim], key=a.grade_probs[dim].get) for a in analyses]
            out[dim] = (np.array([d.grades[dim] for d in dv]), np.array(pred))
    return out


def stacked_minilm(train, dev) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Evidence tagger on MiniLM embeddings (+ section one-hot); grade heads on the same features as shipped.

    Plans are graded without action flags here (the flag models are the same in both stacks), so this isolates
    what the sentence representation changes."""
    from assessqa.training.encoder import SentenceEncoder

    encoder = SentenceEncoder()
    sections = ["none", "referral", "child_views", "daily_life", "family_history", "parenting_capacity", "risk",
                "strengths", "analysis", "plan", "contingency", "other"]

    def embed(parsed):
        rows = []
        for p in parsed:
            if not p.units:
                rows.append(np.zeros((0, encoder.dimension + len(sections))))
                continue
            vectors = encoder.encode([mask_names(u.text, list(u.names)) for u in p.units])
            onehot = np.array([[float((u.category or "none") == s) for s in sections] for u in p.units])
            rows.append(np.hstack([vectors, onehot]))
        return rows

    tr, dv = parse_documents(train), parse_documents(dev)
    Etr, Edv = embed(tr), embed(dv)
    Y = np.vstack([p.cue_labels for p in tr if p.units])
    keep = [j for j in range(len(CUES)) if 0 < Y[:, j].sum() < len(Y)]

    def fit(rows, labels):
        return OneVsRestClassifier(LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")).fit(
            np.vstack(rows), labels[:, keep]
        )

    def probs(model, rows):
        out = np.zeros((len(rows), len(CUES)))
        if len(rows):
            raw = model.predict_proba(rows)
            out[:, keep] = raw
        return out

    groups = np.array([p.doc.batch for p in tr])
    oof = [None] * len(tr)
    for a, b in GroupKFold(n_splits=DEFAULT_CONFIG["cv_folds"]).split(np.zeros(len(tr)), groups=groups):
        model = fit([Etr[i] for i in a if len(Etr[i])], np.vstack([tr[i].cue_labels for i in a if len(tr[i].units)]))
        for i in b:
            oof[i] = probs(model, Etr[i])
    final = fit([e for e in Etr if len(e)], Y)
    out = {}
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        itr = [i for i, p in enumerate(tr) if p.doc.doc_type == doc_type]
        idv = [i for i, p in enumerate(dv) if p.doc.doc_type == doc_type]
        for dim in dims:
            X = [dimension_features(dim, oof[i], tr[i].units, None) for i in itr]
            head = make_dimension_model(C=DEFAULT_CONFIG["dimension"]["C"], seed=13).fit(X, [tr[i].doc.grades[dim] for i in itr])
            Xd = [dimension_features(dim, probs(final, Edv[i]), dv[i].units, None) for i in idv]
            out[dim] = (np.array([dv[i].doc.grades[dim] for i in idv]), head.predict(Xd))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("training/MODEL_SELECTION.md"))
    args = parser.parse_args()
    parts = split_documents(load_corpus(Path("annotations")), load_splits(Path("annotations")))
    results = {}
    timings = {}
    for name, fn in (("tfidf_ordinal", tfidf_ordinal), ("stacked_tfidf", stacked_tfidf), ("stacked_minilm", stacked_minilm)):
        start = time.perf_counter()
        results[name] = fn(parts["train"], parts["dev"])
        timings[name] = time.perf_counter() - start
        print(name, f"{timings[name]:.0f} s", flush=True)
    lines = [
        "# Model selection (dev split only)",
        "",
        f"Trained on `train` ({len(parts['train'])} documents), measured on `dev` ({len(parts['dev'])} documents);",
        "`test` is never used here. QWK with a 95% bootstrap interval (1,000 resamples of documents).",
        "Reproduce: `python training/compare_models.py`.",
        "",
        "| dimension | " + " | ".join(results) + " | chosen |",
        "|---|" + "---|" * (len(results) + 1),
    ]
    for dim in [d for dims in DIMENSIONS_BY_TYPE.values() for d in dims]:
        cells, points = [], {}
        for name, res in results.items():
            gold, pred = res[dim]
            point, lo, hi = bootstrap_qwk(gold, pred)
            points[name] = point
            cells.append(f"{point:.3f} [{lo:.2f}, {hi:.2f}]")
        lines.append(f"| {dim} | " + " | ".join(cells) + f" | {max(points, key=points.get)} |")
    lines += ["", "Time to train and score dev on 2 CPU cores: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + "."]
    report = "\n".join(lines) + "\n"
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
