import pytest

from assessqa import errors
from assessqa.config import Settings
from assessqa.schemas import DIMENSIONS_BY_TYPE, InputDocument, ScoreRecord
from assessqa.scoring import Scorer
from conftest import EXAMPLES

ASSESSMENT = (EXAMPLES / "pre_birth_assessment.txt").read_text()
PLAN = """Child Protection Plan
What needs to happen
1. Mr Hussain to complete the Inner Strength programme (12 weekly sessions) by 30/04/2025; the worker will send attendance to the SW after each session.
2. Mum to engage with services.
3. All professionals to share information.
Contingency
If there is another incident, the SW will ask for a legal planning meeting within 5 working days.
"""


@pytest.mark.parametrize("text, doc_type", [(ASSESSMENT, "assessment"), (PLAN, "plan")])
def test_record_contract(scorer, text, doc_type):
    record = scorer.score(InputDocument(id="d1", text=text, metadata={"team": "N"}))
    ScoreRecord.model_validate(record.model_dump())
    assert record.doc_type == doc_type and record.doc_type_source == "detected"
    assert record.model_version == scorer.model_version and record.metadata == {"team": "N"}
    for dim, result in record.dimensions.items():
        if dim in DIMENSIONS_BY_TYPE[doc_type]:
            assert result is not None and 1 <= result.grade <= 4
            assert abs(sum(result.probabilities.values()) - 1) < 1e-3
            assert result.label in ("inadequate", "requires improvement", "good", "outstanding")
            for ev in result.evidence:
                assert text[ev.start:ev.end] == ev.text
        else:
            assert result is None
    for action in record.actions:
        assert text[action.start:action.end] == action.text
    for section in record.sections:
        assert 0 <= section.start < section.end <= len(text)


def test_plan_actions_get_flags_and_suggestions(scorer):
    record = scorer.score(InputDocument(text=PLAN, doc_type="plan"))
    texts = [a.text for a in record.actions]
    assert any(t.startswith("1. Mr Hussain") for t in texts)
    vague = next(a for a in record.actions if "engage with services" in a.text)
    assert not vague.smart.specific and not vague.smart.time_bound
    assert any("Add a date" in s and "engage with services" in s for s in vague.suggestions)
    owner_less = next(a for a in record.actions if "All professionals" in a.text)
    assert not owner_less.smart.owner


def test_given_doc_type_is_respected(scorer):
    record = scorer.score(InputDocument(text=PLAN, doc_type="assessment"))
    assert record.doc_type == "assessment" and record.doc_type_source == "given" and record.actions == []


@pytest.mark.parametrize(
    "text, code",
    [
        # empty and whitespace-only text
        ("", errors.ErrorCode.EMPTY_TEXT),
        ("   \n\t", errors.ErrorCode.EMPTY_TEXT),
        # over the configured limit
        ("word " * 30, errors.ErrorCode.TEXT_TOO_LONG),
    ],
)
def test_bad_input_raises_a_coded_error(scorer, text, code):
    small = Scorer(scorer.model, Settings(max_chars=100), nlp=scorer.nlp)
    with pytest.raises(errors.InputError) as info:
        small.score(InputDocument(text=text))
    assert info.value.code is code


def test_missing_childs_words_are_named(scorer):
    text = ("Assessment\nAisha (9) and Omar (4) live with Mum. The children are happy at home according to Mum. "
            "Mum says they go to school.\nFamily history\nNone known.\nAnalysis\nNo concerns.")
    record = scorer.score(InputDocument(text=text, doc_type="assessment"))
    lived = record.dimensions["lived_experience"]
    assert lived.grade <= 2
    assert any("Aisha (9)" in s for s in lived.suggestions)


def test_stacked_one_vs_rest_equals_predict_proba(scorer):
    # The fast path replaces scikit-learn's per-label loop; it must give the same probabilities, not close ones.
    import numpy as np

    from assessqa.models.bundle import one_vs_rest_proba

    reprs = ["Aisha (9) told me: 'I hide upstairs when they shout' __sec_child_views__ __quote__", "Mum to attend", ""]
    for model in (scorer.model.cue_tagger, scorer.model.flag_model):
        assert np.array_equal(one_vs_rest_proba(model, reprs), model.predict_proba(reprs))


def test_known_assessment_skips_plan_components_but_reads_the_same_sentences(scorer, corpus_splits):
    from assessqa.features import sentence_units

    doc = next(d for d in corpus_splits["test"] if d.doc_type == "assessment")
    full = scorer.nlp(doc.text)
    quick = scorer.parse(doc.text, "assessment")
    assert "action_candidates" in full.spans and "action_candidates" not in quick.spans
    assert sentence_units(quick) == sentence_units(full)


def test_evidence_uses_the_fitted_threshold(small_model):
    # Thresholds are fitted per dimension out of fold at training time and recorded in meta.json.
    fitted = small_model.meta["evidence_thresholds"]
    assert set(fitted) == {d for dims in DIMENSIONS_BY_TYPE.values() for d in dims}
    assert all(0.1 <= t <= 0.85 for t in fitted.values())
    assert all(small_model.evidence_threshold(d) == t for d, t in fitted.items())


@pytest.mark.parametrize(
    "probs, median, argmax",
    [
        # Torn between two grades far apart: the median stays in between instead of flipping on rounding.
        ({1: 0.02, 2: 0.49, 3: 0.0, 4: 0.49}, 2, 2),
        ({1: 0.05, 2: 0.40, 3: 0.15, 4: 0.40}, 3, 2),
        # A clear favourite is both the median and the most probable grade.
        ({1: 0.1, 2: 0.7, 3: 0.1, 4: 0.1}, 2, 2),
        ({1: 0.3, 2: 0.1, 3: 0.2, 4: 0.4}, 3, 4),
    ],
)
def test_grade_rules(probs, median, argmax):
    from assessqa.models.bundle import decide_grade

    assert decide_grade(probs, "median") == median
    assert decide_grade(probs, "argmax") == argmax
