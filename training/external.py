"""The external split: 128 documents written blind outside the corpus, in eight house styles it lacks.

    python3 training/external.py build                      # consensus -> corpus format + AGREEMENT.json
    python3 training/external.py evaluate [--model DIR]     # score it; writes DIR/external.json

How it was made (annotations/external/README.md): eight writers, each a separate author who saw only the grade
definitions (annotations/external/DEFINITIONS.md, GUIDELINES.md without its example passages), a drawn design
of target grades and lengths, and one house style; two blind annotators per document; consensus = median of
writer and annotators, majority for each action flag (shared/blind-writing's protocol and scripts).

It is never used to choose anything: no threshold, feature, setting or model is picked by looking at it. It
is scored and reported, beside the in-house test split, after a model has been chosen.
"""

from __future__ import annotations

import argparse
import glob
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "annotations" / "external"
FLAGS = ["specific", "owner", "measurable", "achievable", "relevant", "time_bound"]
DIMS = ["lived_experience", "risk_analysis", "family_history", "smart_actions", "contingency", "child_focus"]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _action_offsets(text: str, actions: list[dict]) -> list[tuple[int, int]]:
    """Each action's quote found in document order (a quote can occur twice; the next one after the last)."""
    spans, cursor = [], 0
    for action in actions:
        start = text.find(action["text"], cursor)
        if start < 0:
            start = text.find(action["text"])
        if start < 0:
            raise ValueError(f"action quote not found in its document ({len(action['text'])} characters)")
        spans.append((start, start + len(action["text"])))
        cursor = start + 1
    return spans


def build() -> None:
    styles = json.loads((HERE / "styles.json").read_text(encoding="utf-8"))
    out = []
    for record in _jsonl(HERE / "consensus.jsonl"):
        writer = record["id"].split("-")[0]
        actions = []
        for action, (start, end) in zip(record["actions"], _action_offsets(record["text"], record["actions"])):
            actions.append({"start": start, "end": end, "text": record["text"][start:end],
                            "flags": {f: bool(action[f]) for f in FLAGS}})
        out.append({
            "id": "ext-" + record["id"], "batch": f"ext-{writer}", "family_group": "ext-" + record["id"],
            "doc_type": record["doc_type"], "template": f"external-{writer}", "situations": [],
            "writing": f"external-{writer}", "text": record["text"],
            "grades": {d: g for d, g in record["labels"].items() if g is not None},
            "spans": [], "actions": actions, "annotator": f"consensus of {record['raters']} blind raters",
        })
    target = HERE / "external.jsonl"
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    agreement = _agreement()
    agreement["styles"] = {k: v.split(".")[0] for k, v in styles.items()}
    (HERE / "AGREEMENT.json").write_text(json.dumps(agreement, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(out)} documents) and AGREEMENT.json")


def _qwk(a: list[int], b: list[int]) -> float:
    return round(float(cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4])), 4)


def _kappa(a: list[bool], b: list[bool]) -> float | None:
    if len(set(a) | set(b)) < 2:
        return None
    return round(float(cohen_kappa_score(a, b)), 4)


def _agreement() -> dict:
    """Each rater against the consensus, and the two annotators of each document against each other."""
    blind = json.loads((HERE / "blind_map.json").read_text())
    writer = {r["id"]: r for f in sorted(glob.glob(str(HERE / "raw" / "*.jsonl"))) for r in _jsonl(Path(f))}
    anns = {Path(f).stem: {blind[r["id"]]: r for r in _jsonl(Path(f))} for f in sorted(glob.glob(str(HERE / "ann" / "*.jsonl")))}
    consensus = {r["id"]: r for r in _jsonl(HERE / "consensus.jsonl")}
    raters = {"writer": writer, **anns}
    result: dict = {"documents": len(consensus), "actions": sum(len(r["actions"]) for r in consensus.values()),
                    "raters_per_document": 3, "grades": {}, "flags": {}}
    for dim in DIMS:
        ids = [i for i, r in consensus.items() if r["labels"].get(dim) is not None]
        entry: dict = {"n": len(ids), "consensus_distribution": {g: sum(consensus[i]["labels"][dim] == g for i in ids) for g in (1, 2, 3, 4)}}
        for name, rated in raters.items():
            mine = [i for i in ids if i in rated]
            entry[f"{name}_vs_consensus_qwk"] = _qwk([rated[i]["labels"][dim] for i in mine], [consensus[i]["labels"][dim] for i in mine])
        pairs = [(anns[h + "a"][i]["labels"][dim], anns[h + "b"][i]["labels"][dim]) for h in ("h1", "h2") for i in ids if i in anns[h + "a"]]
        entry["annotator_pairs_qwk"] = _qwk(*map(list, zip(*pairs)))
        entry["annotator_pairs_exact"] = round(sum(a == b for a, b in pairs) / len(pairs), 4)
        result["grades"][dim] = entry
    for k, flag in enumerate(FLAGS):
        pairs = [(anns[h + "a"][i]["actions"][n][flag], anns[h + "b"][i]["actions"][n][flag])
                 for h in ("h1", "h2") for i in anns[h + "a"] for n in range(len(consensus[i]["actions"]))]
        writer_pairs = [(writer[i]["actions"][n][flag], consensus[i]["actions"][n][flag])
                        for i in consensus for n in range(len(consensus[i]["actions"]))]
        result["flags"][flag] = {
            "annotator_pairs_kappa": _kappa(*map(list, zip(*pairs))),
            "writer_vs_consensus_kappa": _kappa(*map(list, zip(*writer_pairs))),
            "share_true": round(float(np.mean([c for _, c in writer_pairs])), 4),
        }
    return result


def evaluate_external(model: Path | None) -> None:
    from assessqa.training.annotations import load_corpus
    from assessqa.training.evaluation import Collected, collect, review_flag_figures, summarise
    from assessqa.schemas import InputDocument
    from assessqa.scoring import Scorer

    scorer = Scorer.from_directory(model)
    docs = load_corpus(HERE / "external.jsonl")
    abstain = scorer.model.config["abstain_below"]
    pooled = Collected()
    by_writer = {}
    for style in sorted({d.batch for d in docs}):
        part = collect(scorer, [d for d in docs if d.batch == style])
        figures = summarise(part, abstain)
        by_writer[style] = {
            "action_precision": figures["actions"]["extraction"]["precision"],
            "action_recall": figures["actions"]["extraction"]["recall"],
            "exact": {dim: m["exact"] for dim, m in figures["dimensions"].items()},
        }
        pooled.merge(part)
    metrics = summarise(pooled, abstain)
    metrics["by_writer"] = by_writer
    metrics.pop("evidence_sentence_f1")  # evidence spans were not annotated on this split
    metrics["model_version"] = scorer.model_version
    metrics["split"] = "external"
    # Per writer (house style): mean grade bias, the under- or over-crediting of a way of writing.
    by_style: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    wrong: list[bool] = []
    flagged: list[bool] = []
    for doc in docs:
        # The record a user gets, so the review flag is the one they would see.
        record = scorer.score(InputDocument(id=doc.id, text=doc.text, doc_type=doc.doc_type))
        for dim, result in record.dimensions.items():
            if result is None:
                continue
            by_style[doc.batch][dim].append(result.grade - doc.grades[dim])
            wrong.append(result.grade != doc.grades[dim])
            flagged.append(result.needs_review)
    metrics["review_flags"] = review_flag_figures(np.array(wrong), np.array(flagged))
    metrics["bias_by_style"] = {
        style: {dim: round(float(np.mean(v)), 3) for dim, v in dims.items()} for style, dims in sorted(by_style.items())
    }
    target = Path(model or scorer.model_dir) / "external.json"
    target.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    for dim, m in metrics["dimensions"].items():
        print(f"  {dim:18s} QWK {m['qwk']:.3f}  exact {m['exact']:.3f}  within one {m['within_one']:.3f}")
    ex = metrics["actions"]["extraction"]
    print(f"  actions: precision {ex['precision']:.3f} recall {ex['recall']:.3f} ({ex['gold']} annotated)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build")
    ev = sub.add_parser("evaluate")
    ev.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    if args.command == "build":
        build()
    else:
        evaluate_external(args.model)


if __name__ == "__main__":
    main()
