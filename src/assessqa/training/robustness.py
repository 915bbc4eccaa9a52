"""Perturbations a fair and hard-to-game grader must survive, used by tests and training/robustness.py.

- names swapped across ethnic and cultural backgrounds must not change grades;
- the same content in another template (headings reworded, case, whitespace, bullets vs numbers) must not move a
  grade by more than one step;
- keyword stuffing and empty headings must not raise a grade;
- off-topic text and gibberish must be graded 1 or flagged for review, never 3-4.
"""

from __future__ import annotations

import random
import re

from assessqa.features import adult_names, named_children

# Given names and surnames from several backgrounds; a swap maps each name to one from another group.
NAME_POOLS: dict[str, tuple[list[str], list[str]]] = {
    "english": (["Oliver", "Amelia", "Harry", "Poppy", "George", "Isla"], ["Smith", "Turner", "Walker", "Hughes"]),
    "pakistani": (["Ayaan", "Zara", "Hamza", "Aleena", "Bilal", "Maryam"], ["Khan", "Hussain", "Akhtar", "Malik"]),
    "nigerian": (["Chidi", "Ngozi", "Tobi", "Adaeze", "Emeka", "Folake"], ["Okafor", "Adeyemi", "Eze", "Balogun"]),
    "polish": (["Kacper", "Zofia", "Jakub", "Lena", "Szymon", "Maja"], ["Nowak", "Kowalski", "Wisniewski", "Zielinski"]),
    "somali": (["Abdi", "Hodan", "Yusuf", "Ayan", "Mohamed", "Sagal"], ["Warsame", "Abdullahi", "Farah", "Jama"]),
    "romanian": (["Andrei", "Ioana", "Matei", "Elena", "Stefan", "Bianca"], ["Popescu", "Ionescu", "Dumitru", "Stan"]),
    "chinese": (["Wei", "Mei", "Jun", "Xiu", "Hao", "Lan"], ["Chen", "Wang", "Li", "Zhang"]),
    "jamaican": (["Tyrese", "Shanice", "Marlon", "Keisha", "Devon", "Latoya"], ["Campbell", "Brown", "Thompson", "Francis"]),
}
def swap_names(text: str, seed: int = 0) -> str:
    """Replace named children and titled adults' names with names from a different background, consistently
    (the adults are found as the masking finds them, so the probe and the mask agree on who is named)."""
    rng = random.Random(seed)
    groups = list(NAME_POOLS)
    given = [name for name, _ in named_children(text)]
    surnames = adult_names(text)
    mapping: dict[str, str] = {}
    for name in given:
        pool = NAME_POOLS[rng.choice(groups)][0]
        mapping[name] = next((n for n in rng.sample(pool, len(pool)) if n not in mapping.values() and n not in text), name)
    for surname in surnames:
        pool = NAME_POOLS[rng.choice(groups)][1]
        mapping[surname] = next((n for n in rng.sample(pool, len(pool)) if n not in mapping.values() and n not in text), surname)
    if not mapping:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: mapping[m.group(1)], text)


# Headings only, never the text after them: "Contingency: if progress is not made ..." keeps its sentence.
_HEADING_ALTERNATIVES = {
    r"(?i)^(?:child'?s? views(?: and wishes| and feelings)?|voice of the child|wishes and feelings)$": "WHAT THE CHILD TOLD US",
    r"(?i)^family (?:history|background)$": "Background and history",
    r"(?i)^(?:analysis|worker'?s? analysis)$": "Social worker's analysis",
    r"(?i)^what are we worried about\??$": "Worries",
    r"(?i)^contingency(?: plan(?:ning)?| arrangements)?$": "What happens if things do not change",
}
_BULLET = re.compile(r"^(\s*)[-\u2022*]\s+", re.MULTILINE)
_NUMBER = re.compile(r"^(\s*)\d{1,2}[.)]\s+", re.MULTILINE)


def rerender(text: str, seed: int = 0) -> str:
    """The same content in another house style: heading wording and case, bullets vs numbers, spacing."""
    rng = random.Random(seed)
    lines = []
    for line in text.splitlines():
        stripped = line.strip().rstrip(":")
        head, colon, rest = line.strip().partition(":")
        for pattern, replacement in _HEADING_ALTERNATIVES.items():
            if re.match(pattern, stripped):
                line = replacement + ":"
                break
            if colon and rest.strip() and re.match(pattern, head.strip()):
                line = f"{replacement}: {rest.strip()}"
                break
        else:
            if stripped and len(stripped.split()) <= 6 and stripped[:1].isupper() and not stripped.endswith("."):
                line = stripped.upper() if rng.random() < 0.5 else stripped.title()
        lines.append(line)
    out = "\n".join(lines)
    if _BULLET.search(out):
        counter = iter(range(1, 1000))
        out = _BULLET.sub(lambda m: f"{m.group(1)}{next(counter)}. ", out)
    elif _NUMBER.search(out):
        out = _NUMBER.sub(lambda m: f"{m.group(1)}- ", out)
    out = re.sub(r"\n{2,}", "\n\n\n", out)  # looser spacing between blocks
    return out


def stuff_keywords(text: str) -> str:
    """Buzzwords and empty headings appended: a grader that reads substance must not reward them."""
    return text + (
        "\n\nLived experience of the child\n\nAnalysis\n\nRisk analysis\n\nFamily history\n\nSMART plan\n\n"
        "This assessment has fully considered the lived experience of the child. Lived experience, voice of the child, "
        "analysis, risk analysis and family history have all been analysed. All actions are SMART. The analysis is "
        "child-focused and considers lived experience. Contingency planning is in place.\n"
    )


OFF_TOPIC = (
    "Quarterly facilities report\nThe car park resurfacing was completed on 12/03/2025 within budget. The lift in "
    "block B was serviced and passed its inspection. Staff are reminded that the kitchen on the second floor will be "
    "closed for cleaning on Friday afternoons. The new printers have been installed on every floor and toner can be "
    "ordered through the service desk. Please return visitor badges to reception at the end of each day.\n"
)


def gibberish(seed: int = 0, words: int = 300) -> str:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    tokens = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(words)]
    sentences = [" ".join(tokens[i : i + 12]).capitalize() + "." for i in range(0, words, 12)]
    return "\n".join(sentences)
