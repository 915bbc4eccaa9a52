"""How the two-records check (segment/records.py) does on the train and dev splits, where its thresholds were set.

    python3 training/records_dev.py        # -> training/records_dev.json

Each train+dev document is checked as written (a cut there is a false alarm) and with another train+dev document
of the same type appended after a blank line, the donor drawn at random (a cut there should fall where the donor
begins). The test and external splits are not read: the independent probe (probes.py, "other_family_pasted")
measures the check there, through the grades.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from assessqa.segment.records import MAX_SHARED, MIN_PEOPLE, MIN_WORDS, second_record_start
from assessqa.training.annotations import load_corpus, load_splits, split_documents

ROOT = Path(__file__).resolve().parents[1]
# A cut within this many characters of where the donor begins is where it begins (its title lines may go either way).
NEAR = 300


def train_dev() -> list:
    """The train and dev documents, where the two-records check's thresholds were set."""
    splits = split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations"))
    return splits["train"] + splits["dev"]


def donor_for(doc, docs: list, rng: random.Random):
    """Another document of the same type, drawn at random: the record pasted after ``doc``."""
    return rng.choice([d for d in docs if d.doc_type == doc.doc_type and d.id != doc.id])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "records_dev.json")
    args = ap.parse_args()
    docs = train_dev()
    rng = random.Random(args.seed)
    false_alarms = [d.id for d in docs if second_record_start(d.text) is not None]
    found = near = 0
    for doc in docs:
        donor = donor_for(doc, docs, rng)
        at = second_record_start(doc.text + "\n\n" + donor.text)
        if at is not None:
            found += 1
            near += abs(at - (len(doc.text) + 2)) <= NEAR
    result = {
        "splits": ["train", "dev"],
        "thresholds": {"min_words": MIN_WORDS, "min_people": MIN_PEOPLE, "max_shared": MAX_SHARED},
        "documents": len(docs),
        "originals_cut": len(false_alarms),
        "originals_cut_ids": false_alarms,
        "pasted_found": found,
        "pasted_found_share": round(found / len(docs), 4),
        "pasted_cut_where_the_donor_begins": near,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
