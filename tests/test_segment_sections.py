import json

import pytest
import spacy

import assessqa.segment  # noqa: F401  registers the factories
from assessqa import errors
from assessqa.segment.rules import load_section_rules


def _sections(nlp, text):
    doc = nlp(text)
    return [(s._.section_title, s.label_) for s in doc.spans["sections"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        # headed single-assessment template
        ("Reason for assessment\nReferral from school.\nChild's views and lived experience\nAmy said hi.\n"
         "Family history\nMum was in care.\nAnalysis\nThe risk is...\n",
         [("Reason for assessment", "referral"), ("Child's views and lived experience", "child_views"),
          ("Family history", "family_history"), ("Analysis", "analysis")]),
        # case-management export: capitals, numbering and content on the heading line
        ("SECTION 4 - CHILD'S VIEWS: Kayla said she is scared.\nSECTION 5 - FAMILY HISTORY:\nDad was known to YOT.\n"
         "WORKER ANALYSIS: The risk is high.\n",
         [("CHILD'S VIEWS", "child_views"), ("FAMILY HISTORY", "family_history"), ("WORKER ANALYSIS", "analysis")]),
        # Signs of Safety
        ("What are we worried about?\nDad hits Mum.\nWhat's working well?\nNan helps.\nDanger statement\nLeo could be hurt.\n"
         "Safety goals\nLeo is safe at home.\nWhat needs to happen?\nDad leaves.\n",
         [("What are we worried about?", "risk"), ("What's working well?", "strengths"), ("Danger statement", "risk"),
          ("Safety goals", "plan"), ("What needs to happen?", "plan")]),
        # numbered paragraph headings
        ("1. Background\n1.1 The family moved here in 2019.\n2. Contingency\n2.1 A legal planning meeting will be held.\n",
         [("Background", "family_history"), ("Contingency", "contingency")]),
    ],
)
def test_section_styles(nlp, text, expected):
    assert _sections(nlp, text) == expected



def test_page_boilerplate_is_not_a_section(nlp):
    text = "Family history\nMum was in care.\nOFFICIAL-SENSITIVE  Page 2 of 5\nShe left at 18.\n"
    assert _sections(nlp, text) == [("Family history", "family_history")]


def test_form_field_labels_do_not_open_sections(nlp):
    text = "Next steps\nAction: Mum to attend the GP\nWho: Mum\nBy when: 01/05/2025\n"
    assert _sections(nlp, text) == [("Next steps", "plan")]


def test_section_offsets_cover_their_content(nlp):
    text = "Family history\nMum was in care.\n\nAnalysis\nRisk is high.\n"
    doc = nlp(text)
    first, second = doc.spans["sections"]
    assert text[first.start_char:first.end_char] == "Family history\nMum was in care."
    assert text[second.start_char:second.end_char] == "Analysis\nRisk is high."


def test_components_work_in_a_users_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("assessqa_sentences")
    nlp.add_pipe("assessqa_sections")
    doc = nlp("Analysis\nThe risk is neglect.")
    assert doc.spans["sections"][0].label_ == "analysis"


@pytest.mark.parametrize(
    "content, problem",
    [
        # an unknown category is named with the allowed ones
        ({"version": 1, "rules": [{"category": "weather", "patterns": ["sun"]}]}, "unknown category 'weather'"),
        # a broken regular expression is caught on load, not at scoring time
        ({"version": 1, "rules": [{"category": "risk", "patterns": ["(unclosed"]}]}, "not a valid regular expression"),
        # unexpected keys are refused
        ({"version": 1, "rules": [], "colour": "red"}, "colour"),
    ],
)
def test_rules_are_validated_on_load(tmp_path, content, problem):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(content))
    with pytest.raises(errors.RulesError) as info:
        load_section_rules(path)
    assert problem in str(info.value)
    assert info.value.code is errors.ErrorCode.BAD_RULES


def test_rules_file_that_is_not_json(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text("{not json")
    with pytest.raises(errors.RulesError, match="not valid JSON"):
        load_section_rules(path)
