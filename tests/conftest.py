"""Shared fixtures: the segmentation pipeline, a small corpus slice, a model trained on it, the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessqa.annotations import load_corpus, load_splits, split_documents
from assessqa.config import DEFAULT_MODEL_DIR, Settings
from assessqa.models.train import train_model
from assessqa.scoring import Scorer
from assessqa.segment import build_pipeline

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "annotations"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def nlp():
    return build_pipeline()


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(ANNOTATIONS)


@pytest.fixture(scope="session")
def corpus_splits(corpus):
    return split_documents(corpus, load_splits(ANNOTATIONS))


@pytest.fixture(scope="session")
def small_train(corpus_splits):
    """Six documents of each type from each author's training batches: enough to fit every part quickly."""
    picked, seen = [], {}
    for doc in corpus_splits["train"]:
        key = (doc.batch.split("-")[0], doc.doc_type)
        if seen.get(key, 0) < 6:
            picked.append(doc)
            seen[key] = seen.get(key, 0) + 1
    return picked


@pytest.fixture(scope="session")
def small_model(small_train):
    # Fewer boosting rounds for the evidence scorers than the shipped 200: the tests check behaviour, not accuracy.
    config = {"cv_folds": 3, "evidence_context": {"max_iter": 40, "learning_rate": 0.1}}
    return train_model(small_train, config, model_version="test-small")


@pytest.fixture(scope="session")
def scorer():
    """The shipped default model, as a user gets it."""
    return Scorer.from_directory(DEFAULT_MODEL_DIR, Settings())
