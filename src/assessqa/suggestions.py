"""Plain-English suggestions: what is missing, said so that a practitioner can act on it."""

from __future__ import annotations

import re

from assessqa.segment.people import named_children

def _quote(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", text.strip()).rstrip(".;,")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


_PRE_BIRTH_RE = re.compile(
    r"\b(?:unborn|pre-?\s?birth|expected date of delivery|EDD|due date|weeks pregnant|(?:she|Ms \w+) is pregnant)\b",
    re.IGNORECASE,
)


def dimension_suggestions(
    dimension: str,
    grade: int,
    cues_found: set[str],
    text: str,
    voiced_children: set[str],
    children: list[tuple[str, int]] | None = None,
) -> list[str]:
    """Suggestions for one dimension from the grade and which evidence cues were found; ``children`` are those
    the segment stage found (found in ``text`` when not given)."""
    out: list[str] = []
    if dimension != "lived_experience":
        children = []
    elif children is None:
        children = named_children(text)
    silent = [f"{name} ({age})" for name, age in children if name not in voiced_children]
    # A child with no voice is worth saying whatever the grade: each child must be seen as an individual.
    for child in silent[:4]:
        out.append(f"No words or observed behaviour from {child} are recorded: say what {child.split(' ')[0]} said, or what you saw.")
    if grade >= 4:
        return out
    if dimension == "lived_experience" and not children and _PRE_BIRTH_RE.search(text):
        # An unborn baby has no day, words or responses yet: ask for what a pre-birth assessment can describe.
        if "daily_life" not in cues_found:
            out.append("For the unborn baby, describe what life at home will be like after the birth: where the baby will sleep, who will care for them day and night, and how the parents are preparing (antenatal care, equipment, support).")
        if "observation" not in cues_found:
            out.append("Add what you saw of the parents' preparation and, after the birth, how the baby responds to each carer.")
    elif dimension == "lived_experience":
        if "child_voice" not in cues_found and not silent:
            out.append("Record the child's own words (or, for a baby or non-verbal child, what you observed of them), not only what adults say about them.")
        if "daily_life" not in cues_found:
            out.append("Describe the child's day: mornings, school or nursery, food, sleep, friendships, and how the adults' difficulties affect each of these.")
        if "observation" not in cues_found:
            out.append("Add what you saw: how the child responded to each carer and how care was given during your visit.")
        if len(children) > 1 and grade <= 2:
            out.append("Describe each child in the sibling group as an individual rather than 'the children'.")
    elif dimension == "risk_analysis":
        if "risk_statement" not in cues_found:
            out.append("Name the specific harm, and who or what poses it, rather than 'concerns around parenting'.")
        if "impact_analysis" not in cues_found:
            out.append("Analyse what the incidents mean for this child: how likely harm is to happen again and its impact, with evidence, instead of retelling events.")
        if "protective_factor" not in cues_found:
            out.append("Weigh protective factors and strengths against the risk, and say how far they reduce it.")
        if grade <= 2:
            out.append("Reach a reasoned conclusion (is the child suffering, or likely to suffer, significant harm?) that matches the risks recorded.")
    elif dimension == "family_history":
        if "history_event" not in cues_found:
            out.append("Add the family's history: parents' own childhoods, previous involvement of services with dates, and significant events.")
        if "history_link" not in cues_found:
            out.append("History is listed but not linked to the present: say how past events and patterns bear on the current risk and needs.")
    elif dimension == "smart_actions":
        out.append("Make each action say what will be done, by whom, by when and how everyone will know it has happened (see the action suggestions).")
    elif dimension == "contingency":
        if "contingency" not in cues_found:
            out.append("Add a contingency: what will happen if things do not change (e.g. a legal planning meeting), what would trigger it and by when.")
        else:
            out.append("Make the contingency concrete: name the trigger, the consequence and the timescale in words the parents understand.")
    elif dimension == "child_focus":
        if "child_outcome" not in cues_found:
            out.append("Frame each need and outcome as the difference for the child (what will be different in their day), not only adult tasks.")
        if "child_voice" not in cues_found:
            out.append("Show how the child's own views shaped the plan.")
    return out


_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022]|\(?\d{1,2}(?:\.\d{1,2})?[.)]?|\(?[a-h]\))\s+")
_OWNER_TO_RE = re.compile(r"^(?P<owner>.{2,60}?)\s+(?:to|will|should|must|is to|are to|needs? to)\s+(?P<task>.+)$", re.IGNORECASE)


def _split_action(action_text: str) -> tuple[str | None, str]:
    """("Mum", "attend the Freedom Programme") from "1. Mum to attend the Freedom Programme by ..."."""
    first_cell = re.split(r"\s*[|\t]\s*", action_text.strip())
    body = max(first_cell, key=lambda c: len(_OWNER_TO_RE.match(c).group("task")) if _OWNER_TO_RE.match(c) else 0)
    body = _BULLET_RE.sub("", body).strip().rstrip(".;")
    match = _OWNER_TO_RE.match(body)
    if not match:
        return None, body
    owner = re.sub(r"^(The|A|An)\b", lambda m: m.group(1).lower(), match.group("owner").strip())
    task = re.split(r"\s+(?:by|before|within|from|every|weekly|daily|monthly|fortnightly|ongoing|asap)\b", match.group("task"), maxsplit=1)[0]
    return owner, task.strip(" ,;-")


def action_suggestions(action_text: str, flags: dict[str, bool]) -> list[str]:
    """One suggestion per missing SMART component, quoting the action.

    Example: for "2. Mum to attend the Freedom Programme - ongoing" missing a timescale, "Add a date: by when
    should Mum attend the Freedom Programme?".
    """
    q = _quote(action_text)
    owner, task = _split_action(action_text)
    task_q = _quote(task, 60)
    out = []
    if not flags["specific"]:
        out.append(f'Say exactly what will be done instead of "engage", "support" or "work with": "{q}".')
    if not flags["owner"]:
        out.append(f'Name who is responsible for "{task_q}" (a person, role or agency, not "all professionals" or "the core group").')
    if not flags["measurable"]:
        out.append(f'Say how the core group will know this has been done, or has worked: "{q}".')
    if not flags["achievable"]:
        out.append(f'Check this is realistic for the family in the time given: "{q}".')
    if not flags["relevant"]:
        out.append(f'Link this action to the need or worry it addresses: "{q}".')
    if not flags["time_bound"]:
        if owner:
            out.append(f"Add a date or frequency: by when should {owner} {task_q}?")
        else:
            out.append(f'Add a date or frequency (not "ongoing"): by when should "{task_q}" happen?')
    return out
