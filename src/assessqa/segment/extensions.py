"""Doc and Span extensions that the segmentation components set, registered once."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from assessqa.segment.lines import Line, read_lines
from assessqa.segment.rules import SectionRules, load_section_rules


def register_extensions() -> None:
    """Register the ``._.`` attributes; safe to call many times."""
    if not Doc.has_extension("lines"):
        Doc.set_extension("lines", default=None)
    if not Doc.has_extension("sentence_spans"):
        Doc.set_extension("sentence_spans", default=None)
    if not Doc.has_extension("doc_type"):
        Doc.set_extension("doc_type", default=None)
    if not Doc.has_extension("doc_type_scores"):
        Doc.set_extension("doc_type_scores", default=None)
    if not Span.has_extension("section_title"):
        Span.set_extension("section_title", default=None)
    if not Span.has_extension("age"):
        Span.set_extension("age", default=None)
    if not Span.has_extension("action_fields"):
        Span.set_extension("action_fields", default=None)


_TEXT_KEY = "assessqa_text"


def source_text(doc: Doc) -> str:
    """The document's text, read once: ``Doc.text`` rebuilds the string from every token on each call, and the
    components and feature readers each need it."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def remember_text(doc: Doc, text: str) -> None:
    """Cache the text a Doc was made from (identical to ``Doc.text``), sparing the token walk entirely."""
    doc.user_data[_TEXT_KEY] = text


def ensure_lines(doc: Doc, rules: SectionRules | None = None) -> list[Line]:
    """The classified lines of the document, read once and shared by every component."""
    register_extensions()
    if doc._.lines is None:
        doc._.lines = read_lines(source_text(doc), rules or load_section_rules())
    return doc._.lines
