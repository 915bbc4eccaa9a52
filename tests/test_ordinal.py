import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from assessqa.models.ordinal import OrdinalClassifier


@parametrize_with_checks([OrdinalClassifier()])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_probabilities_are_ordered_and_sum_to_one():
    rng = np.random.default_rng(0)
    X = rng.random((200, 2))
    y = np.digitize(X[:, 0], [0.25, 0.5, 0.75]) + 1
    model = OrdinalClassifier().fit(X, y)
    proba = model.predict_proba(np.array([[0.05, 0.5], [0.95, 0.5]]))
    assert np.allclose(proba.sum(axis=1), 1.0)
    # a low input puts most weight on grade 1, a high one on grade 4
    assert proba[0].argmax() == 0 and proba[1].argmax() == 3
    assert (model.predict(X) == y).mean() > 0.8


def test_a_single_grade_is_predicted_with_certainty():
    model = OrdinalClassifier().fit(np.zeros((4, 1)), np.array([2, 2, 2, 2]))
    assert model.predict(np.zeros((2, 1))).tolist() == [2, 2]
    assert model.predict_proba(np.zeros((1, 1))).tolist() == [[1.0]]
