"""Calibrate out of style and learn when a grade is likely wrong, from leave-one-writer-out predictions.

    python3 training/style_cv.py --out training/style_cv.json --predictions training/style_cv_predictions.jsonl
    python3 training/review_rule.py            # -> training/review_config.json (the rule) and review_rule.json (figures)
    assessqa train --data annotations --out models/default --config training/review_config.json --version ...

Every row of the predictions file is a grade a model gave a writer it never saw. A logistic regression over the
signals of :mod:`assessqa.models.review` learns which of those grades were wrong. Its threshold is the lowest at
which the grades flagged for any reason (the fixed reasons and this rule together) stay within ``--max-flagged``
of all grades (the issue's limit is 20%; the default keeps a margin, since new writers differ). Two variants are
compared nested: the rule beside the fixed probability floor (``abstain_below``), or in its place; the one that
flags the larger share of the wrong grades is kept.

Before the rule, the grade probabilities are calibrated out of style: one temperature per dimension, fitted on
these held-out grades (``out_of_style_temperature`` in the written configuration). How much of it is applied (the
``SHRINKS``) is chosen by log loss measured nested, and the calibration ships only if it passes the rule written in
training/README.md ("0.4.5"), which :func:`calibration_passes` applies. The review rule is then fitted on the
recalibrated grades: a temperature can move a grade (the median of four probabilities) and moves the probabilities
the rule reads.

The figure to quote is the nested one (``nested_leave_one_writer_out``): the rule and its threshold fitted on the
other writers' rows and applied to each writer in turn, pooled. The external split is never read here.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from assessqa.models.bundle import apply_temperature, decide_grade, expected_calibration_error, fit_temperature
from assessqa.models.config import ReviewRuleConfig, resolve_config
from assessqa.models.review import REVIEW_FEATURES, fixed_reasons, probability_signals, wrong_probability
from assessqa.training.evaluation import grade_metrics, review_flag_figures

HERE = Path(__file__).resolve().parent
# Shares of the fitted out-of-style temperature compared (1 + share * (T - 1)).
SHRINKS = (0.5, 0.75, 1.0)


def load_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recalibrate(rows: list[dict], temperatures: dict[str, float], grade_rule: str) -> list[dict]:
    """``rows`` with each grade's probabilities scaled by its dimension's temperature, the grade read from them
    again and the signals that come from the probabilities recomputed."""
    out = []
    for r in rows:
        scaled = apply_temperature(np.array([r["probabilities"]], dtype=float), temperatures.get(r["dimension"], 1.0))[0]
        probs = {g: float(p) for g, p in zip((1, 2, 3, 4), scaled)}
        grade = decide_grade(probs, grade_rule)
        signals = {**r["signals"], **probability_signals(probs, grade)}
        out.append({**r, "probabilities": scaled.round(6).tolist(), "grade": grade, "signals": signals})
    return out


def fit_temperatures(rows: list[dict], shrink: float) -> dict[str, float]:
    """Per dimension, ``shrink`` of the way from 1 to the temperature minimising the log loss of ``rows``."""
    out = {}
    for dim in sorted({r["dimension"] for r in rows}):
        mine = [r for r in rows if r["dimension"] == dim]
        proba = np.array([r["probabilities"] for r in mine], dtype=float)
        full = fit_temperature(proba, np.array([r["gold"] - 1 for r in mine]))
        out[dim] = round(1.0 + shrink * (full - 1.0), 4)
    return out


def nested_recalibration(rows: list[dict], shrink: float, grade_rule: str) -> list[dict]:
    """Each writer's rows recalibrated with temperatures fitted on the other writers' rows, in the rows' order."""
    out: list[dict | None] = [None] * len(rows)
    for group in sorted({r["group"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["group"] == group]
        temperatures = fit_temperatures([r for r in rows if r["group"] != group], shrink)
        for i, row in zip(idx, recalibrate([rows[i] for i in idx], temperatures, grade_rule)):
            out[i] = row
    return out  # type: ignore[return-value]


def calibration_figures(rows: list[dict]) -> dict:
    """QWK and ECE per dimension, pooled ECE and log loss, of held-out grades."""
    proba = np.array([r["probabilities"] for r in rows], dtype=float)
    gold = np.array([r["gold"] - 1 for r in rows])
    per_dim = {}
    for dim in sorted({r["dimension"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["dimension"] == dim]
        per_dim[dim] = {
            "qwk": grade_metrics([rows[i]["gold"] for i in idx], [rows[i]["grade"] for i in idx])["qwk"],
            "ece": round(expected_calibration_error(proba[idx], gold[idx]), 4),
        }
    return {
        "dimensions": per_dim,
        "mean_qwk": round(float(np.mean([d["qwk"] for d in per_dim.values()])), 4),
        "pooled_ece": round(expected_calibration_error(proba, gold), 4),
        "log_loss": round(float(-np.log(np.clip(proba[np.arange(len(gold)), gold], 1e-9, None)).mean()), 4),
    }


def calibration_passes(before: dict, after: dict, review_before: dict, review_after: dict) -> dict[str, bool]:
    """The shipping rule of training/README.md ("0.4.5"), each condition by name, all measured nested."""
    return {
        "pooled_ece_not_higher": after["pooled_ece"] <= before["pooled_ece"],
        "mean_qwk_not_lower_by_more_than_0.005": after["mean_qwk"] >= before["mean_qwk"] - 0.005,
        "review_rule_flags_no_smaller_share_of_wrong_grades": review_after["share_of_wrong_flagged"]
        >= review_before["share_of_wrong_flagged"]
        and review_after["share_flagged"] <= 0.20,
    }


def already_flagged(rows: list[dict], replaces_low_confidence: bool) -> np.ndarray:
    """Each grade's fixed reasons for review, as scoring decides them (the probability floor left out where the
    rule is to replace it)."""
    config = resolve_config()
    floor = None if replaces_low_confidence else config["abstain_below"]
    return np.array([fixed_reasons(r["signals"], floor, config["min_domain_density"]) for r in rows])


def fit_rule(rows: list[dict], max_flagged: float, C: float, replaces_low_confidence: bool = False) -> dict:
    """The rule (a :class:`ReviewRuleConfig` as a dict) fitted on ``rows``, its threshold set by ``max_flagged``."""
    X = np.array([[r["signals"][f] for f in REVIEW_FEATURES] for r in rows], dtype=float)
    y = np.array([r["grade"] != r["gold"] for r in rows], dtype=int)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=C, max_iter=2000).fit((X - mean) / scale, y)
    rule = {
        "features": list(REVIEW_FEATURES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
        "coef": clf.coef_.ravel().round(6).tolist(), "intercept": round(float(clf.intercept_[0]), 6), "flag_above": 1.0,
        "replaces_low_confidence": replaces_low_confidence,
    }
    rule["flag_above"] = _threshold(rule, rows, max_flagged, already_flagged(rows, replaces_low_confidence))
    return ReviewRuleConfig.model_validate(rule).model_dump()


def _threshold(rule: dict, rows: list[dict], max_flagged: float, already: np.ndarray) -> float:
    """The lowest probability threshold at which grades flagged for any reason stay within ``max_flagged``."""
    p = np.array([wrong_probability(rule, r["signals"]) for r in rows])
    best = 1.0
    for t in np.unique(np.round(p, 4))[::-1]:
        if (already | (p >= t)).mean() > max_flagged:
            break
        best = float(t)
    return best


def flag_figures(rows: list[dict], flagged: np.ndarray) -> dict:
    return review_flag_figures(np.array([r["grade"] != r["gold"] for r in rows]), flagged)


def nested(rows: list[dict], max_flagged: float, C: float, replaces_low_confidence: bool = False) -> np.ndarray:
    """Each writer's grades flagged by a rule fitted, threshold included, on the other writers' rows."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_group[r["group"]].append(i)
    already = already_flagged(rows, replaces_low_confidence)
    flagged = np.zeros(len(rows), dtype=bool)
    for group, idx in by_group.items():
        others = [r for r in rows if r["group"] != group]
        rule = fit_rule(others, max_flagged, C, replaces_low_confidence)
        for i in idx:
            flagged[i] = already[i] or wrong_probability(rule, rows[i]["signals"]) >= rule["flag_above"]
    return flagged


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--predictions", type=Path, default=HERE / "style_cv_predictions.jsonl")
    ap.add_argument("--max-flagged", type=float, default=0.18, help="share of all grades flagged for any reason")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--config-out", type=Path, default=HERE / "review_config.json")
    ap.add_argument("--out", type=Path, default=HERE / "review_rule.json")
    args = ap.parse_args()
    raw = load_rows(args.predictions)
    grade_rule = resolve_config()["grade_rule"]

    def review_variants(held_out: list[dict]) -> dict[bool, dict]:
        # Two ways to spend the review budget, compared nested: the rule beside the fixed probability floor, or in
        # its place.
        return {r: flag_figures(held_out, nested(held_out, args.max_flagged, args.C, r)) for r in (False, True)}

    def best(variants: dict[bool, dict]) -> bool:
        # The variant that flags the larger share of wrong grades (the first on a tie).
        return max(variants, key=lambda r: (variants[r]["share_of_wrong_flagged"], not r))

    uncalibrated = calibration_figures(raw)
    options = {shrink: nested_recalibration(raw, shrink, grade_rule) for shrink in SHRINKS}
    option_figures = {shrink: calibration_figures(held_out) for shrink, held_out in options.items()}
    shrink = min(SHRINKS, key=lambda s: (option_figures[s]["log_loss"], s))
    review_raw = review_variants(raw)
    review_calibrated = review_variants(options[shrink])
    passes = calibration_passes(
        uncalibrated, option_figures[shrink], review_raw[best(review_raw)], review_calibrated[best(review_calibrated)]
    )
    ships = all(passes.values())
    temperatures = fit_temperatures(raw, shrink) if ships else None
    rows = recalibrate(raw, temperatures, grade_rule) if temperatures else raw
    variants = review_calibrated if ships else review_raw
    chosen = best(variants)
    rule = fit_rule(rows, args.max_flagged, args.C, chosen)
    report = {
        "predictions": args.predictions.name,
        "calibration": {
            "shrinks_compared": {str(s): f for s, f in option_figures.items()},
            "without": uncalibrated,
            "chosen_shrink": shrink,
            "nested_leave_one_writer_out": option_figures[shrink],
            "rule": passes,
            "ships": ships,
            "out_of_style_temperature": temperatures,
        },
        "max_flagged": args.max_flagged,
        "C": args.C,
        "fixed_reasons_only": flag_figures(rows, already_flagged(rows, replaces_low_confidence=False)),
        "nested_leave_one_writer_out": variants[chosen],
        "variants": {("rule_replaces_probability_floor" if r else "rule_beside_probability_floor"): v for r, v in variants.items()},
        "rule": rule,
    }
    config = {"review": rule, "out_of_style_temperature": temperatures}
    args.config_out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "rule"}, indent=2))
    print(f"wrote {args.config_out} and {args.out}")


if __name__ == "__main__":
    main()
