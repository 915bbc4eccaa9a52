"""The words the masker treats as words, not names: every word written in lower case at least twice in the
training documents (train and dev splits; never test or the external split). A capitalised word whose lower-case
form is not in the list is taken for a name (or a place or agency) and masked before any classifier reads the
text, so no grade can depend on which names a record uses: the names in the corpus are never written in lower
case, so they never reach a feature, and a name never seen is masked the same way.

Also the acronyms: words in capitals (CAMHS, RCPC, IRO) used by at least two writers and never written with only a
capital initial (a surname in capitals, "HASSAN", is also written "Hassan" somewhere). A word in capitals that is
neither an acronym nor a word (a surname in a header, "WILSON") is masked as a name.

Writes src/assessqa/segment/resources/lowercase_words.json. Rebuild when the corpus changes, then retrain (the
list is part of what the features read: features version).

    python3 training/build_wordlist.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from assessqa.training.annotations import load_corpus, load_splits, split_documents

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "assessqa" / "segment" / "resources" / "lowercase_words.json"
MIN_COUNT = 2


def main() -> None:
    splits = split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations"))
    counts: Counter[str] = Counter()
    capitals: dict[str, set[str]] = {}
    for doc in splits["train"] + splits["dev"]:
        tokens = re.findall(r"[A-Za-z]+", doc.text)
        counts.update(w for w in tokens if w.islower() and len(w) >= 2)
        for w in tokens:
            if w.isupper() and len(w) >= 2:
                capitals.setdefault(w, set()).add(doc.batch.split("-")[0])
    words = sorted(w for w, n in counts.items() if n >= MIN_COUNT)
    # A surname in capitals ("HASSAN") is also written "Hassan" somewhere; an acronym ("CAMHS") never is.
    titled = {w for doc in splits["train"] + splits["dev"] for w in re.findall(r"\b[A-Z][a-z]+\b", doc.text)}
    acronyms = sorted(w for w, writers in capitals.items() if len(writers) >= 2 and w.lower() not in counts and w.capitalize() not in titled)
    OUT.write_text(
        json.dumps({"source": "train+dev: lower-case words used at least twice; words in capitals used by two or more writers",
                    "min_count": MIN_COUNT, "words": words, "acronyms": acronyms}, indent=0) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT}: {len(words)} words, {len(acronyms)} acronyms")


if __name__ == "__main__":
    main()
