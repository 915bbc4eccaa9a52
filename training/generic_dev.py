"""What the sentences-about-no-one tests (``features/generic_text.py``) take on train+dev, and a first look at
what ignoring them does to the development stuffing probes.

    python3 training/generic_dev.py [--look] [--out training/generic_dev.json]

Without ``--look`` (seconds): how many sentences, and how many sentences annotated as evidence, the tests take,
each by kind, with every evidence sentence taken listed. With ``--look`` (about 2 minutes): a model trained on
``train`` alone scores the ``dev`` documents and their development stuffing (``stuffing_dev.py``, never the
reported probes), reading every sentence and then ignoring those the tests take; nothing is retrained, so the
look says whether the tests reach the stuffing, and the leave-one-writer-out run decides.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from assessqa.features.generic_text import about_no_one, list_of_terms, practice_in_general  # noqa: E402
from assessqa.features.sentences import own_words, unit_reprs  # noqa: E402
from assessqa.pipeline import segment  # noqa: E402
from assessqa.segment import build_pipeline  # noqa: E402
from assessqa.training.annotations import load_corpus, load_splits, split_documents  # noqa: E402


def counts(docs) -> dict:
    segs = segment(build_pipeline(), [d.text for d in docs], [d.doc_type for d in docs])
    kinds: Counter[str] = Counter()
    evidence_taken = []
    sentences = evidence = 0
    for doc, seg in zip(docs, segs):
        texts = [u.text for u in seg.units]
        masked = [own_words(r) for r in unit_reprs(seg.units)]
        for unit, t, m, taken in zip(seg.units, texts, masked, about_no_one(texts, masked)):
            sentences += 1
            is_evidence = any(s.start < unit.end and s.end > unit.start for s in doc.spans)
            evidence += is_evidence
            if not taken:
                continue
            kind = "practice_in_general" if practice_in_general(t, m) else "list_of_terms" if list_of_terms(t, m) else "run_of_terms"
            kinds[kind] += 1
            if is_evidence:
                evidence_taken.append({"id": doc.id, "kind": kind, "cues": sorted({s.cue for s in doc.spans if s.start < unit.end and s.end > unit.start})})
    return {
        "documents": len(docs),
        "sentences": sentences,
        "taken": sum(kinds.values()),
        "taken_by_kind": dict(kinds),
        "evidence_sentences": evidence,
        "evidence_taken": len(evidence_taken),
        "evidence_taken_list": evidence_taken,
    }


def look(train, dev) -> dict:
    import stuffing_dev

    from assessqa.schemas import InputDocument
    from assessqa.scoring import Scorer
    from assessqa.models.store import save_model
    from assessqa.training.fit import train_model

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        # As the shipped model is trained (training/README.md), reading every sentence.
        config = {**json.loads((ROOT / "training" / "review_config.json").read_text()), "ignore_generic_sentences": False}
        save_model(train_model(train, config=config), Path(tmp))
        for setting in (False, True):
            meta = json.loads((Path(tmp) / "meta.json").read_text())
            meta["config"]["ignore_generic_sentences"] = setting
            (Path(tmp) / "meta.json").write_text(json.dumps(meta))
            scorer = Scorer.from_directory(tmp)
            types = [d.doc_type for d in dev]

            def grades(texts):
                records = scorer.score_batch([InputDocument(text=t, doc_type=d) for t, d in zip(texts, types)])
                return [{k: r.grade for k, r in rec.dimensions.items() if r is not None} for rec in records]

            base = grades([d.text for d in dev])
            raised = {}
            for family in ("empty_headings", "vocabulary_list", "guidance_pasted", "sentence_repeated"):
                got = grades([stuffing_dev.stuffed(d, d)[family] for d in dev])
                raised[family] = sum(s[k] > b[k] for b, s in zip(base, got) for k in b)
            out["ignored" if setting else "read"] = {"grades": sum(len(b) for b in base), "stuffing_grades_raised": raised, "_base": base}
    changed = sum(a[k] != b[k] for a, b in zip(out["read"].pop("_base"), out["ignored"].pop("_base")) for k in a)
    out["original_grades_changed"] = changed
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--look", action="store_true", help="also the first look on dev (trains a model on train, ~2 min)")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "generic_dev.json")
    args = ap.parse_args()
    parts = split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations"))
    result = {"train_dev": counts(parts["train"] + parts["dev"])}
    if args.look:
        result["first_look_dev"] = look(parts["train"], parts["dev"])
    elif args.out.exists():  # keep an earlier look
        earlier = json.loads(args.out.read_text()).get("first_look_dev")
        if earlier:
            result["first_look_dev"] = earlier
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result["train_dev"].items() if k != "evidence_taken_list"}))
    if "first_look_dev" in result:
        print(json.dumps(result["first_look_dev"]))


if __name__ == "__main__":
    main()
