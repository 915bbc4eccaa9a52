import numpy as np
import pytest

from assessqa.features import named_children
from assessqa.models.bundle import apply_temperature, expected_calibration_error, fit_temperature
from assessqa.schemas import InputDocument


@pytest.mark.parametrize(
    "text, expected",
    [
        # the usual "Name (age)" introduction, and its variants
        ("Aisha (9) and Omar (4) live with Mum.", [("Aisha", 9), ("Omar", 4)]),
        ("Leo, aged 2, and Zoe (aged 7).", [("Leo", 2), ("Zoe", 7)]),
        # adults' ages and section numbers are not children
        ("Mum (34) and Section (4) and Jay (16).", [("Jay", 16)]),
        # a surname after the given name: the child is named by the given name
        ("Riley Thompson (7) and Ava Thompson (4) live with Mum.", [("Riley", 7), ("Ava", 4)]),
    ],
)
def test_named_children(text, expected):
    assert named_children(text) == expected


def test_insights_name_each_child_by_the_given_name(scorer):
    text = ("Riley Thompson (7) and Ava Thompson (4) live with their mother. Riley told me he likes football. "
            "Ava said she is scared when Mum shouts at night.")
    record = scorer.score(InputDocument(text=text, doc_type="assessment"))
    assert [(c.name, c.age) for c in record.insights.children] == [("Riley", 7), ("Ava", 4)]


def test_sibling_lumped_together_is_reported_per_child(scorer):
    text = ("Child and Family Assessment\nAmira (7) told me, \"I hide under my bed with Biscuit when Daddy shouts.\" "
            "She gets herself ready for school because Mum is asleep.\nAmira's brother Yusuf (3) lives there too. "
            "The children are happy according to Mum.\n")
    record = scorer.score(InputDocument(text=text, doc_type="assessment"))
    children = {c.name: c for c in record.insights.children}
    assert children["Amira"].views and not children["Yusuf"].views
    assert any("Yusuf (3)" in s for s in record.dimensions["lived_experience"].suggestions)


def test_over_optimistic_conclusion_is_flagged(scorer):
    text = ("Assessment\nOn 03/02/2025 Leo (2) was taken to hospital with a spiral fracture to his arm that Mum could not explain. "
            "Mr Cole has a conviction for assaulting a previous partner's child. Police were called to the home twice in January after fights. "
            "Analysis\nThere are no safeguarding concerns and the case will be closed.\n")
    record = scorer.score(InputDocument(text=text, doc_type="assessment"))
    assert record.insights.over_optimism.flag
    assert "no safeguarding concerns" in record.insights.over_optimism.conclusion.text
    assert record.dimensions["risk_analysis"].grade <= 2


def test_description_and_analysis_shares(scorer):
    text = ("Assessment\nOn 01/03/2025 police attended the home after an incident. On 05/03/2025 police were called again. "
            "This means Jay (6) is likely to be frightened at night and his sleep and schooling are affected.\n")
    insights = scorer.score(InputDocument(text=text, doc_type="assessment")).insights
    assert 0 < insights.description_share < 1 and 0 < insights.analysis_share < 1


def test_temperature_scaling_lowers_calibration_error():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 400)
    logits = rng.normal(size=(400, 4))
    logits[np.arange(400), y] += 1.0
    over = apply_temperature(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), 0.3)  # overconfident
    t = fit_temperature(over, y)
    assert t > 1.0  # p ** (1 / 0.3) is undone by a temperature above one
    assert expected_calibration_error(apply_temperature(over, t), y) < expected_calibration_error(over, y)


def test_unsure_grades_are_flagged_for_review(scorer):
    # A full document, so that neither the thin-text nor the off-topic rule is what flags it: what flags a grade here
    # is its probability below the floor (unless the model's review rule takes its place) or the review rule itself.
    from assessqa.models.review import review_signals, wrong_probability

    example = _example("ex-001")
    text, doc_type = example["text"], example.get("doc_type")
    record = scorer.score(InputDocument(text=text, doc_type=doc_type))
    assert not record.warnings
    config = scorer.model.config
    rule = config.get("review")
    [analysis] = scorer.analyse_batch([text], [doc_type])
    for dim, result in record.dimensions.items():
        if result is None:
            continue
        p = analysis.grade_probs[dim][analysis.grades[dim]]
        low = p < config["abstain_below"] and not (rule and rule["replaces_low_confidence"])
        likely = bool(rule) and wrong_probability(rule, review_signals(analysis, text, dim)) >= rule["flag_above"]
        assert set(result.review_reasons) == {r for r, on in (("low_confidence", low), ("likely_wrong", likely)) if on}
        assert result.needs_review == (low or likely)


# ---------------------------------------------------------------- defects found by a new user (issue: generalisation)


def _example(doc_id):
    import json

    from conftest import EXAMPLES

    for line in (EXAMPLES / "documents.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["id"] == doc_id:
            return record
    raise KeyError(doc_id)


def test_a_child_quoted_as_evidence_is_not_called_silent(scorer):
    from assessqa.schemas import InputDocument

    record = _example("ex-001")
    result = scorer.score(InputDocument(id=record["id"], text=record["text"], doc_type=record.get("doc_type")))
    lived = result.dimensions["lived_experience"]
    # ex-001 quotes Zainab through a pronoun ("She told me, ...") right after naming her
    assert any(e.cue == "child_voice" for e in lived.evidence)
    zainab = next(c for c in result.insights.children if c.name == "Zainab")
    assert zainab.views is True
    assert not any("from Zainab" in s for s in lived.suggestions)


def test_one_recorded_harm_is_enough_for_an_over_optimistic_conclusion(scorer):
    from assessqa.schemas import InputDocument

    text = (
        "Referral from police on 3 May after Mr Cole hit Ms Dean while Ava (6) was in the room.\n"
        "Ava said she was scared.\nThere are no safeguarding concerns and the case can be closed."
    )
    flag = scorer.score(InputDocument(text=text, doc_type="assessment")).insights.over_optimism
    assert flag.flag and "no safeguarding concerns" in flag.conclusion.text


def test_an_unborn_baby_is_not_asked_about_school(scorer):
    from assessqa.schemas import InputDocument
    from conftest import EXAMPLES

    text = (EXAMPLES / "pre_birth_assessment.txt").read_text()
    suggestions = scorer.score(InputDocument(text=text, doc_type="assessment")).dimensions["lived_experience"].suggestions
    assert suggestions and not any("school" in s or "nursery" in s for s in suggestions)
    assert any("unborn baby" in s for s in suggestions)


def test_too_little_text_puts_every_grade_under_review(scorer):
    from assessqa.schemas import InputDocument

    record = scorer.score(InputDocument(text="Plan: Mum to take Amy (4) to the GP by 01/05/2025.", doc_type="plan"))
    assert any("very little text" in w for w in record.warnings)
    assert all(r.needs_review for r in record.dimensions.values() if r is not None)
