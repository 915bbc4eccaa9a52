"""Inter-rater agreement between the corpus labels (pass A) and a blind second pass (pass B).

Writes annotations/AGREEMENT.json (figures) and prints a Markdown table. Usage:
    python training/agreement.py annotations annotations/second_pass/pass-b.jsonl
    python training/agreement.py annotations annotations/second_pass/pass-b-h16-h19.jsonl --also annotations/not_in_corpus --out annotations/second_pass/AGREEMENT_h16_h19.json
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from assessqa.training.annotations import load_corpus
from assessqa.schemas import ACTION_FLAGS, DIMENSIONS


def agreement(corpus_dir: Path, second: Path, also: list[Path] | None = None) -> dict:
    """``also``: further folders of labelled documents the second pass covers (documents kept out of the corpus)."""
    docs = {d.id: d for folder in [corpus_dir, *(also or [])] for d in load_corpus(folder)}
    gold: dict[str, list[int]] = defaultdict(list)
    other: dict[str, list[int]] = defaultdict(list)
    fa: dict[str, list[int]] = defaultdict(list)
    fb: dict[str, list[int]] = defaultdict(list)
    disagreements = []
    n_docs = 0
    for line in second.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        doc = docs.get(rec["id"])
        if doc is None:
            continue
        n_docs += 1
        for dim, grade in rec["grades"].items():
            gold[dim].append(doc.grades[dim])
            other[dim].append(int(grade))
            if doc.grades[dim] != int(grade):
                disagreements.append({"id": doc.id, "dimension": dim, "a": doc.grades[dim], "b": int(grade)})
        for act in rec.get("actions", []):
            n = act["n"]
            if n >= len(doc.actions):
                continue
            for flag in ACTION_FLAGS:
                fa[flag].append(int(doc.actions[n].flags[flag]))
                fb[flag].append(int(act["flags"][flag]))
    dims = {
        dim: {
            "n": len(gold[dim]),
            "qwk": round(float(cohen_kappa_score(gold[dim], other[dim], weights="quadratic")), 4),
            "exact": round(sum(a == b for a, b in zip(gold[dim], other[dim])) / len(gold[dim]), 4),
            "within_one": round(sum(abs(a - b) <= 1 for a, b in zip(gold[dim], other[dim])) / len(gold[dim]), 4),
        }
        for dim in DIMENSIONS
        if gold[dim]
    }
    flags = {
        flag: {
            "n": len(fa[flag]),
            "kappa": round(float(cohen_kappa_score(fa[flag], fb[flag])), 4),
            "agreement": round(sum(a == b for a, b in zip(fa[flag], fb[flag])) / len(fa[flag]), 4),
        }
        for flag in ACTION_FLAGS
        if fa[flag]
    }
    return {"documents": n_docs, "dimensions": dims, "flags": flags, "disagreements": disagreements}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("second_pass", type=Path)
    parser.add_argument("--out", type=Path, default=Path("annotations/AGREEMENT.json"))
    parser.add_argument("--also", type=Path, action="append", default=[], help="another folder of labelled documents (e.g. annotations/not_in_corpus)")
    args = parser.parse_args()
    result = agreement(args.corpus, args.second_pass, args.also)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{result['documents']} documents double-annotated")
    print("| dimension | n | QWK | exact | within one |\n|---|---|---|---|---|")
    for dim, m in result["dimensions"].items():
        print(f"| {dim} | {m['n']} | {m['qwk']:.3f} | {m['exact']:.3f} | {m['within_one']:.3f} |")
    print("\n| flag | n | Cohen's kappa | raw agreement |\n|---|---|---|---|")
    for flag, m in result["flags"].items():
        print(f"| {flag} | {m['n']} | {m['kappa']:.3f} | {m['agreement']:.3f} |")
    big = [d for d in result["disagreements"] if abs(d["a"] - d["b"]) >= 2]
    print(f"\n{len(result['disagreements'])} grade disagreements, {len(big)} of two or more steps")


if __name__ == "__main__":
    main()
