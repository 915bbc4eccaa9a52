"""What the learned general-text check (``models/general_text.py``) takes, before any leave-one-writer-out run of the
whole model: on the development texts and on the corpus, at several evidence budgets, alone and in runs.

    python3 training/general_text_dev.py [--budgets 0.002,0.005,0.01] [--out training/general_text_dev.json]

Two measurements (a few minutes), neither reading the test or external splits or the reported probes:

- ``train_dev``: the check fitted on ``train``; on the ``dev`` records, the sentences it takes (alone, and in runs of
  two or more in a row) and how many are annotated evidence; on the blind writer's development guidance and
  vocabulary lists (``training/dev_stuffing/``), the sentences it takes;
- ``leave_one_writer_out``: every writer of train+dev scored by the check fitted without that writer, as a
  leave-one-writer-out run fits it: sentences and evidence sentences taken, alone and in runs, with each evidence
  sentence taken listed.
"""

from __future__ import annotations

import argparse
import json
from itertools import groupby
from pathlib import Path

import numpy as np

from assessqa.features.generic_text import mark_runs
from assessqa.features.sentences import own_words, unit_reprs
from assessqa.models.general_text import GeneralTextModel
from assessqa.schemas import CUES
from assessqa.segment import build_pipeline
from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.training.fit import general_text_passages, parse_documents, passage_sentences

ROOT = Path(__file__).resolve().parents[1]
RUN = 2  # as general_text.run


def _in_runs(flags: list[bool]) -> np.ndarray:
    out = [False] * len(flags)
    mark_runs(out, flags, RUN)
    return np.array(out, dtype=bool)


def _rows(parsed) -> list[dict]:
    rows = []
    for p in parsed:
        for i, (unit, rep) in enumerate(zip(p.units, unit_reprs(p.units))):
            rows.append({"doc": p.doc.id, "batch": p.doc.batch, "writer": p.doc.batch.split("-")[0], "own": own_words(rep),
                         "evidence": bool(p.cue_labels[i].any()), "cues": [CUES[j] for j in np.flatnonzero(p.cue_labels[i])],
                         "text": unit.text})
    return rows


def _taken(rows: list[dict], flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Alone, and in runs within each document (rows are in document order)."""
    runs = np.zeros(len(rows), dtype=bool)
    for _, group in groupby(range(len(rows)), key=lambda i: rows[i]["doc"]):
        idx = list(group)
        runs[idx] = _in_runs(flags[idx].tolist())
    return flags, runs


def _fit(general: list[str], rows: list[dict], budget: float) -> GeneralTextModel:
    return GeneralTextModel(evidence_budget=budget).fit(general, [r["own"] for r in rows], [r["batch"] for r in rows], [r["evidence"] for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", default="0.002,0.005,0.01")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "general_text_dev.json")
    args = ap.parse_args()
    budgets = [float(b) for b in args.budgets.split(",")]
    parts = split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations"))
    nlp = build_pipeline()

    general = [s for passage in passage_sentences(general_text_passages(), nlp) for s in passage]
    blind = {name: passage_sentences([t["text"] for t in json.loads((ROOT / "training" / "dev_stuffing" / f"{name}.json").read_text())], nlp)
             for name in ("guidance", "vocabulary")}
    train, dev = _rows(parse_documents(parts["train"], nlp)), _rows(parse_documents(parts["dev"], nlp))
    pool = train + dev
    out: dict = {"general_sentences": len(general), "run": RUN, "train_dev": {}, "leave_one_writer_out": {}}
    for budget in budgets:
        key = f"{budget:g}"
        model = _fit(general, train, budget)
        alone, runs = _taken(dev, model.takes([r["own"] for r in dev]))
        evidence = np.array([r["evidence"] for r in dev])
        entry = {
            "threshold": round(model.threshold_, 4),
            "train_evidence_taken_out_of_fold": model.evidence_taken_out_of_fold_,
            "dev_sentences": len(dev), "dev_evidence_sentences": int(evidence.sum()),
            "dev_taken": int(alone.sum()), "dev_evidence_taken": int((alone & evidence).sum()),
            "dev_taken_in_runs": int(runs.sum()), "dev_evidence_taken_in_runs": int((runs & evidence).sum()),
        }
        for name, passages in blind.items():
            flags = [model.takes(p) for p in passages]
            entry[f"blind_{name}_sentences"] = sum(len(f) for f in flags)
            entry[f"blind_{name}_taken"] = int(sum(f.sum() for f in flags))
            entry[f"blind_{name}_taken_in_runs"] = int(sum(_in_runs(f.tolist()).sum() for f in flags))
        out["train_dev"][key] = entry

        flags = np.zeros(len(pool), dtype=bool)
        for writer in sorted({r["writer"] for r in pool}):
            held = [i for i, r in enumerate(pool) if r["writer"] == writer]
            check = _fit(general, [r for r in pool if r["writer"] != writer], budget)
            flags[held] = check.takes([pool[i]["own"] for i in held])
        alone, runs = _taken(pool, flags)
        evidence = np.array([r["evidence"] for r in pool])
        out["leave_one_writer_out"][key] = {
            "sentences": len(pool), "evidence_sentences": int(evidence.sum()),
            "taken": int(alone.sum()), "evidence_taken": int((alone & evidence).sum()),
            "taken_in_runs": int(runs.sum()), "evidence_taken_in_runs": int((runs & evidence).sum()),
            "evidence_taken_list": [{"id": pool[i]["doc"], "cues": pool[i]["cues"], "in_run": bool(runs[i])}
                                    for i in np.flatnonzero(alone & evidence)],
        }
        print(key, json.dumps(entry), json.dumps({k: v for k, v in out["leave_one_writer_out"][key].items() if k != "evidence_taken_list"}))
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
