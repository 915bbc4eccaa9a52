"""Another family's record pasted in, found where sentences start again (#11): the line the coherence check's
``seam_above`` is set from, and how the two-step cut does on the train and dev splits.

Each writer of train+dev held out in turn: the position model (``CoherenceModel._fit_position``, as the shipped
check fits it) is fitted on the other writers; each held-out document is read as written and with another train+dev
document of the same type appended after a blank line (the donor drawn at random by ``records_dev.donor_for``).
The statistic (``coherence_features.restart``) is how much less squared error two straight lines through the
predicted places leave, split at the best sentence, than one line does, per sentence: a pasted record starts its
places again from the top. A text is cut (``segment.records.cut_between``) when the statistic is at or above the
line and names change near that sentence.

Reported: the statistic's AUC between originals and pastes; the line (the ``--quantile`` of the held-out originals'
statistics, ``seam_above`` in the training configuration); then, for the texts the two-records check
(``second_record_start``) leaves whole, how many originals the cut would cut and how many pastes it finds, and how
many of those it cuts where the donor begins; and how many documents with the development stuffing appended after
them it cuts (every such cut falls inside a record). A grid of other lines and shares sits beside it. The test and
external splits are not read. Writes ``training/position_seams_dev.json`` (~20 s).

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
from assessqa.models.coherence_features import restart_windows
from assessqa.segment.records import SEAM_MAX_SHARED, cut_between, second_record_start

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))
from records_dev import NEAR, donor_for, train_dev  # noqa: E402  (the same train+dev documents and donors)
from stuffing_dev import GUIDANCE, HEADINGS, VOCABULARY  # noqa: E402  (development twins, never the reported probes)

QUANTILE = 0.9
STUFFED_AFTER = ("headings_after", "guidance_after", "vocabulary_after")


def _outcome(rows: list[dict], line: float, max_shared: float) -> dict:
    def cut(row: dict) -> int | None:
        if row["window"] is None or row["statistic"] < line:
            return None
        return cut_between(row["text"], *row["window"], max_shared=max_shared)

    originals = [r for r in rows if r["kind"] == "original"]
    pastes = [r for r in rows if r["kind"] == "pasted" and not r["two_records"]]
    found = [(r, at) for r in pastes if (at := cut(r)) is not None]
    return {
        "originals_cut": sum(cut(r) is not None for r in originals if not r["two_records"]),
        "originals": len(originals),
        "pastes_left_whole_by_the_two_records_check": len(pastes),
        "of_those_cut": len(found),
        "cut_where_the_donor_begins": sum(abs(at - r["donor_at"]) <= NEAR for r, at in found),
        # No second record here: every cut is wrong.
        "stuffing_after_the_record_cut": {
            kind: sum(cut(r) is not None for r in rows if r["kind"] == kind and not r["two_records"]) for kind in STUFFED_AFTER
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quantile", type=float, default=QUANTILE)
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "position_seams_dev.json")
    args = ap.parse_args()
    docs = train_dev()
    rng = random.Random(args.seed)
    rows: list[dict] = []
    for writer in sorted({d.batch.split("-")[0] for d in docs}):
        model = CoherenceModel()
        model._fit_position([d.text for d in docs if not d.batch.startswith(writer + "-")])
        held = [d for d in docs if d.batch.startswith(writer + "-")]
        kinds = {
            "original": [d.text for d in held],
            "pasted": [d.text + "\n\n" + donor_for(d, docs, rng).text for d in held],
            # Stuffing appended after the record (the development twins of the reported probes) makes the places
            # start again near its end: the cut must not fall inside the record there.
            "headings_after": [d.text + "\n\n" + "\n".join(f"{h}\n" for h in HEADINGS[d.doc_type]) for d in held],
            "guidance_after": [d.text + "\n\n" + GUIDANCE + "\n" for d in held],
            "vocabulary_after": [d.text + "\n\n" + VOCABULARY + "\n" for d in held],
        }
        for kind, texts in kinds.items():
            for doc, text, window in zip(held, texts, restart_windows(texts, model.places)):
                if window is None:
                    continue  # too few sentences to split
                rows.append({
                    "kind": kind, "text": text, "statistic": window[0], "window": window[1:],
                    "two_records": second_record_start(text) is not None, "donor_at": len(doc.text) + 2,
                })
    originals = np.array([r["statistic"] for r in rows if r["kind"] == "original"])
    pastes = np.array([r["statistic"] for r in rows if r["kind"] == "pasted"])
    line = float(np.quantile(originals, args.quantile))
    result = {
        "documents_read": len(originals),
        "auc": round(float(roc_auc_score([0] * len(originals) + [1] * len(pastes), np.r_[originals, pastes])), 4),
        "quantile": args.quantile,
        "seam_above": round(line, 5),
        "max_shared": SEAM_MAX_SHARED,
        "chosen": _outcome(rows, line, SEAM_MAX_SHARED),
        "grid": [
            {"quantile": q, "max_shared": s, **_outcome(rows, float(np.quantile(originals, q)), s)}
            for q in (0.5, 0.75, 0.9, 0.95, 0.975)
            for s in (0.1, 0.2, 0.3)
        ],
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "grid"}, indent=2))


if __name__ == "__main__":
    main()
