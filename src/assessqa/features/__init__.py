"""Features: what the models read about sentences, action candidates and whole documents, in the order the
pipeline computes them:

- :mod:`~assessqa.features.markers`: marker tokens read from raw text, and name masking (before any model);
- :mod:`~assessqa.features.sentences`: what the evidence tagger reads for each sentence (before the tagger);
- :mod:`~assessqa.features.generic_text`: sentences about no one (practice guidance, lists of terms), which the cue
  stage may give no cue;
- :mod:`~assessqa.features.actions`: what the action detector and flag classifiers read (before them);
- :mod:`~assessqa.features.documents`: evidence-tagger outputs aggregated for the evidence scorers and grade models;
- :mod:`~assessqa.features.plan`: plan figures and the contingency check (after the models).

Hand-made signals (a quotation, an age, a date, a named owner, a vague verb) become marker tokens such as
``__quote__`` appended to the text, so one TF-IDF vocabulary carries words and signals together and every
model stays a plain, safely serialisable scikit-learn pipeline.
"""

from __future__ import annotations

# Bump when a change here alters what a trained model reads; models record it and loading checks it.
FEATURES_VERSION = 20

from assessqa.features.actions import (
    ActionUnit,
    action_markers,
    action_repr,
    action_shape_markers,
    action_units,
    best_need,
    candidate_reprs,
    link_need,
)
from assessqa.features.documents import (
    EVIDENCE_FLOOR,
    EVIDENCE_WINDOW,
    QUALITY_PATTERNS,
    quality_hit,
    TYPE_CUES,
    cue_aggregates,
    dimension_features,
    dimension_strength,
    evidence_context,
    needs_from,
)
from assessqa.features.markers import (
    domain_density,
    mask_names,
    person_names,
    sentence_markers,
    time_markers,
)
from assessqa.features.plan import (
    ContingencyCheck,
    PlanFigures,
    check_contingency,
    plan_figures,
    span_overlap,
)
from assessqa.features.sentences import (
    CONTEXT_WORDS,
    SentenceUnit,
    sentence_repr,
    sentence_units,
    unit_reprs,
)
from assessqa.segment.people import adult_names, named_children

__all__ = ["CONTEXT_WORDS", "EVIDENCE_FLOOR", "EVIDENCE_WINDOW", "FEATURES_VERSION", "QUALITY_PATTERNS", "TYPE_CUES", "ActionUnit", "ContingencyCheck", "PlanFigures", "SentenceUnit", "action_markers", "action_repr", "action_shape_markers", "action_units", "adult_names", "best_need", "candidate_reprs", "check_contingency", "cue_aggregates", "dimension_features", "dimension_strength", "domain_density", "evidence_context", "link_need", "mask_names", "named_children", "needs_from", "person_names", "plan_figures", "quality_hit", "sentence_markers", "sentence_repr", "sentence_units", "span_overlap", "time_markers", "unit_reprs"]
