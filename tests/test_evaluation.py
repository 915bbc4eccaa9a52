from assessqa.training.evaluation import evaluate, grade_metrics


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
