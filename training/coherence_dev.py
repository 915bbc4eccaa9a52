"""How the coherence check was chosen: trained on `train`, measured on `dev` (originals, and the probes' word and
sentence salads of them, which the check never trains on); then each writer of train+dev held out in turn, which
is what chooses the flag threshold: the lowest that flags at most 2.5% of the held-out originals
(``chosen_threshold``). Whether a change ships is read from the development twin of the sentence salad
(``sentence_salad_dev``, ``training/stuffing_dev.py``) at that threshold; the probes' salads are reported, never
used to choose. Writes training/coherence_dev.json.

    python3 training/coherence_dev.py [--config '{"coherence": {"copies": 3}}']
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
from pathlib import Path

import numpy as np

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.models.bundle import DEFAULT_CONFIG
from assessqa.training.fit import _fit_coherence

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("probes", HERE / "probes.py")
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)
sys.path.insert(0, str(HERE))
import stuffing_dev  # noqa: E402  (training/stuffing_dev.py: salads written for choosing)


def _leave_one_writer_out(docs: list, cfg: dict) -> dict:
    """Share of originals and salads flagged at each threshold, every writer scored by a check that never saw them."""
    rng = random.Random(1)
    scores: dict[str, list[float]] = {"originals": [], "word_salad": [], "sentence_salad": [], "sentence_salad_dev": []}
    for writer in sorted({d.batch.split("-")[0] for d in docs}):
        model = _fit_coherence([d for d in docs if not d.batch.startswith(writer + "-")], cfg)
        held = [d.text for d in docs if d.batch.startswith(writer + "-")]
        for name, texts in (("originals", held), ("word_salad", [probes.word_salad(t, rng) for t in held]),
                            ("sentence_salad", [probes.sentence_salad(t, rng) for t in held]),
                            ("sentence_salad_dev", [stuffing_dev.sentence_salad(t, rng) for t in held])):
            scores[name].extend(model.predict_proba(texts)[:, 1].tolist())
    return {
        f"{threshold:.2f}": {name: round(float(np.mean(np.array(v) >= threshold)), 4) for name, v in scores.items()}
        for threshold in np.round(np.arange(0.5, 0.995, 0.01), 2)
    }


# The share of held-out originals the check may flag, out of style: what chooses the threshold (training/README.md).
ORIGINALS_BUDGET = 0.025


def chosen_threshold(grid: dict[str, dict[str, float]]) -> float | None:
    """The lowest threshold that flags at most ORIGINALS_BUDGET of the held-out originals; None if none does."""
    within = [float(t) for t, shares in grid.items() if shares["originals"] <= ORIGINALS_BUDGET]
    return min(within) if within else None


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
    grid = _leave_one_writer_out(splits["train"] + splits["dev"], cfg)
    result = {"config": cfg["coherence"], "dev_documents": len(dev), **shares, "leave_one_writer_out": grid,
              "originals_budget": ORIGINALS_BUDGET, "chosen_threshold": chosen_threshold(grid)}
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
