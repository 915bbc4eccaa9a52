"""Peak memory of ``assessqa score`` over synthetic exports of growing size: flat memory means streaming works.

Each size is a fresh process scoring a JSONL export of N different documents (made of held-out test-split texts by
score_speed.documents_of_about, with a team and a date) into a JSONL file; its peak RSS (VmHWM, benchmarks/measure.py) and documents per second are printed
with the machine and written to JSON.

Usage: python benchmarks/batch_memory.py [--sizes 1000,10000,100000] [--jobs 1] [--out benchmarks/batch_memory.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_cli  # noqa: E402  (benchmarks/measure.py)
from score_speed import documents_of_about, machine  # noqa: E402  (the same machine line and documents as the speed benchmark)



def write_export(path: Path, n: int) -> None:
    """``n`` different ~880-word documents (score_speed.documents_of_about), with a team and a date each."""
    with open(path, "w", encoding="utf-8") as out:
        for k, text in enumerate(documents_of_about(880, n)):
            out.write(json.dumps({"id": f"x{k}", "text": text, "team": f"team {k % 7}", "date": f"2026-{1 + k % 12:02d}-01"}) + "\n")


def run(path: Path, jobs: int) -> dict[str, float]:
    # The main process's own peak; batch_engines.py samples the whole process tree, workers included.
    return run_cli(["score", str(path), "--out", str(path.with_suffix(".out.jsonl")), "--no-summary", "--jobs", str(jobs)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    rows = []
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"export-{n}.jsonl"
            write_export(path, n)
            r = run(path, args.jobs)
            rows.append({"documents": n, "jobs": args.jobs, **r, "docs_per_s": n / r["wall_s"]})
            print(f"{n:>7} documents, --jobs {args.jobs}: peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"{n / r['wall_s']:.1f} docs/s including start-up, exit {r['exit']}")
    if args.out:
        from assessqa.scoring import Scorer

        model = Scorer.from_directory().model_version
        args.out.write_text(json.dumps({"machine": machine(), "model_version": model, "runs": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
