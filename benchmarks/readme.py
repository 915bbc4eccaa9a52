"""Write benchmarks/README.md from the figures the benchmark scripts saved (never typed by hand).

Usage: python benchmarks/readme.py   (after the scripts below have written their JSON)
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SPEED = HERE.parent / "models" / "default" / "speed.json"


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _speed(speed: dict) -> list[str]:
    lines = [
        "## One process, and the transformer baseline (`score_speed.py` → `models/default/speed.json`)",
        "",
        f"Machine: {speed['machine']}. Model {speed['model_version']}, {speed['documents']} documents of about {speed['words']} words.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| documents/s, one process, chunks of {speed['chunk']} | {speed['docs_per_s']:.1f} |",
        f"| documents/s, one at a time (the REST path) | {speed['single_docs_per_s']:.1f} (p50 {speed['p50_ms']:.0f} ms, p95 {speed['p95_ms']:.0f} ms) |",
    ]
    for label, key in (("runtime install", "runtime_only"), ("with the train extra", "with_train_extra")):
        p = speed.get("process", {}).get(key)
        if p:
            lines.append(f"| `assessqa score` start to first record, {label} | {p['start_to_first_record_s']:.2f} s (peak RSS {p['peak_rss_mb']:.0f} MB) |")
    if speed.get("batch"):
        b = speed["batch"]
        lines.append(f"| `--jobs {b['jobs']}`, {b['documents']} documents | {b['docs_per_s']:.1f}/s once started, {b['docs_per_s_with_startup']:.1f}/s counting {b['startup_s']:.1f} s of start-up |")
    if speed.get("baseline"):
        whole = f"; with `--jobs` (whole machine, as the baseline's torch) {speed['ratio_batch_to_baseline']:.1f}×" if speed.get("ratio_batch_to_baseline") else ""
        lines.append(f"| MiniLM mean-pooling baseline (transformers, embeddings only) | {speed['baseline']['docs_per_s']:.1f}/s; assessqa in one process is {speed['ratio_to_baseline']:.1f}×{whole} |")
    return lines + [""]


def _profile(profile: dict) -> list[str]:
    before = _load(RESULTS / "profile_before.json")
    was = {r["stage"]: r["ms_per_doc"] for r in before["stages"]} if before else {}
    lines = [
        "## Where a document's time goes (`profile_stages.py` → `results/profile.json`)",
        "",
        f"Machine: {profile['machine']}. Model {profile['model_version']}, {profile['documents']} documents of about"
        f" {profile['words']} words in chunks of {profile['chunk']}: {profile['ms_per_doc']:.1f} ms a document"
        f" ({profile['docs_per_s']:.1f}/s with the stages wrapped in timers). Each stage is timed where the pipeline"
        " calls it; `where` names the file its code lives in.",
    ]
    if before:
        lines += [
            "",
            f"Before: `results/profile_before.json`, the same script over the same documents on the code of commit"
            f" f95ef29 (model {before['model_version']} applied through scikit-learn, before the speed work of"
            f" this stop), on {before['machine']}: {before['ms_per_doc']:.1f} ms a document ({before['docs_per_s']:.1f}/s).",
        ]
    lines += [
        "",
        "| stage | where | ms per document | share | before, ms per document |",
        "|---|---|---|---|---|",
    ]
    for r in profile["stages"]:
        old = f"{was[r['stage']]:.2f}" if r["stage"] in was else ""
        lines.append(f"| {r['stage']} | `{r['where']}` | {r['ms_per_doc']:.2f} | {100 * r['share']:.1f}% | {old} |")
    lines += [
        "",
        "The profile before the pipeline was restructured (model 0.3.1, estimators called per document and per",
        "dimension) is the one quoted in issue #13; it was taken with cProfile by function, not by stage.",
        "",
    ]
    return lines


def _table(title: str, intro: list[str], columns: list[str], rows: list[list[str]]) -> list[str]:
    """A section: its title, its intro lines, and a markdown table."""
    lines = [title, "", *intro, "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _engines(engines: dict) -> list[str]:
    lines = _table(
        "## Engines on one export (`batch_engines.py` → `results/batch_engines.json`)",
        [
            f"Machine: {engines['machine']}. Model {engines.get('model_version', 'not recorded')}. Each run is `assessqa score` as a fresh process, timed from start to exit (start-up",
            "included, as a nightly run pays it), on a machine with the train extra installed: spaCy's thinc then imports",
            "torch, which a runtime install does not have (its figures: the first table).",
        ],
        ["engine", "documents", "documents/s, start to exit", "wall", "peak RSS, main process", "peak RSS, whole process tree (workers, JVM)", "exit"],
        [
            [r["engine"], f"{r['documents']:,}", f"{r['docs_per_s']:.1f}", f"{r['wall_s']:.1f} s", f"{r['peak_rss_mb']:.0f} MB", f"{r['peak_tree_rss_mb']:.0f} MB", str(r["exit"])]
            for r in engines["runs"]
        ],
    )
    return lines + ["", f"Spark's records identical to the one-process records: **{engines['spark_identical']}**.", ""]


def _memory(memory: dict) -> list[str]:
    lines = _table(
        "## Memory over export size (`batch_memory.py` → `results/batch_memory.json`)",
        [
            f"Machine: {memory['machine']}. Model {memory.get('model_version', 'not recorded')}. One fresh `assessqa score` process per size, reading a JSONL export and writing",
            "JSONL, with the train extra installed (as above). Flat peak memory means the export is streamed, not held.",
        ],
        ["documents", "--jobs", "peak RSS", "documents/s, start to exit", "exit"],
        [[f"{r['documents']:,}", str(r["jobs"]), f"{r['peak_rss_mb']:.0f} MB", f"{r['docs_per_s']:.1f}", str(r["exit"])] for r in memory["runs"]],
    )
    return lines + [""]


def render() -> str:
    parts = [
        "# Benchmarks",
        "",
        "Every figure below is written by `python benchmarks/readme.py` from the JSON the scripts saved; rerun a script",
        "and then this to update it. Timings on a shared 2-core machine are noisy: compare ratios within one table.",
        "",
        "```bash",
        "python benchmarks/score_speed.py --out models/default/speed.json",
        "python benchmarks/profile_stages.py --out benchmarks/results/profile.json",
        "python benchmarks/batch_engines.py --out benchmarks/results/batch_engines.json",
        "python benchmarks/batch_memory.py --sizes 1000,10000 --out benchmarks/results/batch_memory.json   # add 100000 for a long run",
        "python benchmarks/load_api.py --readme            # REST load: api/README.md",
        "python benchmarks/readme.py",
        "```",
        "",
    ]
    for path, section in ((SPEED, _speed), (RESULTS / "profile.json", _profile), (RESULTS / "batch_engines.json", _engines), (RESULTS / "batch_memory.json", _memory)):
        data = _load(path)
        if data is not None:
            parts += section(data)
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    (HERE / "README.md").write_text(render(), encoding="utf-8")
    print(f"wrote {HERE / 'README.md'}")


if __name__ == "__main__":
    main()
