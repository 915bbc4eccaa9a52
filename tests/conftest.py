"""Shared fixtures: the segmentation pipeline, a small corpus slice, a model trained on it, the shipped model."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.config import DEFAULT_MODEL_DIR, Settings
from assessqa.training.fit import train_model
from assessqa.scoring import Scorer
from assessqa.segment import build_pipeline

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "annotations"
EXAMPLES = ROOT / "examples"


def load_script(relative: str, name: str | None = None):
    """A script of the repository (``training/...``, ``benchmarks/...``), imported as a module for its functions."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_service(log_path: Path, env: dict[str, str]):
    """A real ``assessqa serve`` on 127.0.0.1, ready (``/readyz`` 200) before it is yielded as
    ``(base_url, process)``; killed afterwards if still running. Its output goes to ``log_path``."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assessqa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the server did not become ready:\n" + log_path.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
