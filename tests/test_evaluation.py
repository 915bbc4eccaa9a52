import pytest

from assessqa.training.evaluation import evaluate, grade_metrics

from conftest import load_script


def test_grade_metrics_on_known_values():
    m = grade_metrics([1, 2, 3, 4], [1, 2, 4, 4])
    assert m["exact"] == 0.75 and m["within_one"] == 1.0
    assert m["confusion"][2] == [0, 0, 0, 1]
    assert 0.8 < m["qwk"] < 1.0


def test_evaluate_reports_every_figure(small_model, corpus_splits):
    from assessqa.scoring import Scorer

    docs = corpus_splits["test"][:12]
    metrics = evaluate(Scorer(small_model), docs)
    assert metrics["documents"] == 12
    assert set(metrics["dimensions"]) == {d for doc in docs for d in doc.grades}
    assert 0.0 <= metrics["actions"]["extraction"]["precision"] <= 1.0
    assert set(metrics["actions"]["flags"]) == {"specific", "owner", "measurable", "achievable", "relevant", "time_bound"}


def test_ece_noise_floor_separates_sampling_noise_from_miscalibration():
    import numpy as np

    from assessqa.training.evaluation import ece_noise_floor
    from assessqa.models.bundle import expected_calibration_error

    rng = np.random.default_rng(1)
    proba = rng.dirichlet([2, 2, 2, 2], size=60)
    floor_mean, floor_p95 = ece_noise_floor(proba)
    # Labels drawn from the probabilities: calibrated by construction, so its ECE is noise the floor describes.
    drawn = np.array([rng.choice(4, p=row) for row in proba])
    assert floor_mean > 0.05 and expected_calibration_error(proba, drawn) <= floor_p95 + 0.05
    # Confident and always wrong: far above the floor.
    confident = np.tile([0.97, 0.01, 0.01, 0.01], (60, 1))
    assert expected_calibration_error(confident, np.full(60, 3)) > ece_noise_floor(confident)[1] + 0.5


def test_pooled_folds_give_the_figures_of_one_evaluation(small_model, corpus_splits):
    # style_cv.py pools folds before computing figures; pooling two halves must equal scoring them together.
    from assessqa.training.evaluation import Collected, collect, evaluate, summarise
    from assessqa.scoring import Scorer

    scorer = Scorer(small_model)
    docs = corpus_splits["dev"][:6] + [d for d in corpus_splits["dev"] if d.doc_type == "plan"][:4]
    pooled = Collected().merge(collect(scorer, docs[:5])).merge(collect(scorer, docs[5:]))
    assert summarise(pooled, scorer.model.config["abstain_below"]) == evaluate(scorer, docs)


def test_a_single_matched_action_gives_no_kappa_rather_than_an_error(small_model, corpus_splits):
    # One writer's documents can leave a flag with one matched action: kappa is undefined there, not a crash.
    from assessqa.training.evaluation import collect, summarise
    from assessqa.scoring import Scorer

    scorer = Scorer(small_model)
    plan = next(d for d in corpus_splits["dev"] if d.doc_type == "plan" and d.actions)
    one = plan.model_copy(update={"actions": plan.actions[:1]})
    metrics = summarise(collect(scorer, [one]), scorer.model.config["abstain_below"])
    assert all(v["kappa"] is None or -1 <= v["kappa"] <= 1 for v in metrics["actions"]["flags"].values())


def test_actions_are_matched_in_order_each_found_action_once():
    from assessqa.training.evaluation import match_actions

    gold = [(0, 100), (50, 150), (300, 400)]
    found = [(0, 120), (290, 390), (500, 600)]
    # The second annotated action overlaps the first found one, which the first annotated action took already.
    assert match_actions(gold, found) == [(0, 0), (2, 1)]
    assert match_actions(gold, []) == []
    # Overlap is a share of the shorter span: a sliver does not match.
    assert match_actions([(0, 100)], [(90, 300)]) == []


def test_the_action_threshold_is_chosen_by_pooled_f1_out_of_style():
    script = load_script("training/action_threshold.py")
    # Two real actions the detector is unsure of (0.35, 0.45), one non-action it is sure of (0.6) and one it rejects.
    plans = [{"group": "h1", "gold": [[0, 50], [100, 150]],
              "candidates": [[0, 50, 0.35], [100, 150, 0.45], [200, 250, 0.6], [300, 350, 0.1]]}]
    at_half = script.figures(plans, 0.5)
    assert (at_half["tp"], at_half["fp"], at_half["fn"]) == (0, 1, 2)
    chosen, table = script.choose(plans)
    # Every threshold up to 0.35 keeps both actions and the one false action (F1 0.8); the highest of them wins.
    assert chosen == 0.35
    assert max(row["f1"] for row in table) == pytest.approx(0.8)


def test_two_runs_are_compared_on_the_writers_both_held_out():
    script = load_script("training/compare_writers.py")
    predictions = [
        {"group": "h1", "dimension": "lived_experience", "gold": g, "grade": g} for g in (1, 2, 3, 4)
    ] + [{"group": "h14", "dimension": "lived_experience", "gold": g, "grade": 5 - g} for g in (1, 2, 3, 4)]
    candidates = [
        {"group": "h1", "gold": [[0, 50]], "candidates": [[0, 50, 0.9]]},
        {"group": "h14", "gold": [[0, 50]], "candidates": [[100, 150, 0.9]]},
    ]
    only_h1 = script.figures(predictions, candidates, {"h1"}, 0.4)
    assert only_h1["qwk"]["lived_experience"] == 1.0 and only_h1["actions"]["f1"] == 1.0
    both = script.figures(predictions, candidates, {"h1", "h14"}, 0.4)
    assert both["qwk"]["lived_experience"] < 1.0 and both["actions"]["f1"] == 0.5


def _run(qwk: float, precision: float, empty_headings: int, groups: int = 23) -> dict:
    return {
        "groups": groups,
        "per_fold": {f"h{i}": {} for i in range(1, groups + 1)},
        "pooled": {
            "dimensions": {"lived_experience": {"qwk": qwk}, "smart_actions": {"qwk": 0.9}},
            "actions": {"extraction": {"precision": precision, "recall": 0.9}},
            "calibration_pooled": {"ece": 0.04},
        },
        "probes": {"stuffing_grades_raised": {"empty_headings": empty_headings}, "stuffing_total": empty_headings},
    }


def test_seeded_runs_are_compared_on_their_means():
    script = load_script("training/seed_pairs.py")
    rows = {key: (b, c, d) for key, b, c, d in script.compare(
        [_run(0.78, 0.94, 16), _run(0.80, 0.96, 12)], [_run(0.79, 0.95, 11), _run(0.79, 0.95, 9)])}
    assert rows["stuffing.empty_headings"] == (14.0, 10.0, -4.0)
    assert rows["qwk.lived_experience"][2] == pytest.approx(0.0)
    assert rows["qwk.mean"][0] == pytest.approx((0.79 + 0.9) / 2)
    assert rows["actions.precision"][1] == pytest.approx(0.95)
    with pytest.raises(ValueError, match="different writers"):
        script.compare([_run(0.78, 0.94, 16), _run(0.78, 0.94, 16, groups=19)], [_run(0.78, 0.94, 16)])
    with pytest.raises(ValueError, match="different writers"):
        script.compare([_run(0.78, 0.94, 16)], [_run(0.78, 0.94, 16, groups=19)])
