"""The review rule: grades likely to be wrong ask for review, by a rule learned out of style (models/review.py)."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from assessqa.config import Settings
from assessqa.errors import AnnotationError
from assessqa.models.config import resolve_config
from assessqa.models.review import REVIEW_FEATURES, review_signals, wrong_probability
from assessqa.schemas import InputDocument
from assessqa.scoring import Scorer

from conftest import load_script


def _rule(intercept: float, flag_above: float) -> dict:
    n = len(REVIEW_FEATURES)
    return {"features": list(REVIEW_FEATURES), "mean": [0.0] * n, "scale": [1.0] * n, "coef": [0.0] * n,
            "intercept": intercept, "flag_above": flag_above}


def _with_rule(model, rule):
    meta = copy.deepcopy(model.meta)
    meta["config"] = {**meta.get("config", {}), "review": rule}
    return replace(model, meta=meta)


@pytest.fixture(scope="module")
def plan_and_assessment(corpus_splits):
    docs = corpus_splits["test"]
    return [next(d for d in docs if d.doc_type == t) for t in ("assessment", "plan")]


def test_signals_read_the_grade_probabilities_and_the_document(small_model, plan_and_assessment):
    scorer = Scorer(small_model, Settings())
    for doc in plan_and_assessment:
        [analysis] = scorer.analyse_batch([doc.text], [doc.doc_type])
        for dim, probs in analysis.grade_probs.items():
            s = review_signals(analysis, doc.text, dim)
            assert set(s) == set(REVIEW_FEATURES)
            grade = analysis.grades[dim]
            assert s["top"] == pytest.approx(probs[grade])
            assert s["expected_error"] == pytest.approx(sum(p * abs(g - grade) for g, p in probs.items()))
            assert 0.0 <= s["sectioned_share"] <= 1.0 and 0.0 <= s["cue_confident_share"] <= 1.0
            assert s[f"dim_{dim}"] == 1.0 and sum(s[f"dim_{d}"] for d in analysis.grade_probs) == 1.0
            assert (s["log_actions"] > 0) == (doc.doc_type == "plan" and bool(analysis.actions))


def test_a_rule_flags_the_grades_it_takes_for_errors_and_only_those(small_model, plan_and_assessment):
    documents = [InputDocument(text=d.text, doc_type=d.doc_type) for d in plan_and_assessment]
    plain = Scorer(small_model, Settings()).score_batch(documents)
    always = Scorer(_with_rule(small_model, _rule(intercept=5.0, flag_above=0.5)), Settings()).score_batch(documents)
    never = Scorer(_with_rule(small_model, _rule(intercept=-5.0, flag_above=0.5)), Settings()).score_batch(documents)
    replacing = _rule(intercept=-5.0, flag_above=0.5) | {"replaces_low_confidence": True}
    instead_records = Scorer(_with_rule(small_model, replacing), Settings()).score_batch(documents)
    for p, a, n, instead in zip(plain, always, never, instead_records):
        for dim, result in p.dimensions.items():
            if result is None:
                continue
            assert a.dimensions[dim].needs_review and "likely_wrong" in a.dimensions[dim].review_reasons
            assert n.dimensions[dim].needs_review == result.needs_review
            assert "likely_wrong" not in n.dimensions[dim].review_reasons + result.review_reasons
            # A record says why it asks for review, and asks only when it has a reason.
            assert result.needs_review == bool(result.review_reasons)
            assert "low_confidence" not in instead.dimensions[dim].review_reasons
            assert set(instead.dimensions[dim].review_reasons) == set(result.review_reasons) - {"low_confidence"}
            assert a.dimensions[dim].grade == result.grade  # review never changes a grade


def test_wrong_probability_is_the_standardised_logistic_model():
    rule = _rule(0.0, 0.5)
    rule["coef"][0], rule["mean"][0], rule["scale"][0] = 2.0, 0.5, 0.25
    signals = {f: 0.0 for f in REVIEW_FEATURES} | {"top": 0.75}
    assert wrong_probability(rule, signals) == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_a_malformed_rule_is_refused_by_name():
    bad = _rule(0.0, 0.5)
    bad["coef"] = bad["coef"][:-1]
    with pytest.raises(AnnotationError):
        resolve_config({"review": bad})
    unknown = _rule(0.0, 0.5) | {"features": ["shoe_size"] + list(REVIEW_FEATURES)[1:]}
    with pytest.raises(AnnotationError):
        resolve_config({"review": unknown})
    assert resolve_config({"review": _rule(0.0, 0.5)})["review"]["flag_above"] == 0.5


def _review_rule_script():
    return load_script("training/review_rule.py")


def test_the_fitted_threshold_keeps_all_flags_within_the_limit_and_learns_the_errors():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(600):
        wrong = bool(rng.random() < 0.3)
        signals = {f: float(rng.normal()) for f in REVIEW_FEATURES}
        # Long, on-topic, ordered documents: no fixed reason applies but a low probability...
        signals.update(log_sentences=3.5, log_domain_density=2.0, disordered=0.0)
        # ...and wrong grades are less certain: the rule has something real to learn.
        signals["top"] = float(np.clip(rng.normal(0.5 if wrong else 0.75, 0.1), 0, 1))
        rows.append({"group": f"h{i % 6}", "gold": 2, "grade": 3 if wrong else 2, "signals": signals})
    script = _review_rule_script()
    for replaces in (False, True):
        rule = script.fit_rule(rows, max_flagged=0.2, C=1.0, replaces_low_confidence=replaces)
        assert rule["replaces_low_confidence"] is replaces
        p = np.array([wrong_probability(rule, r["signals"]) for r in rows])
        flagged = script.already_flagged(rows, replaces) | (p >= rule["flag_above"])
        assert flagged.mean() <= 0.2
        figures = script.flag_figures(rows, flagged)
        # Far more of the wrong grades are flagged than the 20% a blind flag of one grade in five would catch.
        assert figures["share_of_wrong_flagged"] > 0.4
        assert rule["coef"][REVIEW_FEATURES.index("top")] < 0
        nested = script.flag_figures(rows, script.nested(rows, 0.2, 1.0, replaces))
        assert nested["share_flagged"] <= 0.25 and nested["share_of_wrong_flagged"] > 0.3


def test_fixed_reasons_read_back_from_the_signals_agree_with_the_record(small_model, plan_and_assessment):
    from assessqa.models.review import fixed_reasons

    scorer = Scorer(small_model, Settings())
    config = small_model.config
    texts = [d.text for d in plan_and_assessment] + ["Mum said. Dad said."]
    types = [d.doc_type for d in plan_and_assessment] + ["assessment"]
    records = scorer.score_batch([InputDocument(text=t, doc_type=k) for t, k in zip(texts, types)])
    for text, kind, record in zip(texts, types, records):
        [analysis] = scorer.analyse_batch([text], [kind])
        for dim, result in record.dimensions.items():
            if result is not None:
                signals = review_signals(analysis, text, dim)
                assert fixed_reasons(signals, config["abstain_below"], config["min_domain_density"]) == result.needs_review


def _calibration_rows(rng: np.random.Generator, n: int = 480) -> list[dict]:
    """Held-out grades from an over-confident model: its top grade is right 60% of the time at 90% confidence."""
    rows = []
    for i in range(n):
        grade = int(rng.integers(1, 5))
        gold = grade if rng.random() < 0.6 else int(np.clip(grade + rng.choice([-1, 1]), 1, 4))
        probs = np.full(4, 0.1 / 3)
        probs[grade - 1] = 0.9
        signals = {f: 0.0 for f in REVIEW_FEATURES}
        rows.append({"group": f"h{i % 6}", "dimension": "lived_experience", "gold": gold, "grade": grade,
                     "probabilities": probs.tolist(), "signals": signals})
    return rows


def test_out_of_style_temperature_softens_an_over_confident_model_and_is_measured_nested():
    script = _review_rule_script()
    rows = _calibration_rows(np.random.default_rng(1))
    temperatures = script.fit_temperatures(rows, shrink=1.0)
    assert temperatures["lived_experience"] > 1.5
    half = script.fit_temperatures(rows, shrink=0.5)["lived_experience"]
    assert half == pytest.approx(1 + 0.5 * (temperatures["lived_experience"] - 1), abs=1e-3)
    recalibrated = script.recalibrate(rows, temperatures, "median")
    # The top grade keeps its place; its probability and the signals read from it fall to what it earns.
    assert [r["grade"] for r in recalibrated] == [r["grade"] for r in rows]
    assert all(r["signals"]["top"] == pytest.approx(max(r["probabilities"])) for r in recalibrated)
    before, after = script.calibration_figures(rows), script.calibration_figures(script.nested_recalibration(rows, 1.0, "median"))
    assert after["pooled_ece"] < before["pooled_ece"] - 0.1
    assert after["log_loss"] < before["log_loss"]
    review = {"share_of_wrong_flagged": 0.4, "share_flagged": 0.18}
    worse_review = {"share_of_wrong_flagged": 0.3, "share_flagged": 0.18}
    assert all(script.calibration_passes(before, after, review, review).values())
    assert not script.calibration_passes(before, after, review, worse_review)["review_rule_flags_no_smaller_share_of_wrong_grades"]
    assert not script.calibration_passes(after, before, review, review)["pooled_ece_not_higher"]


def test_out_of_style_temperatures_multiply_the_in_style_one_and_are_validated():
    from assessqa.training.fit import _calibrate

    rng = np.random.default_rng(0)
    X = [{"a": float(v)} for v in rng.normal(size=120)]
    y = np.array([1 + int(x["a"] > 0) + int(x["a"] > 1) for x in X])
    groups = np.array([i % 4 for i in range(120)])
    plain = _calibrate(X, y, groups, resolve_config(), "lived_experience")
    scaled = _calibrate(X, y, groups, resolve_config({"out_of_style_temperature": {"lived_experience": 2.0}}), "lived_experience")
    assert scaled["temperature"] == pytest.approx(2.0 * plain["temperature"], abs=1e-3)
    assert scaled["in_style_temperature"] == plain["temperature"]
    with pytest.raises(AnnotationError):
        resolve_config({"out_of_style_temperature": {"lived_experiences": 1.2}})
    with pytest.raises(AnnotationError):
        resolve_config({"out_of_style_temperature": {"lived_experience": 9.0}})
