"""A first look (#11, another family's record pasted in): can the coherence check's position model find where a
second record begins, where the two-records check (segment/records.py) misses it?

Each writer of train+dev held out in turn: the position model (``CoherenceModel._fit_position``, as the shipped
check fits it) is fitted on the other writers; each held-out document of at least eight sentences is read as
written and with another train+dev document of the same type appended after a blank line (the donor drawn at
random by ``records_dev.donor_for``). The statistic is how much better two straight lines, split at the best
sentence, fit the predicted places than one line does (per sentence): a pasted record starts its places again
from the top. Reported: its AUC between originals and pastes; the share of pastes above the 97.5th percentile of
the originals; and the same share among the pastes the two-records check misses. Nothing here is shipped; the test
and external splits are not read. Writes ``training/position_seams_dev.json`` (~15 s).

    python3 training/position_seams_dev.py
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from assessqa.models.coherence import CoherenceModel
from assessqa.models.coherence_features import sentences
from assessqa.segment.records import second_record_start

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))
from records_dev import donor_for, train_dev  # noqa: E402  (the same train+dev documents and donors)
MIN_SENTENCES = 8  # each side of a split keeps at least four
ORIGINALS_BUDGET = 0.025


def _sse(x: np.ndarray, y: np.ndarray) -> float:
    slope, intercept = np.polyfit(x, y, 1)
    return float(((y - (slope * x + intercept)) ** 2).sum())


def restart(places: np.ndarray, side: int = 4) -> float:
    """Per sentence, how much less squared error two line fits split at the best sentence leave than one fit."""
    x = np.arange(len(places), dtype=float)
    whole = _sse(x, places)
    gains = [whole - _sse(x[:j], places[:j]) - _sse(x[j:], places[j:]) for j in range(side, len(places) - side + 1)]
    return max(0.0, max(gains)) / len(places) if gains else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "position_seams_dev.json")
    args = ap.parse_args()
    docs = train_dev()
    rng = random.Random(args.seed)
    originals, pasted, missed = [], [], []
    for writer in sorted({d.batch.split("-")[0] for d in docs}):
        model = CoherenceModel()
        model._fit_position([d.text for d in docs if not d.batch.startswith(writer + "-")])
        place = model.position_model_.predict
        for doc in (d for d in docs if d.batch.startswith(writer + "-")):
            donor = donor_for(doc, docs, rng)
            both = doc.text + "\n\n" + donor.text
            own = sentences(doc.text)
            if len(own) < MIN_SENTENCES:
                continue
            originals.append(restart(place(own)))
            pasted.append(restart(place(sentences(both))))
            if second_record_start(both) is None:
                missed.append(pasted[-1])
    o, p, m = np.array(originals), np.array(pasted), np.array(missed)
    line = float(np.quantile(o, 1 - ORIGINALS_BUDGET))
    result = {
        "documents": len(o),
        "auc": round(float(roc_auc_score([0] * len(o) + [1] * len(p), np.r_[o, p])), 4),
        "originals_budget": ORIGINALS_BUDGET,
        "pastes_above_the_line": round(float((p > line).mean()), 4),
        "pastes_the_two_records_check_misses": len(m),
        "of_those_above_the_line": round(float((m > line).mean()), 4) if len(m) else None,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
