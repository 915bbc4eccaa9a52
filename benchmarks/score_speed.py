"""Scoring speed and memory of the shipped model, with a transformer embedding baseline side by side.

Prints, with the machine it ran on:
- one process: documents per second scored in chunks as ``assessqa score`` does it, and one at a time as the
  REST call does it (p50/p95 latency of one ~880-word document);
- ``assessqa score`` as a whole process: start to first record and peak memory, with the training extra installed
  and without it (torch, transformers and datasets made unimportable, as on a server installed without it);
- batch scoring as ``assessqa score --jobs N`` does it (one worker process per core): documents per second once
  the workers are up, and the same including their start-up;
- a plain transformers MiniLM mean-pooling baseline over the same documents' sentences, and the ratio.

Usage:

    python benchmarks/score_speed.py [--docs 100] [--batch-docs 400] [--jobs 2] [--model models/default] [--no-transformer]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_cli  # noqa: E402  (benchmarks/measure.py)

from assessqa.config import DEFAULT_MODEL_DIR  # noqa: E402
from assessqa.schemas import InputDocument  # noqa: E402
from assessqa.scoring import Scorer  # noqa: E402
from assessqa.training.annotations import load_corpus, load_splits, split_documents  # noqa: E402


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    return f"{platform.platform()}, {cpu}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, OMP_NUM_THREADS={threads}"


def documents_of_about(words: int, count: int, offset: int = 0) -> list[str]:
    """``count`` different documents of about ``words`` words, each about one family, made of held-out test-split
    documents (realistic text and layout): the k-th is a family's assessment and plan (the split keeps a family's
    documents together), in turn, repeated from later lines on each pass until long enough. Families and the
    line each begins at change with k, and a text met before is skipped, so no two documents are the same.
    ``offset`` skips the first documents, for a second set that shares none with the first.

    One family each: since 0.4.5 the pipeline grades only the first of two families' records in one text
    (segment/records.py), so documents joined across families would be scored on their first part only and
    flatter every figure. Different texts matter since 0.4.3's runtime: the tokenizer and other caches make a
    text scored twice cheaper the second time, which an export of new records would not be.
    """
    docs = load_corpus(Path("annotations"))
    families: dict[str, list[str]] = {}
    for d in sorted(split_documents(docs, load_splits(Path("annotations")))["test"], key=lambda d: d.id):
        families.setdefault(d.family_group, []).append(d.text)
    pool = [texts for _, texts in sorted(families.items())]
    n = len(pool)
    out: list[str] = []
    seen: set[str] = set()
    k = 0
    while len(out) < offset + count:
        family, rounds = pool[k % n], k // n
        k += 1
        order = family[rounds % len(family) :] + family[: rounds % len(family)]
        parts, j = [], 0
        while not parts or sum(len(p.split()) for p in parts) < words:
            lines = order[j % len(order)].split("\n")
            # Each pass begins further into the text, so that no two documents (nor two passes) are the same.
            parts.append("\n".join(lines[(rounds + j // len(order)) % len(lines) :]))
            j += 1
        text = "\n\n".join(parts)
        ends = [m.end() for m in re.finditer(r"\S+", text)]
        text = text[: ends[min(words, len(ends)) - 1]]
        # A short family's passes can meet again; a very large set (batch_memory.py's 10,000) may repeat texts
        # once the families have given all their variations.
        if text not in seen or k > 4 * (offset + count):
            seen.add(text)
            out.append(text)
    return out[offset:]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cli_process(texts: list[str], model: Path, runtime_only: bool) -> dict[str, float]:
    """``assessqa score`` over ``texts`` as a fresh process: wall time to the end (one document: start to first
    record) and the process's peak RSS."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": f"b{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
        argv = ["score", str(src), "--model", str(model), "--out", str(Path(tmp) / "o.jsonl"), "--no-summary"]
        done = run_cli(argv, runtime_only=runtime_only)
    return {"documents": len(texts), **done}


def batch_throughput(scorer: Scorer, texts: list[str], jobs: int) -> dict[str, float]:
    """Documents per second through :func:`score_items` with worker processes, timed from the first record
    (workers loaded and warm) to the last, and from the start including the workers' start-up."""
    from assessqa.batch import score_items
    from assessqa.ingest import Item

    items = [Item(f"bench:{i}", document=InputDocument(text=t)) for i, t in enumerate(texts)]
    start = time.perf_counter()
    stamps = [time.perf_counter() for _ in score_items(scorer, items, jobs=jobs)]
    # The first `jobs` records include each worker's start-up and first, cold document.
    warm = stamps[jobs - 1]
    return {
        "jobs": jobs,
        "documents": len(texts),
        "docs_per_s": (len(stamps) - jobs) / (stamps[-1] - warm),
        "docs_per_s_with_startup": len(stamps) / (stamps[-1] - start),
        "startup_s": warm - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--words", type=int, default=880)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--batch-docs", type=int, default=400, help="documents for the parallel batch figure")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for the batch figure")
    parser.add_argument("--no-transformer", action="store_true", help="skip the MiniLM baseline")
    parser.add_argument("--out", type=Path, default=None, help="also write the figures as JSON (e.g. models/default/speed.json)")
    args = parser.parse_args()

    texts = documents_of_about(args.words, args.docs)
    print(f"machine: {machine()}")
    print(f"documents: {len(texts)} of ~{statistics.mean(len(t.split()) for t in texts):.0f} words")

    start = time.perf_counter()
    scorer = Scorer.from_directory(args.model)
    load_s = time.perf_counter() - start
    print(f"model load: {load_s:.2f} s ({scorer.model_version})")
    from assessqa.batch import CHUNK

    # Warmed on other documents, and each pass below on its own documents: scoring a text a second time would read
    # the caches (tokenizer, token classes, headings) its first pass filled, which an export of new records does not.
    others = documents_of_about(args.words, args.docs + CHUNK, offset=args.docs)
    scorer.score_batch([InputDocument(text=t) for t in others[:CHUNK]])
    documents = [InputDocument(text=t) for t in texts]
    singles = [InputDocument(text=t) for t in others[CHUNK:]]

    start = time.perf_counter()
    for k in range(0, len(documents), CHUNK):
        scorer.score_batch(documents[k : k + CHUNK])
    chunked_s = time.perf_counter() - start

    latencies = []
    start = time.perf_counter()
    for document in singles:
        t0 = time.perf_counter()
        scorer.score(document)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    figures = {
        "model_version": scorer.model_version,
        "machine": machine(),
        "documents": len(texts),
        "words": round(statistics.mean(len(t.split()) for t in texts)),
        "chunk": CHUNK,
        "docs_per_s": len(texts) / chunked_s,
        "single_docs_per_s": len(singles) / total,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * p95,
        "peak_rss_mb": peak_rss_mb(),
        "load_s": load_s,
        "baseline": None,
    }
    print(
        f"assessqa default model, one process: {figures['docs_per_s']:.1f} docs/s in chunks of {CHUNK}; one at a time "
        f"{figures['single_docs_per_s']:.1f} docs/s, latency p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms"
    )
    figures["process"] = {}
    for runtime_only in (False, True):
        label = "runtime_only" if runtime_only else "with_train_extra"
        first = cli_process(texts[:1], args.model, runtime_only)
        many = cli_process(texts, args.model, runtime_only)
        figures["process"][label] = {"start_to_first_record_s": first["wall_s"], "peak_rss_mb": many["peak_rss_mb"], "exit": [first["exit"], many["exit"]]}
        print(
            f"assessqa score as a process ({'runtime install: no torch/transformers' if runtime_only else 'with the train extra installed'}): "
            f"start to first record {first['wall_s']:.2f} s; peak RSS over {len(texts)} documents {many['peak_rss_mb']:.0f} MB"
        )

    if args.jobs > 1:
        figures["batch"] = batch_throughput(scorer, documents_of_about(args.words, args.batch_docs), args.jobs)
        b = figures["batch"]
        print(
            f"batch scoring, {args.jobs} worker processes, {b['documents']} documents: {b['docs_per_s']:.1f} docs/s once "
            f"started ({b['docs_per_s_with_startup']:.1f} docs/s counting {b['startup_s']:.1f} s of worker start-up)"
        )

    if not args.no_transformer:
        from assessqa.features import sentence_units
        from assessqa.training.encoder import SentenceEncoder

        encoder = SentenceEncoder()
        sentences = [[u.text for u in sentence_units(scorer.parse(t))] for t in texts]
        encoder.encode(sentences[0])
        latencies = []
        start = time.perf_counter()
        for sents in sentences:
            t0 = time.perf_counter()
            encoder.encode(sents)
            latencies.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        n_sents = statistics.mean(len(s) for s in sentences)
        figures["baseline"] = {
            "docs_per_s": len(texts) / total,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * p95,
            "peak_rss_mb": peak_rss_mb(),
            "sentences_per_doc": n_sents,
        }
        print(
            f"baseline MiniLM mean-pooling (transformers, fp32, {n_sents:.0f} sentences/doc, embeddings only): "
            f"{figures['baseline']['docs_per_s']:.1f} docs/s, latency p50 {figures['baseline']['p50_ms']:.0f} ms, "
            f"p95 {figures['baseline']['p95_ms']:.0f} ms, peak RSS {figures['baseline']['peak_rss_mb']:.0f} MB"
        )
        figures["ratio_to_baseline"] = figures["docs_per_s"] / figures["baseline"]["docs_per_s"]
        print(f"assessqa in chunks is {figures['ratio_to_baseline']:.1f}x the baseline's documents per second")
        if figures.get("batch"):
            # Both on the whole machine: the baseline's torch uses every core, as --jobs does.
            figures["ratio_batch_to_baseline"] = figures["batch"]["docs_per_s"] / figures["baseline"]["docs_per_s"]
            print(f"assessqa with --jobs {figures['batch']['jobs']} (once started) is {figures['ratio_batch_to_baseline']:.1f}x the baseline")
    if args.out:
        import json

        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
