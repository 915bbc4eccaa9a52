"""Compare a change with the shipped configuration on the mean of several seeded leave-one-writer-out runs.

One run's stuffing counts move by a few grades and its QWK by about 0.01 with the seed alone
(`style_cv_seed14.json`), so a rule read on one run can be decided by the draw. This prints, from the
`style_cv.py --probes` files of each side, the mean of every figure such a rule reads and the change's difference.

    python3 training/seed_pairs.py --base training/style_cv.json training/style_cv_seed14_0.4.13.json \\
        --change training/style_cv_bracket_0.4.13.json training/style_cv_bracket_0.4.13_seed14.json
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path


def figures(run: dict) -> dict[str, float]:
    """The figures a rule reads from one leave-one-writer-out run, flat and named."""
    pooled = run["pooled"]
    out = {f"qwk.{dim}": block["qwk"] for dim, block in pooled["dimensions"].items()}
    out["qwk.mean"] = statistics.fmean(block["qwk"] for block in pooled["dimensions"].values())
    extraction = pooled["actions"]["extraction"]
    out["actions.precision"] = extraction["precision"]
    out["actions.recall"] = extraction["recall"]
    calibration = pooled.get("calibration_pooled")
    if isinstance(calibration, dict) and calibration.get("ece") is not None:
        out["ece"] = calibration["ece"]
    probes = run.get("probes") or {}
    for family, count in (probes.get("stuffing_grades_raised") or {}).items():
        out[f"stuffing.{family}"] = count
    for family, count in (probes.get("blind_grades_raised") or {}).items():
        out[f"blind.{family}"] = count
    for key in ("stuffing_total", "blind_total", "sentence_salad_3_4_without_review"):
        if key in probes:
            out[key] = probes[key]
    return out


def mean_figures(runs: list[dict]) -> dict[str, float]:
    """Each figure's mean over the runs that all report it."""
    per_run = [figures(run) for run in runs]
    shared = set.intersection(*(set(f) for f in per_run))
    return {key: statistics.fmean(f[key] for f in per_run) for key in sorted(shared)}


def per_writer_actions(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Each held-out writer's action precision and recall, as means over the runs (writers with plans only)."""
    out: dict[str, dict[str, float]] = {}
    for group in runs[0].get("per_fold", {}):
        folds = [run["per_fold"].get(group, {}) for run in runs]
        if all(f.get("action_recall") is not None for f in folds):
            out[group] = {k: statistics.fmean(f[k] for f in folds) for k in ("action_precision", "action_recall")}
    return out


def compare(base: list[dict], change: list[dict]) -> list[tuple[str, float, float, float]]:
    """(figure, base mean, change mean, change minus base) for every figure both sides report."""
    # The writers held out are the keys of per_fold ("groups" is only their number).
    if len({tuple(sorted(run["per_fold"])) for run in base + change}) > 1:
        raise ValueError("the runs held out different writers")
    b, c = mean_figures(base), mean_figures(change)
    return [(key, b[key], c[key], c[key] - b[key]) for key in sorted(set(b) & set(c))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", nargs="+", type=Path, required=True, help="the shipped configuration's runs")
    ap.add_argument("--change", nargs="+", type=Path, required=True, help="the change's runs, same seeds")
    ap.add_argument("--out", type=Path, help="also write the comparison, with each writer's action figures, as JSON")
    args = ap.parse_args(argv)
    load = lambda paths: [json.loads(p.read_text(encoding="utf-8")) for p in paths]  # noqa: E731
    base, change = load(args.base), load(args.change)
    rows = compare(base, change)
    print(f"{'figure':42s} {'base':>9s} {'change':>9s} {'diff':>9s}   (means of {len(args.base)} and {len(args.change)} runs)")
    for key, b, c, d in rows:
        print(f"{key:42s} {b:9.4f} {c:9.4f} {d:+9.4f}")
    if args.out:
        before, after = per_writer_actions(base), per_writer_actions(change)
        args.out.write_text(json.dumps({
            "base": [str(p) for p in args.base],
            "change": [str(p) for p in args.change],
            "figures": {key: {"base": round(b, 4), "change": round(c, 4), "diff": round(d, 4)} for key, b, c, d in rows},
            "actions_by_writer": {
                g: {"base": {k: round(v, 4) for k, v in before[g].items()},
                    "change": {k: round(v, 4) for k, v in after[g].items()}}
                for g in before if g in after
            },
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
