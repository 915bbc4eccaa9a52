"""``assessqa score`` on one export three ways: one process, ``--jobs N`` worker processes, and ``--engine spark``
in local mode on the same cores. Each is a fresh process timed from start to exit (start-up included: that is
what a nightly run pays), with the peak RSS of the main process and of its whole process tree (workers, or Spark's
JVM and Python workers), sampled from /proc every 0.2 s.

Usage: python benchmarks/batch_engines.py [--documents 2000] [--jobs 2] [--out benchmarks/results/batch_engines.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_memory import write_export  # noqa: E402  (the same synthetic export)
from measure import run_cli  # noqa: E402  (benchmarks/measure.py)
from score_speed import machine  # noqa: E402


def run(args: list[str]) -> dict[str, float]:
    return run_cli(["score", *args, "--no-summary"], sample_tree=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "export.jsonl"
        write_export(src, args.documents)
        engines = [
            ("local, one process", [str(src), "--out", f"{tmp}/one.jsonl", "--jobs", "1"]),
            (f"local, --jobs {args.jobs}", [str(src), "--out", f"{tmp}/jobs.jsonl", "--jobs", str(args.jobs)]),
            (f"spark, local[{args.jobs}]", [str(src), "--out", f"{tmp}/spark", "--engine", "spark", "--spark-master", f"local[{args.jobs}]"]),
        ]
        for label, argv in engines:
            r = run(argv)
            rows.append({"engine": label, "documents": args.documents, **r, "docs_per_s": args.documents / r["wall_s"]})
            print(f"{label:>22}: {args.documents / r['wall_s']:.1f} docs/s from start to exit ({r['wall_s']:.1f} s), "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB, whole process tree {r['peak_tree_rss_mb']:.0f} MB, exit {r['exit']}")
        one = [json.loads(line)["dimensions"] for line in Path(f"{tmp}/one.jsonl").read_text().splitlines()]
        spark = [json.loads(line)["dimensions"] for part in sorted(Path(f"{tmp}/spark").glob("part-*")) for line in part.read_text().splitlines()]
        same = one == spark
        print(f"spark records identical to the one-process records: {same}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        from assessqa.scoring import Scorer

        model = Scorer.from_directory().model_version
        args.out.write_text(json.dumps({"machine": machine(), "model_version": model, "runs": rows, "spark_identical": same}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
