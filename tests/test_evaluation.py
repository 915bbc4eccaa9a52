from assessqa.evaluation import evaluate, grade_metrics


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
