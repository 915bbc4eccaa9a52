"""Segmentation: spaCy components for sentences, sections, plan action items and document type.

Importing this package registers the factories, so they can be added to any spaCy pipeline::

    import spacy, assessqa.segment
    nlp = spacy.blank("en")
    nlp.add_pipe("assessqa_sentences")
    nlp.add_pipe("assessqa_sections")
"""

from __future__ import annotations

import spacy
from spacy.attrs import ORTH
from spacy.language import Language

from assessqa.segment import actions, doctype, people, roles, sections, sentences  # noqa: F401  (registers factories)
from assessqa.segment.extensions import register_extensions, remember_text, source_text
from assessqa.segment.people import adult_names, named_children, people_of
from assessqa.segment.roles import roles_in
from assessqa.segment.sections import category_at, content_sentences

# Roles come before actions: the rule-based action finder reads doc.spans["roles"] to tell who will act, so it and
# the trained path's features see the same people. The type detector reads the action items.
PIPE_NAMES = ("assessqa_sentences", "assessqa_sections", "assessqa_people", "assessqa_roles", "assessqa_actions", "assessqa_doc_type")
# Components whose results only plans use (and the rule-based type detector, which reads the action items).
PLAN_ONLY_PIPES = ("assessqa_roles", "assessqa_actions", "assessqa_doc_type")
# The rule-based type detector: only documents whose type is neither given nor detected by the model need it.
DOC_TYPE_PIPE = "assessqa_doc_type"


def build_pipeline(max_length: int = 1_000_000) -> Language:
    """A blank English pipeline with the assessqa components; downloads nothing."""
    register_extensions()
    nlp = spacy.blank("en")
    nlp.max_length = max_length
    _cache_whole_documents(nlp)
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


def _cache_whole_documents(nlp: Language) -> None:
    """Drop the tokenizer's special cases for a space, a tab and a line break, which only say "one token, as
    written": what the affix rules give them anyway. spaCy stops caching a document's words after its first
    special case (explosion/spaCy#1250), and every document has a line break near its start, so each word was
    split by the affix regexes afresh: two thirds of the tokenizer's time. Tokens are unchanged (tests/test_segment_sentences.py)."""
    identity = {text for text, pieces in nlp.tokenizer.rules.items() if text in (" ", "\t", "\n") and pieces == [{ORTH: text}]}
    if identity:
        nlp.tokenizer.rules = {text: pieces for text, pieces in nlp.tokenizer.rules.items() if text not in identity}


__all__ = ["DOC_TYPE_PIPE", "adult_names", "named_children", "people_of", "PIPE_NAMES", "PLAN_ONLY_PIPES", "build_pipeline", "category_at", "content_sentences", "remember_text", "roles_in", "source_text"]
