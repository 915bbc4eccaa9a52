"""Which grades a person should check: a small model of when a grade is wrong, learned out of style.

A grade's own probability says little about whether it is wrong on a record written in a style the model never
saw: on the external split, flagging the grades below 0.5 caught 30% of the wrong ones. This reads what else is
known about the grade and its document (how torn the grade model is, how much of the text the evidence tagger
recognised, how much of it sits under headings it knows, how long it is) and gives a probability that the grade is
wrong. It is fitted on the held-out predictions of leave-one-writer-out cross-validation
(``training/review_rule.py`` from ``training/style_cv.py --predictions``), so what it learns is what goes wrong on a
writer the grade models never saw; the rule's coefficients travel in the model's configuration (``review``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from assessqa.features.markers import domain_density
from assessqa.schemas import DIMENSIONS

if TYPE_CHECKING:
    from assessqa.pipeline import DocumentAnalysis

# What the rule reads of one grade; then one indicator per dimension.
SIGNALS: tuple[str, ...] = (
    "top",
    "margin",
    "expected_error",
    "log_sentences",
    "sectioned_share",
    "cue_confident_share",
    "cue_max_mean",
    "log_domain_density",
    "disordered",
    "log_actions",
)
REVIEW_FEATURES: tuple[str, ...] = SIGNALS + tuple(f"dim_{d}" for d in DIMENSIONS)


def review_signals(
    analysis: "DocumentAnalysis", text: str, dimension: str, density: float | None = None
) -> dict[str, float]:
    """The figures :data:`REVIEW_FEATURES` names, for one dimension's grade of one analysed document; ``density``
    is the text's :func:`~assessqa.features.markers.domain_density` where the caller has it already (it reads
    the whole text)."""
    units = analysis.units
    n = len(units)
    cue_max = analysis.cue_probs.max(axis=1) if n else np.zeros(0)
    out = {
        **probability_signals(analysis.grade_probs[dimension], analysis.grades[dimension]),
        "log_sentences": math.log1p(n),
        # Out-of-style layouts put text under headings the section rules do not know, or under none.
        "sectioned_share": float(np.mean([u.category not in (None, "other") for u in units])) if n else 0.0,
        # Out-of-style wording leaves the evidence tagger unsure of more sentences.
        "cue_confident_share": float((cue_max >= 0.5).mean()) if n else 0.0,
        "cue_max_mean": float(cue_max.mean()) if n else 0.0,
        "log_domain_density": math.log1p(domain_density(text) if density is None else density),
        "disordered": float(analysis.disordered),
        "log_actions": math.log1p(len(analysis.actions)),
    }
    for d in DIMENSIONS:
        out[f"dim_{d}"] = float(d == dimension)
    return out


def probability_signals(probs: Mapping[int, float], grade: int) -> dict[str, float]:
    """The signals read from a grade's probabilities alone (``top``, ``margin``, ``expected_error``): what changes
    when the probabilities are recalibrated."""
    ordered = sorted(probs.values(), reverse=True)
    return {
        "top": float(probs[grade]),
        "margin": float(ordered[0] - ordered[1]) if len(ordered) > 1 else 1.0,
        # How far, in grades, the truth is expected to be from the grade given, by the model's own probabilities.
        "expected_error": float(sum(p * abs(g - grade) for g, p in probs.items())),
    }


def fixed_reasons(signals: dict[str, float], probability_floor: float | None, min_domain_density: float) -> bool:
    """Whether a grade with these signals asks for review for a fixed reason (thin, off-topic, disordered text, and,
    unless ``probability_floor`` is None, a probability below it): what ``report.record`` decides, read back from
    the signals so that a rule can be fitted on held-out grades alone. ``two_records`` is left out: the rule is
    fitted on corpus documents, none of which holds a second record (tests/test_records.py)."""
    thin = signals["log_sentences"] < math.log1p(3) - 1e-4  # fewer than 3 sentences (signals are rounded)
    off_topic = math.expm1(signals["log_domain_density"]) < min_domain_density
    disordered = bool(signals["disordered"]) and not thin
    low = probability_floor is not None and signals["top"] < probability_floor
    return thin or off_topic or disordered or low


def wrong_probability(rule: Mapping[str, Any], signals: dict[str, float]) -> float:
    """The rule's probability that a grade with these signals is wrong (a standardised logistic model); ``rule`` is
    a model configuration's ``review`` section (:class:`~assessqa.models.config.ReviewRuleConfig` as a dict)."""
    x = np.array([signals[name] for name in rule["features"]], dtype=float)
    z = float(((x - np.array(rule["mean"])) / np.array(rule["scale"])) @ np.array(rule["coef"]) + rule["intercept"])
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


__all__ = ["REVIEW_FEATURES", "SIGNALS", "probability_signals", "review_signals", "wrong_probability"]
