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


def _unit_categories(nlp, text):
    from assessqa.features.sentences import sentence_units

    return [(u.text, u.category) for u in sentence_units(nlp(text))]


def test_a_run_of_empty_headings_does_not_name_what_follows(nlp):
    # Template headings pasted in front of a record with no headings of its own: the record is read as before any
    # heading, not as the last pasted heading's section.
    stuffed = "Actions (SMART)\n\nOutcomes for the child\n\nIf things do not change\n\nJo's plan\n\nMum will walk Jo to school every day."
    assert [c for _, c in _unit_categories(nlp, stuffed)] == [None, None]
    assert [c for _, c in _unit_categories(nlp, "Jo's plan\n\nMum will walk Jo to school every day.")] == [None, None]
    # The headings are still listed as sections.
    doc = nlp(stuffed)
    assert [s.label_ for s in doc.spans["sections"]] == ["plan", "plan", "contingency"]


def test_a_part_heading_over_a_subheading_still_names_its_content(nlp):
    # Two headings in a row are a council template's part and subheading, not a run.
    text = "PART 2 - ABOUT THE FAMILY\nFAMILY HISTORY\nMum was in care as a child."
    assert _unit_categories(nlp, text) == [("Mum was in care as a child.", "family_history")]


def test_underlines_are_not_sentences_and_do_not_fill_a_heading(nlp):
    text = ("What are we worried about?\n-------\n\nWhat is working well?\n=======\n\nWhat needs to happen?\n-------\n\n"
            "Mum will walk Jo to school.")
    assert _unit_categories(nlp, text) == [("Mum will walk Jo to school.", None)]
    underlined = "What are we worried about?\n-------\nDad hits Mum."
    assert _unit_categories(nlp, underlined) == [("Dad hits Mum.", "risk")]


@pytest.mark.parametrize(
    "line, title, category",
    [
        ("Part D - What will happen if the plan is not followed", "What will happen if the plan is not followed", "contingency"),
        ("SECTION B - ACTIONS:", "ACTIONS", "plan"),
        ("Who will do what, by when", "Who will do what, by when", "plan"),
        ("Outcomes to be achieved", "Outcomes to be achieved", "plan"),
    ],
)
def test_plan_form_headings(nlp, line, title, category):
    assert _sections(nlp, f"{line}\nMum will walk Jo to school.") == [(title, category)]


def test_a_form_field_label_alone_is_not_a_heading(nlp):
    assert _sections(nlp, "Action:\nMum will walk Jo to school.") == []
