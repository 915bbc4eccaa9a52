"""Where a document's time goes: each pipeline stage timed over the same ~880-word held-out documents, scored in
chunks as ``assessqa score`` does. The stages are timed where the pipeline calls them (the functions are wrapped,
not re-implemented), so the table is the shipped code path.

Usage: python benchmarks/profile_stages.py [--docs 192] [--words 880] [--out benchmarks/results/profile.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_speed import documents_of_about, machine  # noqa: E402

from assessqa import pipeline as pipeline_module  # noqa: E402
from assessqa import scoring as scoring_module  # noqa: E402
from assessqa.batch import CHUNK  # noqa: E402
from assessqa.config import DEFAULT_MODEL_DIR  # noqa: E402
from assessqa.schemas import InputDocument  # noqa: E402
from assessqa.scoring import Scorer  # noqa: E402

# (label, owner, attribute, file the code lives in): every stage the pipeline runs, in flow order.
STAGES = [
    ("find a second family's record", pipeline_module, "second_record_start", "segment/records.py"),
    ("find where a pasted record starts again", pipeline_module.AssessModel, "restart_windows", "models/coherence_features.py"),
    ("detect document type", pipeline_module.AssessModel, "doc_type_probabilities", "models/bundle.py, models/compiled.py"),
    ("segment (spaCy: sentences, sections, actions, people)", pipeline_module, "segment", "pipeline.py, segment/"),
    ("tag evidence cues per sentence", pipeline_module, "tag_cues", "pipeline.py, features/sentences.py"),
    ("find needs", pipeline_module, "needs_from", "features/documents.py"),
    ("score action candidates and SMART flags", pipeline_module, "score_candidates", "pipeline.py, features/actions.py"),
    ("plan figures and need links", pipeline_module, "plan_outputs", "pipeline.py, features/plan.py"),
    ("evidence scorer", pipeline_module.Pipeline, "_evidence", "pipeline.py, models/compiled.py"),
    ("grade features", pipeline_module, "grade_features", "features/documents.py"),
    ("grade models", pipeline_module.Pipeline, "_grade_probabilities", "pipeline.py, models/compiled.py"),
    ("coherence check", pipeline_module.Pipeline, "_disordered", "models/coherence_features.py"),
    ("assemble the record (insights, suggestions)", scoring_module, "build_record", "report/record.py"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=192)
    ap.add_argument("--words", type=int, default=880)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    texts = documents_of_about(args.words, args.docs)
    scorer = Scorer.from_directory(args.model)
    documents = [InputDocument(text=t) for t in texts]
    scorer.score_batch(documents[:CHUNK])  # warm-up

    spent: dict[str, float] = defaultdict(float)
    depth = [0]  # a stage called inside another (needs_from inside plan_outputs) counts for the outer one only
    for label, owner, name, _ in STAGES:
        original = getattr(owner, name)

        def timed(*a, _original=original, _label=label, **k):
            depth[0] += 1
            start = time.perf_counter()
            try:
                return _original(*a, **k)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent[_label] += time.perf_counter() - start

        setattr(owner, name, timed)
    start = time.perf_counter()
    for k in range(0, len(documents), CHUNK):
        scorer.score_batch(documents[k : k + CHUNK])
    total = time.perf_counter() - start
    rows = [
        {"stage": label, "where": where, "ms_per_doc": 1000 * spent[label] / len(texts), "share": spent[label] / total}
        for label, _, _, where in STAGES
    ]
    other = total - sum(spent.values())
    rows.append({"stage": "everything else (input checks, batching)", "where": "scoring.py, pipeline.py", "ms_per_doc": 1000 * other / len(texts), "share": other / total})
    result = {"machine": machine(), "model_version": scorer.model_version, "documents": len(texts), "words": args.words,
              "chunk": CHUNK, "ms_per_doc": 1000 * total / len(texts), "docs_per_s": len(texts) / total, "stages": rows}
    print(f"machine: {result['machine']}")
    print(f"{len(texts)} documents of ~{args.words} words, chunks of {CHUNK}: {result['ms_per_doc']:.1f} ms a document ({result['docs_per_s']:.1f}/s)")
    for r in rows:
        print(f"  {r['stage']:<55} {r['ms_per_doc']:6.2f} ms  {100 * r['share']:5.1f}%")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
