"""Would grades that read only the sentences about the family resist stuffing? How many annotated evidence
sentences name no one.

Stuffing (guidance, vocabulary lists) names no member of the family, so one defence would count evidence only from
sentences that do: a name (masked, as the tagger reads it), a family word (mum, nan, brother...) or a personal
pronoun. That is safe only if real evidence almost always names someone. This counts, over train+dev, the content
sentences that overlap an annotated evidence span, and how many of them are anchored so (strictly; and loosely,
with "they", "parents", "the child" and "family" too), beside the other sentences. Writes
``training/anchored_evidence.json``.

    python3 training/anchored_evidence.py
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from assessqa.features.markers import mask_names
from assessqa.pipeline import segment
from assessqa.segment import build_pipeline
from assessqa.training.annotations import load_corpus, load_splits, split_documents

HERE = Path(__file__).resolve().parent
_STRICT_WORDS = (
    r"mum|mummy|mam|mom|dad|daddy|mother|father|step-?(?:mum|dad|father|mother)|stepfather|stepmother|nan|nanna|nana|"
    r"gran|granny|grandma|grandad|grandfather|grandmother|grandparents?|aunt|auntie|aunty|uncle|cousin|brother|sister|"
    r"siblings?|baby|partner|boyfriend|girlfriend|he|she|him|her|his|hers|i|me|my|we|us|our|you|your"
)
STRICT = re.compile(r"__(?:child|person|name)__|\b(?:" + _STRICT_WORDS + r")\b", re.I)
LOOSE = re.compile(r"__(?:child|person|name)__|\b(?:" + _STRICT_WORDS + r"|they|them|their|parents?|carers?|child|children|family)\b", re.I)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "anchored_evidence.json")
    args = ap.parse_args()
    splits = split_documents(load_corpus(HERE.parent / "annotations"), load_splits(HERE.parent / "annotations"))
    docs = splits["train"] + splits["dev"]
    counts: Counter = Counter()
    unanchored_cues: Counter = Counter()
    for doc, seg in zip(docs, segment(build_pipeline(), [d.text for d in docs], [d.doc_type for d in docs])):
        spans = [(s.start, s.end, s.cue) for s in doc.spans]
        for unit in seg.units:
            cues = [c for a, b, c in spans if a < unit.end and unit.start < b]
            masked = mask_names(unit.text, unit.names, unit.adults, unit.others)
            kind = "evidence" if cues else "other"
            counts[kind] += 1
            counts[f"{kind}_strict"] += bool(STRICT.search(masked))
            counts[f"{kind}_loose"] += bool(LOOSE.search(masked))
            if cues and not STRICT.search(masked):
                unanchored_cues[cues[0]] += 1
    out = {
        "documents": len(docs),
        "evidence_sentences": counts["evidence"],
        "evidence_anchored_strict": round(counts["evidence_strict"] / counts["evidence"], 3),
        "evidence_anchored_loose": round(counts["evidence_loose"] / counts["evidence"], 3),
        "other_sentences": counts["other"],
        "other_anchored_strict": round(counts["other_strict"] / counts["other"], 3),
        "other_anchored_loose": round(counts["other_loose"] / counts["other"], 3),
        "unanchored_evidence_by_cue": dict(unanchored_cues.most_common()),
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
