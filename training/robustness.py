"""Measure the shipped model's robustness on the held-out test split; prints figures for the model card.

Usage: python training/robustness.py [--model models/default] [--out models/default/robustness.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.config import DEFAULT_MODEL_DIR
from assessqa.training.robustness import OFF_TOPIC, gibberish, rerender, stuff_keywords, swap_names
from assessqa.schemas import InputDocument
from assessqa.scoring import Scorer


def grades(scorer: Scorer, text: str, doc_type: str | None) -> dict[str, tuple[int, bool]]:
    record = scorer.score(InputDocument(text=text, doc_type=doc_type))
    return {d: (r.grade, r.needs_review) for d, r in record.dimensions.items() if r is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    scorer = Scorer.from_directory(args.model)
    docs = split_documents(load_corpus(Path("annotations")), load_splits(Path("annotations")))["test"]
    unchanged_names = 0
    rerender_ok = 0
    rerender_same = 0
    stuffing_raised = 0
    grade_pairs = 0
    for n, doc in enumerate(docs):
        base = grades(scorer, doc.text, doc.doc_type)
        swapped = grades(scorer, swap_names(doc.text, seed=n), doc.doc_type)
        unchanged_names += all(base[d][0] == swapped[d][0] for d in base)
        moved = grades(scorer, rerender(doc.text, seed=n), doc.doc_type)
        rerender_ok += all(abs(base[d][0] - moved[d][0]) <= 1 for d in base)
        rerender_same += all(base[d][0] == moved[d][0] for d in base)
        stuffed = grades(scorer, stuff_keywords(doc.text), doc.doc_type)
        stuffing_raised += sum(stuffed[d][0] > base[d][0] for d in base)
        grade_pairs += len(base)
    junk = []
    for doc_type in ("assessment", "plan"):
        for text in [OFF_TOPIC] + [gibberish(seed=s) for s in range(5)]:
            junk.extend(grades(scorer, text, doc_type).values())
    junk_high = sum(1 for grade, review in junk if grade >= 3 and not review)
    junk_ok = sum(1 for grade, review in junk if grade == 1 or review)
    result = {
        "documents": len(docs),
        "name_swap_no_grade_change": round(unchanged_names / len(docs), 4),
        "rerender_within_one_step": round(rerender_ok / len(docs), 4),
        "rerender_no_change": round(rerender_same / len(docs), 4),
        "keyword_stuffing_raised_grades": f"{stuffing_raised} of {grade_pairs}",
        "off_topic_and_gibberish_graded_1_or_flagged": f"{junk_ok} of {len(junk)}",
        "off_topic_and_gibberish_graded_3_4_unflagged": junk_high,
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
