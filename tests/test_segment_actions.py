import pytest
import spacy


def _items(nlp, text, key="action_items"):
    doc = nlp(text)
    return [(s.label_, s.text.strip()) for s in doc.spans[key]]


@pytest.mark.parametrize(
    "text, expected",
    [
        # numbered list
        ("What needs to happen\n1. Dad to complete an alcohol assessment by 01/04/2025.\n2. School to record attendance weekly.\n",
         [("list", "1. Dad to complete an alcohol assessment by 01/04/2025."), ("list", "2. School to record attendance weekly.")]),
        # bulleted list with a wrapped second line
        ("Plan\n- Mum to attend the Freedom Programme\n  every Tuesday from 04/03/2025\n- HV to weigh Leo fortnightly\n",
         [("list", "- Mum to attend the Freedom Programme\n  every Tuesday from 04/03/2025"), ("list", "- HV to weigh Leo fortnightly")]),
        # pipe table with the column layout councils use; the header row is not an action
        ("Need | Action | Who | By when | How we will know\nSafety | Mum to call police if Dad returns | Mum | immediately | police log\n",
         [("table", "Safety | Mum to call police if Dad returns | Mum | immediately | police log")]),
        # tab-separated table
        ("Need\tAction\tWho\tWhen\nFood\tDad to shop weekly\tDad\tweekly\n", [("table", "Food\tDad to shop weekly\tDad\tweekly")]),
        # one field per line
        ("Next steps\nAction: Mum to take Kayla to the GP\nWho: Mum\nBy when: 01/05/2025\n", [("fields", "Action: Mum to take Kayla to the GP")]),
        # an action written inside a paragraph
        ("Plan\nWe talked about the baby. The health visitor will visit fortnightly to weigh Ruby. Mum said she was tired.\n",
         [("prose", "The health visitor will visit fortnightly to weigh Ruby.")]),
    ],
)
def test_action_layouts(nlp, text, expected):
    assert _items(nlp, text) == expected


def test_table_fields_are_named(nlp):
    doc = nlp("Need | Action | Who | By when | How we will know\nSafety | Mum to call police | Mum | now | log\n")
    assert doc.spans["action_items"][0]._.action_fields == {
        "need": "Safety", "action": "Mum to call police", "who": "Mum", "when": "now", "measure": "log"}


def test_worries_and_views_are_not_actions(nlp):
    text = "What are we worried about?\n- Dad drinks most evenings.\n- Kayla hides under her bed.\nChild's views\n- Kayla wants to see Nan.\n"
    assert _items(nlp, text) == []


def test_reviewed_plan_candidates_include_progress_notes_for_the_detector(nlp):
    # RAG lines and progress notes are offered to the trained detector as candidates, never taken as actions by rule
    text = "1. Mum to attend the GP by 01/05/2025.\nRAG: Green\nProgress 12/05: attended on 30/04.\n"
    assert [t for _, t in _items(nlp, text)] == ["1. Mum to attend the GP by 01/05/2025."]


@pytest.mark.parametrize(
    "sentence, is_action",
    [
        # a collective doer still makes an action; whether it is an acceptable owner is the SMART owner flag's call
        ("All professionals will share information.", True),
        # a short aside between the person named and the modal
        ("Mum (Sarah) will take Ruby to the GP by 21/03/2025.", True),
        # a name after the verb is not the one who will act
        ("Khadija goes to art club and Ayaan has one activity of his own each week.", False),
        # nobody named: a modal alone does not make an action
        ("It is important to keep the house warm.", False),
    ],
)
def test_prose_actions_name_who_will_act(nlp, sentence, is_action):
    assert _items(nlp, f"Plan\n{sentence}\n") == ([("prose", sentence)] if is_action else [])


def test_action_doers_are_role_spans(nlp):
    # the rule path reads doc.spans["roles"], so every prose action's doer is a role the trained path sees too
    doc = nlp("Plan\nThe health visitor will visit fortnightly. Dr Patel will review Ruby's weight by 01/05/2025.\n")
    roles = {s.text for s in doc.spans["roles"]}
    assert [s.text.split(" will")[0] for s in doc.spans["action_items"]] == ["The health visitor", "Dr Patel"]
    assert {"health visitor", "Dr Patel"} <= roles


def test_actions_without_the_roles_component_use_the_same_detection(nlp):
    # a user pipeline without assessqa_roles: the action finder runs the same matcher itself and stores nothing
    text = "Plan\nAll professionals will share information. Ayaan has a club on Mondays.\n- school to record attendance weekly\n"
    alone = spacy.blank("en")
    for name in ("assessqa_sentences", "assessqa_sections", "assessqa_actions"):
        alone.add_pipe(name)
    doc = alone(text)
    assert "roles" not in doc.spans
    assert [(s.label_, s.text) for s in doc.spans["action_items"]] == _items(nlp, text)


def test_a_run_on_sentence_gives_one_candidate_per_clause_that_says_who_will_act(nlp):
    # Dictated text: one sentence, no full stop, three actions said one after another.
    said = ("so we agreed at the meeting that mum is going to take Leo to the dentist before half term and I will "
            "check with the practice after that and the health visitor will weigh Ruby every two weeks until the "
            "review and then we talked about how things have been going at home since the last visit")
    # The trained detector reads the candidates and decides; each clause is offered on its own.
    items = [t for _, t in _items(nlp, f"Plan\n{said}\n", key="action_candidates")]
    assert items[:3] == [
        "so we agreed at the meeting that mum is going to take Leo to the dentist before half term",
        "I will check with the practice",
        "the health visitor will weigh Ruby every two weeks until the review and then we talked about how things "
        "have been going at home since the last visit",
    ]
    # A sentence of ordinary length is read whole, as before.
    short = "Mum will take Leo to the dentist before half term and I will check with the practice."
    assert _items(nlp, f"Plan\n{short}\n", key="action_candidates") == [("prose", short)]


# A plan printed to PDF by a case system and copied back out: columns of spaces, cells wrapped over lines, a page
# footer inside the table (fictional, written for this test).
_ALIGNED_PLAN = """THE PLAN
No.   What needs to happen                Who              By when
1     Mum to take Leo to the dentist      Mum              28/03/2025
      at Queensway Practice and show
      the SW his appointment card.
2     Refer Leo to the speech and         Priya Shah (SW)  By 14/03/2025
      language team.                                       then monthly

OFFICIAL-SENSITIVE          CIN-0001                Page 2 of 2
3     Core group to meet.                 Core group       6-weekly

CONTINGENCY
If Leo misses the appointment, we will hold a meeting.
"""


def test_a_space_aligned_table_row_is_one_action_with_its_cells(nlp):
    doc = nlp(_ALIGNED_PLAN)
    rows = [s for s in doc.spans["action_items"] if s.label_ == "table"]
    assert [s._.action_fields["action"] for s in rows] == [
        "Mum to take Leo to the dentist at Queensway Practice and show the SW his appointment card.",
        "Refer Leo to the speech and language team.",
        "Core group to meet.",
    ]
    assert rows[1]._.action_fields["who"] == "Priya Shah (SW)"
    assert rows[1]._.action_fields["when"] == "By 14/03/2025 then monthly"
    # the wrapped lines belong to their row, not to candidates of their own
    assert rows[0].text.strip().endswith("his appointment card.")
    assert not any("Queensway" in s.text for s in doc.spans["action_candidates"] if s.label_ != "table")
    # the heading after the table ends it: the contingency sentence is not a row
    assert not any("CONTINGENCY" in s.text or "misses" in s.text for s in rows)


def test_a_space_aligned_table_without_a_number_column_starts_a_row_after_a_finished_action(nlp):
    text = (
        "Action                                Who           When\n"
        "Mrs Rusu to register Ana with Hadley  Mrs Rusu      28/03/2025\n"
        "Road Surgery.\n"
        "SW to visit.                          C. Mahon      6-weekly\n"
    )
    doc = nlp(text)
    rows = [s._.action_fields for s in doc.spans["action_candidates"] if s.label_ == "table"]
    assert [r["action"] for r in rows] == ["Mrs Rusu to register Ana with Hadley Road Surgery.", "SW to visit."]


def test_lines_with_wide_gaps_but_no_action_column_header_are_not_a_table(nlp):
    text = "Child name:        LEO SMITH            DOB: 01/02/2019\nLegal status:      Child in Need\n"
    doc = nlp(text)
    assert not [s for s in doc.spans["action_candidates"] if s.label_ == "table"]


@pytest.mark.parametrize(
    "item, fields",
    [
        ("- Mum - clear the dog mess by 30/5", {"who": "Mum", "action": "clear the dog mess by 30/5"}),
        ("* Mum + Dad - work on their relationship", {"who": "Mum + Dad", "action": "work on their relationship"}),
        ("- Hsg (Kerry Dunn) - deliver cot by 23/5", {"who": "Hsg (Kerry Dunn)", "action": "deliver cot by 23/5"}),
        # not a doer before the dash
        ("- Dad's drinking - every incident after drink.", None),
        ("- Someone to talk to Faith about her worries, as she wants - tbc", None),
    ],
)
def test_note_form_items_name_the_doer_before_a_dash(nlp, item, fields):
    doc = nlp("Actions:\n" + item + "\n")
    (span,) = [s for s in doc.spans["action_candidates"] if s.label_ == "list"]
    assert span._.action_fields == fields
