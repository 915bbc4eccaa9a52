"""Static vectors distilled from MiniLM (#11, "model families revisited"), tried in two places.

``--part coherence`` (the default): does the semantic closeness of neighbouring sentences help the coherence check
tell sentence salad from prose?

The check is fitted on `train` (as ``coherence_dev.py`` fits it); on `dev`, originals and the probes' sentence
salads of them are read by its six features and by two semantic ones (adjacent sentences' mean cosine minus that of
random pairs of the same document's sentences, and the same as a Welch t). Reported: each feature's AUC alone, and a
logistic regression over the six features with and without the two, cross-validated on dev (5 folds): AUC and the
share of salads above the 97.5th percentile of the originals. Writes ``training/static_vectors_dev.json``.

``--part cues``: beside the evidence tagger's TF-IDF, do they help find the evidence of the weakest dimensions
(lived experience, child focus) in writers the tagger never saw? Sentence level, train+dev, writers held out five
groups at a time (GroupKFold by writer); for each cue those dimensions read, one logistic regression as the
tagger's (TF-IDF of the tagger's own sentence representation, 1-2 grams, C=4, balanced) with and without the
sentence's static vector (names masked) beside it; average precision per cue, pooled over the held-out folds. A
first look (five folds, four cues), not a model choice. Writes ``training/static_vectors_cues.json`` (~5 minutes).

    python3 training/distill_static.py            # once: the vectors, to /tmp/assessqa-static
    python3 training/static_vectors_dev.py [--part coherence|cues]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import random
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

from assessqa.features.markers import mask_names
from assessqa.features.sentences import unit_reprs
from assessqa.models.bundle import DEFAULT_CONFIG
from assessqa.models import coherence_features as cf
from assessqa.schemas import CUES
from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.training.fit import _fit_coherence, parse_documents
from assessqa.features.static_vectors import DEFAULT_DIR, StaticVectors

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("probes", HERE / "probes.py")
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)


def semantic_contrast(vectors: StaticVectors, text: str) -> tuple[float, float]:
    sentences = cf.sentences(text)
    n = len(sentences)
    if n < 4:
        return 0.0, 0.0
    v = vectors.sentence_vectors(sentences)
    adjacent = np.einsum("ij,ij->i", v[:-1], v[1:])
    anywhere = np.array([v[i] @ v[j] for i, j in cf.random_pairs(n)])  # the pairs the order contrast draws
    gain = float(adjacent.mean() - anywhere.mean())
    spread = math.sqrt(np.var(adjacent, ddof=1) / len(adjacent) + np.var(anywhere, ddof=1) / len(anywhere))
    return gain, gain / max(spread, 1e-6)


def coherence(vectors: StaticVectors, splits: dict) -> dict:
    check = _fit_coherence(splits["train"], {**DEFAULT_CONFIG})
    rng = random.Random(1)
    originals = [d.text for d in splits["dev"]]
    salads = [probes.sentence_salad(t, rng) for t in originals]
    texts = originals + salads
    y = np.array([0] * len(originals) + [1] * len(salads))
    six = check.features(texts)
    semantic = np.array([semantic_contrast(vectors, t) for t in texts])
    out: dict = {"dev_originals": len(originals), "alone_auc": {}}
    for k, name in enumerate(cf.FEATURES):
        out["alone_auc"][name] = round(roc_auc_score(y, -six[:, k]), 3)
    out["alone_auc"]["semantic_gain"] = round(roc_auc_score(y, -semantic[:, 0]), 3)
    out["alone_auc"]["semantic_contrast"] = round(roc_auc_score(y, -semantic[:, 1]), 3)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for name, X in (("six_features", six), ("with_semantic", np.hstack([six, semantic]))):
        X = X / (X.std(axis=0) + 1e-9)
        p = cross_val_predict(LogisticRegression(max_iter=1000), X, y, cv=folds, method="predict_proba")[:, 1]
        at = np.quantile(p[: len(originals)], 0.975)
        out[name] = {"auc": round(roc_auc_score(y, p), 3), "salads_flagged_at_2_5pct_of_originals": round(float((p[len(originals):] > at).mean()), 3)}
    return out


CUES_TRIED = ("child_voice", "daily_life", "observation", "child_outcome")


def cues(vectors: StaticVectors, splits: dict) -> dict:
    parsed = [p for p in parse_documents(splits["train"] + splits["dev"]) if len(p.units)]
    reprs = [r for p in parsed for r in unit_reprs(p.units)]
    labels = np.vstack([p.cue_labels for p in parsed])
    groups = np.array([p.doc.batch.split("-")[0] for p in parsed for _ in p.units])
    dense = sp.csr_matrix(vectors.sentence_vectors([mask_names(u.text, u.names, u.adults, u.others) for p in parsed for u in p.units]))
    columns = [CUES.index(c) for c in CUES_TRIED]
    without, with_vectors = np.zeros((len(reprs), len(columns))), np.zeros((len(reprs), len(columns)))
    for train, test in GroupKFold(n_splits=5).split(reprs, groups=groups):
        tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit([reprs[i] for i in train])
        sparse = tfidf.transform(reprs)
        both = sp.hstack([sparse, dense]).tocsr()
        for k, j in enumerate(columns):
            for X, out in ((sparse, without), (both, with_vectors)):
                model = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced").fit(X[train], labels[train, j])
                out[test, k] = model.predict_proba(X[test])[:, 1]
    return {
        "sentences": len(reprs),
        "writers": len(set(groups)),
        "average_precision": {
            cue: {"tfidf": round(average_precision_score(labels[:, j], without[:, k]), 4),
                  "tfidf_and_static_vectors": round(average_precision_score(labels[:, j], with_vectors[:, k]), 4)}
            for k, (cue, j) in enumerate(zip(CUES_TRIED, columns))
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("coherence", "cues"), default="coherence")
    ap.add_argument("--vectors", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    vectors = StaticVectors.load(args.vectors)
    splits = split_documents(load_corpus(HERE.parent / "annotations"), load_splits(HERE.parent / "annotations"))
    out = coherence(vectors, splits) if args.part == "coherence" else cues(vectors, splits)
    path = args.out or HERE / ("static_vectors_dev.json" if args.part == "coherence" else "static_vectors_cues.json")
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
