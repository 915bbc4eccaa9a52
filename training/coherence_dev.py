"""How the coherence check was chosen: trained on `train`, measured on `dev` (originals, and the probes' word and
sentence salads of them, which the check never trains on); then each writer of train+dev held out in turn, which
is what chose the flag threshold (out of style, 11% of originals were flagged at 0.5). Writes
training/coherence_dev.json.

    python3 training/coherence_dev.py [--config '{"coherence": {"copies": 3}}']
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
from pathlib import Path

import numpy as np

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.models.bundle import DEFAULT_CONFIG
from assessqa.training.fit import _fit_coherence

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("probes", HERE / "probes.py")
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)


def _leave_one_writer_out(docs: list, cfg: dict) -> dict:
    """Share of originals and salads flagged at each threshold, every writer scored by a check that never saw them."""
    rng = random.Random(1)
    scores: dict[str, list[float]] = {"originals": [], "word_salad": [], "sentence_salad": []}
    for writer in sorted({d.batch.split("-")[0] for d in docs}):
        model = _fit_coherence([d for d in docs if not d.batch.startswith(writer + "-")], cfg)
        held = [d.text for d in docs if d.batch.startswith(writer + "-")]
        for name, texts in (("originals", held), ("word_salad", [probes.word_salad(t, rng) for t in held]),
                            ("sentence_salad", [probes.sentence_salad(t, rng) for t in held])):
            scores[name].extend(model.predict_proba(texts)[:, 1].tolist())
    return {
        f"{threshold:.1f}": {name: round(float(np.mean(np.array(v) >= threshold)), 4) for name, v in scores.items()}
        for threshold in (0.5, 0.6, 0.7, 0.8, 0.9)
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="{}")
    ap.add_argument("--out", type=Path, default=HERE / "coherence_dev.json")
    args = ap.parse_args()
    cfg = {**DEFAULT_CONFIG, **json.loads(args.config)}
    splits = split_documents(load_corpus(HERE.parent / "annotations"), load_splits(HERE.parent / "annotations"))
    model = _fit_coherence(splits["train"], cfg)
    dev = splits["dev"]
    rng = random.Random(1)
    flag = cfg["coherence"]["flag_above"]
    shares = {}
    for name, texts in (
        ("originals_flagged", [d.text for d in dev]),
        ("word_salad_flagged", [probes.word_salad(d.text, rng) for d in dev]),
        ("sentence_salad_flagged", [probes.sentence_salad(d.text, rng) for d in dev]),
    ):
        shares[name] = round(float((model.predict_proba(texts)[:, 1] >= flag).mean()), 4)
    result = {"config": cfg["coherence"], "dev_documents": len(dev), **shares,
              "leave_one_writer_out": _leave_one_writer_out(splits["train"] + splits["dev"], cfg)}
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
