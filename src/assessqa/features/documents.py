"""What the evidence scorers and the grade models read: a document's evidence-tagger outputs aggregated per dimension
(strongest sentences, coverage, wording of its evidence), each sentence's neighbourhood, and the needs a plan
states. Computed after the evidence tagger, before the grade models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from assessqa.features.markers import sentence_markers
from assessqa.features.sentences import SentenceUnit
from assessqa.schemas import (
    CUES,
    DIMENSION_CUES,
    DIMENSIONS_BY_TYPE,
    SECTION_CATEGORIES,
)
from assessqa.segment.people import named_children

if TYPE_CHECKING:  # pragma: no cover
    from assessqa.features.plan import PlanFigures

# ------------------------------------------------------------------ document-level features


def cue_aggregates(probabilities: np.ndarray, cue_names: tuple[str, ...] = CUES) -> dict[str, float]:
    """Per cue: how many sentences carry it (soft and hard counts, log-scaled), its strongest and top-3 mean."""
    n = probabilities.shape[0]
    if not n:
        return {f"{cue}_{kind}": 0.0 for cue in cue_names for kind in ("soft", "hard", "share", "max", "top3")}
    # One pass over all columns at once; the same figures a per-cue loop would give.
    top = -np.sort(-probabilities, axis=0)[:3]
    hard = (probabilities >= 0.5).sum(axis=0)
    soft, share, best, top3 = np.log1p(probabilities.sum(axis=0)), hard / n, top[0], top.mean(axis=0)
    feats: dict[str, float] = {}
    for j, cue in enumerate(cue_names):
        feats[f"{cue}_soft"] = float(soft[j])
        feats[f"{cue}_hard"] = float(np.log1p(hard[j]))
        feats[f"{cue}_share"] = float(share[j])
        feats[f"{cue}_max"] = float(best[j])
        feats[f"{cue}_top3"] = float(top3[j])
    return feats


# Wording that separates a good answer from a thin one, whatever the template: hedged contingencies,
# named consequences, reasoning words, over-optimistic conclusions, children lumped together.
QUALITY_PATTERNS: dict[str, re.Pattern[str]] = {
    "hedge": re.compile(r"\b(?:may|might|could|possibly|consider(?:ed)?|further action|appropriate action|if (?:things|it|this) (?:do|does)(?:n't| not) (?:improve|change))\b", re.I),
    "consequence": re.compile(r"\b(?:legal planning|legal gateway|public law outline|pre-proceedings|plo|care proceedings|court|(?:initial|review) (?:child protection )?conference|icpc|rcpc|strategy (?:discussion|meeting)|step(?:ped)?[- ]up|section 20|s20|removed|foster care|escalat\w*)\b", re.I),
    "reasoning": re.compile(r"\b(?:this means|which means|because|as a result|so that|explain\w*|pattern|repeat\w*|links? (?:to|with)|linked|mirrors?|impact\w*|affect\w*|likel\w*|unlikely|probab\w*|on balance|therefore|suggests?|indicates?)\b", re.I),
    "conclusion": re.compile(r"\b(?:conclude\w*|significant harm|threshold|in my (?:view|professional judgement)|my assessment is|i (?:am|remain) (?:worried|concerned))\b", re.I),
    "optimism": re.compile(r"\b(?:no (?:safeguarding |further )?concerns?|no further action|nfa|close the case|case (?:will be|to be|can be) closed|doing well|is happy|are happy|settled)\b", re.I),
    "generic_children": re.compile(r"\bthe (?:children|kids|boys|girls|siblings)\b", re.I),
    "description": re.compile(r"\b(?:on (?:\d{1,2}[/.]\d{1,2}|the \d)|police (?:were|attended|called)|incident|was called|attended the (?:home|address)|reported that)\b", re.I),
}
_MARKERS = ("__quote__", "__age__", "__year__", "__first_person__", "__conditional__", "__outcome__", "__date__", "__freq__", "__deadline__", "__vague_time__", "__past__")


@lru_cache(maxsize=65536)
def _quality_hits(text: str) -> tuple[bool, ...]:
    """Which :data:`QUALITY_PATTERNS` a sentence matches (cached: every dimension of a document reads them)."""
    return tuple(bool(pattern.search(text)) for pattern in QUALITY_PATTERNS.values())


_QUALITY_INDEX = {name: k for k, name in enumerate(QUALITY_PATTERNS)}


def quality_hit(text: str, name: str) -> bool:
    """Whether a sentence matches ``QUALITY_PATTERNS[name]``, read from the cache the grade features filled."""
    return _quality_hits(text)[_QUALITY_INDEX[name]]


def _weighted_share(weights: np.ndarray, hits: np.ndarray) -> float:
    total = weights.sum()
    return float((weights * hits).sum() / total) if total > 0 else 0.0


def dimension_strength(matrix: np.ndarray, dimension: str) -> np.ndarray:
    """Per sentence, the strongest of ``dimension``'s cue columns of a sentences x cues matrix (probabilities or
    0/1 labels): how strongly the sentence is evidence for the dimension by the tagger (or the annotators) alone."""
    return matrix[:, [CUES.index(c) for c in DIMENSION_CUES[dimension]]].max(axis=1) if len(matrix) else np.zeros(0)


# How many sentences either side the evidence scorer reads (chosen by grouped cross-validation on train+dev,
# training/README.md "Evidence in context"): whether a sentence is evidence depends on its neighbours, as when
# a vague "there are concerns" opens a paragraph that the next sentence goes on to analyse.
EVIDENCE_WINDOW = 2
_TABLE_ROW_RE = re.compile(r"\t| \| ")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def evidence_context(units: list[SentenceUnit], cue_probs: np.ndarray, window: int = EVIDENCE_WINDOW) -> np.ndarray:
    """Per sentence, what the evidence scorer reads: the tagger's cue log-odds for the sentence, for the
    ``window`` sentences either side (zeros past the ends) and the document's strongest sentence for each cue;
    the section the sentence sits in; and its shape (length, a short fragment, a table row, its position).

    Nothing here reads words: the scorer weighs the tagger's outputs against each other, which is how it learns
    that a plan's outcome ("Zuzanna needs to feel safe at school") is not one of its needs although it reads
    like one.
    """
    n, k = len(units), len(CUES)
    if n == 0:
        return np.zeros((0, (2 * window + 2) * k + len(SECTION_CATEGORIES) + 1 + 4))
    own = _logit(cue_probs)
    pad = np.zeros((window, k))
    padded = np.vstack([pad, own, pad])
    shifted = [padded[window + d : window + d + n] for d in range(-window, window + 1) if d != 0]
    strongest = np.repeat(own.max(axis=0, keepdims=True), n, axis=0)
    section = np.array([[u.category == c for c in SECTION_CATEGORIES] + [u.category is None] for u in units], dtype=float)
    words = np.array([len(u.text.split()) for u in units], dtype=float)
    shape = np.column_stack(
        [
            np.log1p(words),
            words <= 3,
            [bool(_TABLE_ROW_RE.search(u.text)) for u in units],
            np.arange(n) / max(1, n - 1),
        ]
    )
    return np.hstack([own, *shifted, strongest, section, shape])


# The cues each document type's dimensions read, in CUES order.
TYPE_CUES: dict[str, tuple[str, ...]] = {
    doc_type: tuple(c for c in CUES if any(c in DIMENSION_CUES[d] for d in dims)) for doc_type, dims in DIMENSIONS_BY_TYPE.items()
}
_TYPE_OF = {d: doc_type for doc_type, dims in DIMENSIONS_BY_TYPE.items() for d in dims}

# A sentence whose every cue probability (among its type's cues) is below this carries no evidence for the grade
# models; a trained model records the floor it used in its config ("evidence_floor"). 0.2 was chosen by whole-model
# cross-validation on train+dev (training/README.md, "Evidence floor"): buzzword sentences the tagger scores 0.1-0.2
# no longer count, and calibration improved.
EVIDENCE_FLOOR = 0.2


def dimension_features(
    dimension: str,
    cue_probs: np.ndarray,
    units: list[SentenceUnit],
    flag_probs: np.ndarray | None,
    plan: PlanFigures | None = None,
    floor: float = EVIDENCE_FLOOR,
) -> dict[str, float]:
    """Features of one document for one dimension's grade model.

    Deliberately excludes raw length and heading presence: the corpus audit checks that neither gives the
    grade away, and a model that read them could be gamed by padding or by empty headings. For the same reason
    shares are taken over sentences that carry some evidence: padding, boilerplate or buzzwords with no evidence
    in them change none of these features.
    """
    # Only the cues of this document type's own dimensions: a plan grade that read assessment cues (history links,
    # say) would learn accidents of the corpus, and anyone could move it with sentences that merely sound like one.
    own = [CUES.index(c) for c in TYPE_CUES[_TYPE_OF[dimension]]]
    if len(units):
        keep = cue_probs[:, own].max(axis=1) >= floor
        cue_probs = cue_probs[keep]
        units = [u for u, k in zip(units, keep) if k]
    feats = cue_aggregates(cue_probs[:, own], tuple(CUES[j] for j in own))
    n = len(units)
    weights = dimension_strength(cue_probs, dimension)
    feats["relevant_share"] = float((weights >= 0.5).mean()) if n else 0.0
    feats["relevant_soft_share"] = float(weights.mean()) if n else 0.0
    # How the dimension's own evidence is written (weighted by how strongly each sentence is evidence).
    quality = np.array([_quality_hits(u.text) for u in units], dtype=float).reshape(n, len(QUALITY_PATTERNS))
    for k, name in enumerate(QUALITY_PATTERNS):
        feats[f"q_{name}"] = _weighted_share(weights, quality[:, k])
        feats[f"doc_{name}"] = float(quality[:, k].mean()) if n else 0.0
    markers = [set(sentence_markers(u.text)) for u in units]
    for marker in _MARKERS:
        hits = np.array([marker in m for m in markers], dtype=float)
        feats[f"m{marker}"] = _weighted_share(weights, hits)
    if dimension in ("lived_experience", "child_focus"):
        children = [name for name, _ in named_children(" ".join(u.text for u in units))]
        voice = cue_probs[:, [CUES.index("child_voice"), CUES.index("observation"), CUES.index("daily_life")]].max(axis=1) if n else np.zeros(0)
        covered = sum(1 for name in children if any(name in u.text and v >= 0.5 for u, v in zip(units, voice)))
        feats["children_named"] = float(min(len(children), 6))
        feats["children_covered_share"] = covered / len(children) if children else 0.0
    if flag_probs is not None:
        n_actions = flag_probs.shape[0]
        feats["n_actions_log"] = float(np.log1p(n_actions))
        if n_actions:
            hard = flag_probs >= 0.5
            feats["all_smart_share"] = float(hard.all(axis=1).mean())
            feats["mean_flags"] = float(flag_probs.mean())
            for j in range(flag_probs.shape[1]):
                feats[f"flag{j}_share"] = float(hard[:, j].mean())
                feats[f"flag{j}_min"] = float(flag_probs[:, j].min())
        else:
            feats["all_smart_share"] = feats["mean_flags"] = 0.0
            for j in range(flag_probs.shape[1]):
                feats[f"flag{j}_share"] = feats[f"flag{j}_min"] = 0.0
    if plan is not None:
        feats.update(plan.as_features())
    return feats


def needs_from(
    units: list[SentenceUnit], cue_probs: np.ndarray, threshold: float = 0.5, in_worry_section: float = 0.15
) -> list[tuple[int, int, str]]:
    """Need sentences; under a worry/danger heading ("What are we worried about?") a weaker signal suffices,
    since the guidelines count every worry statement of a plan as a need."""
    col = CUES.index("need")
    probs = cue_probs[:, col] if len(units) else []
    return [
        (u.start, u.end, u.text)
        for u, p in zip(units, probs)
        if p >= threshold or (u.category == "risk" and p >= in_worry_section)
    ]


