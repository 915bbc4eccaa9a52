"""People, roles and agencies as spans: who could own a plan action, and collective terms that cannot.

``doc.spans["roles"]`` holds spans labelled ``owner`` (Mum, SW, HV, GP, school, CAMHS, "Ms Begum", "Dr Patel",
"Nan (Mrs Akhtar)") or ``non_owner`` ("all professionals", "core group", "the family"). The vocabulary is data in
``resources/roles.json``; titled names come from token patterns.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from assessqa.segment.actions import load_roles
from assessqa.segment.extensions import register_extensions

_TITLES = ["mr", "mrs", "ms", "miss", "dr", "mr.", "mrs.", "ms.", "dr.", "nurse", "sister", "pc", "ds", "dc"]


class RoleTagger:
    def __init__(self, nlp: Language, name: str, roles_path: str | None = None) -> None:
        register_extensions()
        self.name = name
        owners, non_owners = load_roles(Path(roles_path) if roles_path else None)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrases.add("owner", [nlp.make_doc(term) for term in owners])
        self.phrases.add("non_owner", [nlp.make_doc(term) for term in non_owners])
        self.names = Matcher(nlp.vocab)
        # "Ms Begum", "Dr. Patel", "Sister Bello": a title then a capitalised name.
        self.names.add("owner", [[{"LOWER": {"IN": _TITLES}}, {"IS_TITLE": True}]])
        # A first name doing something: "Kayla to attend", "Tomasz will". Only the name becomes the span.
        self.names.add("named_actor", [[{"IS_TITLE": True, "IS_STOP": False, "LENGTH": {">=": 3}}, {"LOWER": {"IN": ["will", "to", "must", "should", "agreed", "has", "is"]}}]])

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=self.phrases.vocab.strings[m]) for m, s, e in self.phrases(doc)]
        for match_id, s, e in self.names(doc):
            if self.names.vocab.strings[match_id] == "named_actor":
                spans.append(Span(doc, s, s + 1, label="owner"))
            else:
                spans.append(Span(doc, s, e, label="owner"))
        # Longest match wins, so "all professionals" is a non-owner even though "professionals" is listed too.
        doc.spans["roles"] = filter_spans(spans)
        return doc


@Language.factory("assessqa_roles", default_config={"roles_path": None})
def make_roles(nlp: Language, name: str, roles_path: str | None) -> RoleTagger:
    return RoleTagger(nlp, name, roles_path)


def roles_in(doc: Doc, start: int, end: int) -> list[str]:
    """Labels of the role spans inside a character range, in order."""
    return [s.label_ for s in doc.spans.get("roles", []) if s.start_char >= start and s.end_char <= end]
