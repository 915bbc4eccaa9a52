"""The SMART action analyser end to end (shipped model): every plan layout, flags, need links, plan figures."""

import pytest

from assessqa.schemas import InputDocument

LAYOUTS = {
    # numbered list under a plan heading
    "numbered": ("What needs to happen\n1. Dad to complete an alcohol assessment with CGL by 01/04/2025.\n"
                 "2. School to record Leo's attendance weekly and share it with the SW.\n",
                 ["Dad to complete an alcohol assessment", "School to record Leo's attendance"], []),
    # bullets, with a worry list that must not be taken for actions
    "bullets": ("What are we worried about?\n- Dad drinks most evenings.\n- Leo hides under his bed.\n"
                "Safety plan\n- Mum to call 999 if Dad comes to the house drunk.\n- HV to weigh Leo fortnightly until 30/06/2025.\n",
                ["Mum to call 999", "HV to weigh Leo"], ["Dad drinks most evenings", "Leo hides under his bed"]),
    # pipe table in the column layout councils use
    "pipe_table": ("Need | Action | Who | By when | How we will know\n"
                   "Leo is safe at night | Mum to keep Dad out of the home overnight | Mum | from 01/03/2025 | police log shows no call-outs\n"
                   "Home conditions | Housing to repair the boiler | Housing officer | by 31/03/2025 | repair notice\n",
                   ["Mum to keep Dad out", "Housing to repair the boiler"], ["Need | Action | Who"]),
    # tab-separated export
    "tab_table": ("Need\tAction\tWho\tWhen\nFood\tDad to shop for the week every Saturday\tDad\tweekly\n"
                  "School\tMum to walk Amira to school every day\tMum\tdaily from 03/03/2025\n",
                  ["Dad to shop for the week", "Mum to walk Amira"], ["Need\tAction"]),
    # reviewed plan: RAG ratings and progress notes are not actions
    "reviewed_rag": ("CIN review\n1. Mum to attend the Freedom Programme every Tuesday by 30/04/2025.\nRAG: Amber\n"
                     "Progress 12/03/2025: Mum has attended 3 of 5 sessions.\n"
                     "2. SW to see Jay alone every two weeks to hear his views.\nRAG: Green\n"
                     "Progress 12/03/2025: Jay was seen alone on 01/03 and 10/03.\n",
                     ["Mum to attend the Freedom Programme", "SW to see Jay alone"], ["RAG: Amber", "Progress 12/03/2025: Mum has attended"]),
    # actions inside a paragraph
    "paragraph": ("Child in Need Plan\nWe met at Nan's house on 10/03/2025. The health visitor will visit Ruby every fortnight "
                  "until the review to weigh her and check her feeds. Mum told us she feels tired. "
                  "Mum will take Ruby to the GP by 21/03/2025 about her rash.\n",
                  ["The health visitor will visit Ruby", "Mum will take Ruby to the GP"], ["Mum told us she feels tired"]),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout(scorer, layout):
    text, expected, not_actions = LAYOUTS[layout]
    record = scorer.score(InputDocument(text=text, doc_type="plan"))
    found = [a.text for a in record.actions]
    for phrase in expected:
        assert any(phrase in f for f in found), f"{layout}: missing {phrase!r} in {found}"
    for phrase in not_actions:
        assert not any(f.startswith(phrase) or f == phrase for f in found), f"{layout}: {phrase!r} taken as an action"
    for action in record.actions:
        assert text[action.start:action.end] == action.text


@pytest.mark.parametrize(
    "action, flag, expected",
    [
        # named parent, date, certificate: everything present
        ("Ms Okafor to complete the 10-week Freedom Programme at the Family Hub by 30/06/2025 and share her certificate with the SW.", "time_bound", True),
        ("Ms Okafor to complete the 10-week Freedom Programme at the Family Hub by 30/06/2025 and share her certificate with the SW.", "owner", True),
        # "ongoing" is not a timescale
        ("Mum to engage with services - ongoing.", "time_bound", False),
        # "engage" is not a specific act
        ("Mum to engage with services - ongoing.", "specific", False),
        # a collective is not an owner
        ("All professionals to share information.", "owner", False),
        # an unrealistic demand
        ("Dad to stop drinking completely within one week.", "achievable", False),
    ],
)
def test_flags(scorer, action, flag, expected):
    text = f"Child Protection Plan\nWhat needs to happen\n1. {action}\n2. SW to visit monthly.\n"
    record = scorer.score(InputDocument(text=text, doc_type="plan"))
    target = next(a for a in record.actions if action[:20] in a.text)
    assert getattr(target.smart, flag) is expected


def test_table_row_links_to_its_need_cell(scorer):
    text = LAYOUTS["pipe_table"][0]
    record = scorer.score(InputDocument(text=text, doc_type="plan"))
    row = next(a for a in record.actions if "boiler" in a.text)
    assert row.need is not None and row.need.text == "Home conditions"
    assert text[row.need.start:row.need.end] == "Home conditions"


def test_plan_figures_and_contingency(scorer):
    text = ("Child Protection Plan\nWhat needs to happen\n1. Mum to engage with services - ongoing.\n"
            "2. Core group to meet monthly.\n3. Dad to attend CGL every Monday from 03/03/2025; CGL to send attendance to the SW.\n"
            "Contingency\nIf Dad misses two CGL sessions, the SW will ask for a legal planning meeting within 10 working days.\n")
    record = scorer.score(InputDocument(text=text, doc_type="plan"))
    plan = record.plan
    assert plan.actions == 3
    assert plan.vague_timescale_share == pytest.approx(1 / 3, abs=0.01)
    assert plan.process_only_share == pytest.approx(1 / 3, abs=0.01)
    assert plan.contingency.present and plan.contingency.trigger and plan.contingency.consequence and plan.contingency.timescale


def test_vague_contingency_is_not_complete(scorer):
    text = "Child in Need Plan\n1. Mum to attend the GP by 01/05/2025.\nContingency\nFurther action may be considered if things do not improve.\n"
    record = scorer.score(InputDocument(text=text, doc_type="plan"))
    c = record.plan.contingency
    assert not (c.consequence and c.timescale)


def test_assessments_have_no_plan_block(scorer):
    record = scorer.score(InputDocument(text="Assessment\nAmy (6) told me she likes school.", doc_type="assessment"))
    assert record.plan is None and record.actions == []
