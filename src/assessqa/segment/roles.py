"""People, roles and agencies as spans: who could own a plan action, and collective terms that cannot.

``doc.spans["roles"]`` holds spans labelled ``owner`` (Mum, SW, HV, GP, school, CAMHS, "Ms Begum", "Dr Patel",
"Nan (Mrs Akhtar)") or ``non_owner`` ("all professionals", "core group", "the family"). The vocabulary is data in
``resources/roles.json``; titled names come from token patterns. The rule-based action finder
(``assessqa_actions``, which runs after this component) reads the same spans, so the two cannot disagree about who
is named.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.attrs import IS_STOP, IS_TITLE, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from assessqa.segment.extensions import register_extensions

_TITLES = ["mr", "mrs", "ms", "miss", "dr", "mr.", "mrs.", "ms.", "dr.", "nurse", "sister", "pc", "ds", "dc"]
_ACTOR_VERBS = ["will", "to", "must", "should", "agreed", "has", "is"]


@lru_cache(maxsize=4)
def load_roles(path: Path | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Owner terms and non-owner terms from resources/roles.json (validated: both lists must exist)."""
    from assessqa import errors

    where = str(path) if path else "assessqa/segment/resources/roles.json"
    raw = (
        Path(path).read_text(encoding="utf-8")
        if path
        else (resources.files("assessqa.segment") / "resources" / "roles.json").read_text(encoding="utf-8")
    )
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise errors.bad_rules(where, f"not valid JSON ({exc.msg})") from exc
    missing = [k for k in ("owners", "non_owners") if not isinstance(data.get(k), list)]
    if missing:
        raise errors.bad_rules(where, f"missing list(s): {', '.join(missing)}; found keys: {', '.join(data)}")
    return frozenset(o.lower() for o in data["owners"]), frozenset(o.lower() for o in data["non_owners"])


class RoleMatcher:
    """Role detection itself: the ``owner``/``non_owner`` spans of a Doc, without storing them.

    The ``assessqa_roles`` component stores what this returns in ``doc.spans["roles"]``; ``assessqa_actions``
    calls it directly only in a pipeline that has no ``assessqa_roles`` before it.

    Example::

        matcher = RoleMatcher(nlp)
        [(s.text, s.label_) for s in matcher(nlp("All professionals and Dr Patel to meet."))]
        # -> [("All professionals", "non_owner"), ("Dr Patel", "owner")]
    """

    def __init__(self, nlp: Language, roles_path: str | None = None) -> None:
        owners, non_owners = load_roles(Path(roles_path) if roles_path else None)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrases.add("owner", [nlp.make_doc(term) for term in owners])
        self.phrases.add("non_owner", [nlp.make_doc(term) for term in non_owners])
        self._titles = np.array([nlp.vocab.strings.add(t) for t in _TITLES], dtype=np.uint64)
        self._verbs = np.array([nlp.vocab.strings.add(t) for t in _ACTOR_VERBS], dtype=np.uint64)

    def __call__(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, s, e, label=self.phrases.vocab.strings[m]) for m, s, e in self.phrases(doc)]
        spans += self._titled_and_actors(doc)
        # Longest match wins, so "all professionals" is a non-owner even though "professionals" is listed too.
        return filter_spans(spans)

    def _titled_and_actors(self, doc: Doc) -> list[Span]:
        """Two token patterns, read from the Doc's attribute arrays in one pass (a spaCy Matcher with ``IN`` and
        ``LENGTH`` predicates calls back into Python for every token: it took most of the time of segmenting a plan):

        - a title then a capitalised word ("Ms Begum", "Dr. Patel", "Sister Bello"): both tokens, an owner;
        - a capitalised word of 3+ letters that is not a stop word, then will/to/must/...: a first name doing
          something ("Kayla to attend", "Tomasz will"); only the name becomes the owner span.
        """
        if len(doc) < 2:
            return []
        attrs = doc.to_array([LOWER, IS_TITLE, IS_STOP, LENGTH]).astype(np.uint64)
        lower, title, stop, length = attrs[:, 0], attrs[:, 1] == 1, attrs[:, 2] == 1, attrs[:, 3]
        titled = np.isin(lower[:-1], self._titles) & title[1:]
        actor = title[:-1] & ~stop[:-1] & (length[:-1] >= 3) & np.isin(lower[1:], self._verbs)
        spans = [Span(doc, int(i), int(i) + 2, label="owner") for i in np.flatnonzero(titled)]
        return spans + [Span(doc, int(i), int(i) + 1, label="owner") for i in np.flatnonzero(actor)]


class RoleTagger:
    def __init__(self, nlp: Language, name: str, roles_path: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.matcher = RoleMatcher(nlp, roles_path)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["roles"] = self.matcher(doc)
        return doc


@Language.factory("assessqa_roles", default_config={"roles_path": None})
def make_roles(nlp: Language, name: str, roles_path: str | None) -> RoleTagger:
    return RoleTagger(nlp, name, roles_path)


def roles_in(doc: Doc, start: int, end: int) -> list[str]:
    """Labels of the role spans inside a character range, in order."""
    return [s.label_ for s in doc.spans.get("roles", []) if s.start_char >= start and s.end_char <= end]
