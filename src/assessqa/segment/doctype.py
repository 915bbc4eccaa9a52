"""Is this document an assessment or a plan? Decided from its title, its sections and its action items."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from assessqa.segment.extensions import register_extensions, source_text

_PLAN_TITLE_RE = re.compile(
    r"\b(plan|safety plan|core group|cin review|cp review|review of (the )?plan|plan review)\b", re.IGNORECASE
)
_ASSESSMENT_TITLE_RE = re.compile(
    r"\b(assessment|conference report|report to (the )?(initial|review)|single assessment|c&f|cfa|pre-?birth|"
    r"report for)\b",
    re.IGNORECASE,
)
_PLAN_WORDS_RE = re.compile(
    r"\b(by when|who is responsible|how (we|will we) will know|contingency|core group|review date|"
    r"outcome for|actions?|timescale|responsible)\b",
    re.IGNORECASE,
)
_ASSESSMENT_WORDS_RE = re.compile(
    r"\b(analysis|family history|background|assessed|observed|i visited|presentation|chronology|"
    r"parenting capacity|lived experience|told me|said that)\b",
    re.IGNORECASE,
)


def doc_type_scores(doc: Doc) -> dict[str, float]:
    """Evidence for each type, from the opening lines (a title says most), plan words and action items."""
    opening = source_text(doc)[:300]
    plan = 0.0
    assessment = 0.0
    title_plan = _PLAN_TITLE_RE.search(opening)
    title_assess = _ASSESSMENT_TITLE_RE.search(opening)
    if title_plan and (not title_assess or title_plan.start() < title_assess.start()):
        plan += 3.0
    elif title_assess:
        assessment += 3.0
    # Non-blank lines stand in for sentences here: walking doc.sents would cost more than all the rest.
    n_sents = max(1, sum(1 for line in doc._.lines or [] if line.text))
    n_actions = len(doc.spans.get("action_items", []))
    plan += 4.0 * min(1.0, n_actions / max(4.0, 0.25 * n_sents))
    words = max(1, len(doc))
    plan += min(2.0, 400.0 * len(_PLAN_WORDS_RE.findall(source_text(doc))) / words)
    assessment += min(2.0, 400.0 * len(_ASSESSMENT_WORDS_RE.findall(source_text(doc))) / words)
    categories = [s.label_ for s in doc.spans.get("sections", [])]
    plan += 0.5 * sum(c in ("plan", "contingency") for c in categories)
    assessment += 0.5 * sum(c in ("family_history", "analysis", "child_views", "daily_life") for c in categories)
    return {"assessment": round(assessment, 3), "plan": round(plan, 3)}


class DocTypeDetector:
    def __init__(self, nlp: Language, name: str) -> None:
        register_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        scores = doc_type_scores(doc)
        doc._.doc_type_scores = scores
        doc._.doc_type = "plan" if scores["plan"] > scores["assessment"] else "assessment"
        return doc


@Language.factory("assessqa_doc_type")
def make_doc_type(nlp: Language, name: str) -> DocTypeDetector:
    return DocTypeDetector(nlp, name)
