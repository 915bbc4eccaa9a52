"""The drift check's reference profile: the model's records on the held-out test split -> MODEL/reference.json.

Usage: python3 training/reference.py [--model models/default] [--data annotations]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assessqa.report.drift import profile
from assessqa.schemas import InputDocument
from assessqa.scoring import Scorer
from assessqa.training.annotations import load_corpus, load_splits, split_documents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=Path("models/default"))
    ap.add_argument("--data", type=Path, default=Path("annotations"))
    args = ap.parse_args()
    scorer = Scorer.from_directory(args.model)
    test = split_documents(load_corpus(args.data), load_splits(args.data / "splits.json"))["test"]
    # Types detected, as in a real batch: the reference must look like what users send.
    records = scorer.score_batch([InputDocument(id=d.id, text=d.text) for d in test])
    out = {"model_version": scorer.model_version, "split": "test", **profile(records)}
    (args.model / "reference.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"reference profile of {len(records)} test documents written to {args.model / 'reference.json'}")


if __name__ == "__main__":
    main()
