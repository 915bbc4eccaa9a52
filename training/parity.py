"""The parity fixture: every grade and action count the shipped model gives the corpus and the examples.

tests/test_parity.py scores the same documents and compares, so a refactor that changes any grade fails until
the change is explained (and the fixture regenerated with the model that explains it).

Usage: python3 training/parity.py   # writes tests/fixtures/parity.json
"""

from __future__ import annotations

import json
from pathlib import Path

from assessqa.schemas import InputDocument
from assessqa.scoring import Scorer
from assessqa.training.annotations import load_corpus

ROOT = Path(__file__).resolve().parents[1]


def documents() -> list[InputDocument]:
    """The corpus with its types given, and the examples with their types detected."""
    docs = [InputDocument(id=d.id, text=d.text, doc_type=d.doc_type) for d in load_corpus(ROOT / "annotations")]
    for line in (ROOT / "examples/documents.jsonl").read_text().splitlines():
        record = json.loads(line)
        docs.append(InputDocument(id=record["id"], text=record["text"]))
    docs.append(InputDocument(id="pre_birth_assessment", text=(ROOT / "examples/pre_birth_assessment.txt").read_text()))
    return docs


def outcomes(scorer: Scorer, docs: list[InputDocument]) -> dict[str, dict]:
    out = {}
    for k in range(0, len(docs), 32):
        for record in scorer.score_batch(docs[k : k + 32]):
            out[record.id] = {
                "doc_type": record.doc_type,
                "grades": {d: r.grade for d, r in record.dimensions.items() if r is not None},
                "actions": len(record.actions),
            }
    return out


def main() -> None:
    scorer = Scorer.from_directory(ROOT / "models/default")
    fixture = {"model_version": scorer.model_version, "documents": outcomes(scorer, documents())}
    path = ROOT / "tests/fixtures/parity.json"
    path.write_text(json.dumps(fixture, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(fixture['documents'])} documents, model {scorer.model_version}")


if __name__ == "__main__":
    main()
