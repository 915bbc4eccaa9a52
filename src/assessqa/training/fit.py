"""Training every part of an assessqa model from the annotated corpus.

Stacking without leakage: the grade models learn from evidence-tagger, action-detector and flag outputs
that were predicted *out of fold* (GroupKFold by writing batch), so they see the same kind of noisy inputs
at training time as at scoring time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from spacy.language import Language

from assessqa import errors
from assessqa.training.annotations import corpus_hash
from assessqa.features import (
    FEATURES_VERSION,
    ActionUnit,
    SentenceUnit,
    candidate_reprs,
    dimension_strength,
    evidence_context,
    needs_from,
    sentence_repr,
    span_overlap,
    unit_reprs,
)
from assessqa.features.sentences import own_words
from assessqa.config import DEFAULT_MODEL_DIR
from assessqa.features.static_vectors import DEFAULT_DIR as STATIC_DIR
from assessqa.features.static_vectors import StaticVectors
from assessqa.models.bundle import (
    AssessModel,
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
)
from assessqa.models.coherence import DISORDER_KINDS, CoherenceModel, disorder
from assessqa.models.general_text import GeneralTextModel
from assessqa.models.config import resolve_config
from assessqa.training.estimators import make_dimension_model, make_evidence_model, make_multilabel_classifier, make_text_classifier
from assessqa.schemas import ACTION_FLAGS, CUES, DIMENSIONS_BY_TYPE, AnnotatedDocument
from assessqa.pipeline import CandidateScores, Segmented, grade_features, plan_outputs, score_candidates, segment, tag_cues
from assessqa.segment import build_pipeline

Progress = Callable[[str], None]


@dataclass
class ParsedDoc:
    """One annotated document, segmented, with its gold labels aligned to sentences and candidates."""

    doc: AnnotatedDocument
    segmented: Segmented
    units: list[SentenceUnit]
    cue_labels: np.ndarray
    candidates: list[ActionUnit]
    is_action: np.ndarray
    gold_flags: list[dict[str, bool] | None] = field(default_factory=list)


def parse_documents(docs: list[AnnotatedDocument], nlp: Language | None = None) -> list[ParsedDoc]:
    """Segment each annotated document with the scoring pipeline's own segment stage, and align its gold
    spans and actions to the sentences and action candidates found."""
    nlp = nlp or build_pipeline()
    parsed = []
    for ann, seg in zip(docs, segment(nlp, [d.text for d in docs], [d.doc_type for d in docs])):
        units = seg.units
        labels = np.zeros((len(units), len(CUES)), dtype=int)
        for span in ann.spans:
            for i, unit in enumerate(units):
                if span_overlap((span.start, span.end), (unit.start, unit.end)) >= 0.5:
                    labels[i, CUES.index(span.cue)] = 1
        candidates = seg.candidates
        is_action = np.zeros(len(candidates), dtype=int)
        flags: list[dict[str, bool] | None] = [None] * len(candidates)
        for action in ann.actions:
            for i, cand in enumerate(candidates):
                if span_overlap((action.start, action.end), (cand.start, cand.end)) >= 0.5 and not is_action[i]:
                    is_action[i] = 1
                    flags[i] = action.flags
                    break
        parsed.append(ParsedDoc(ann, seg, units, labels, candidates, is_action, flags))
    return parsed


_BUZZ_OPENERS = (
    "Full consideration has been given to", "This report has reflected on", "The worker has thought carefully about",
    "Managers are assured regarding", "The plan is underpinned by", "Practice has been informed by", "We have evidenced",
    "There has been a focus on", "Consideration was given throughout to", "The assessment is grounded in",
)
_BUZZ_TERMS = (
    "the lived experience of the child", "the voice of the child", "child-focused practice", "SMART outcomes",
    "robust risk analysis", "the family history", "a holistic view", "strengths-based working", "contingency planning",
    "outcomes for the child", "the child's wishes and feelings", "analysis of risk and protective factors",
    "the child's journey", "relationship-based practice", "safeguarding",
)


_EMPTY_HEADINGS = (
    "Lived experience", "Voice of the child", "Analysis", "Risk analysis", "Analysis of risk", "Family history",
    "Chronology", "SMART plan", "SMART outcomes", "Contingency", "Contingency plan", "Child's wishes and feelings",
)


# Generic practice guidance: sentences about what records should do, in general, naming no one. Written for
# training (the probes' guidance texts, training/probes.py and training/stuffing_dev.py, are not drawn from here).
_GUIDE_SUBJECTS = (
    "Practitioners", "Social workers", "Every assessment", "A good assessment", "Plans", "A good plan", "Records",
    "Each plan", "Managers", "Reports to conference", "Core groups", "Assessments", "The lead professional",
)
_GUIDE_MODALS = ("should", "must", "are expected to", "will always", "ought to")
_GUIDE_TASKS = (
    "capture the voice of the child in their own words", "describe what an ordinary day looks like for each child",
    "analyse how likely harm is and how serious it would be", "consider the impact of parental behaviour on the child",
    "record the history of the family and of any previous involvement", "link past events to present concerns",
    "state who is responsible for each action and by what date", "make clear how progress will be measured",
    "set out what will happen if the plan is not followed", "keep the needs of the child at the centre",
    "weigh protective factors against the risks", "be reviewed regularly against clear outcomes",
    "explain the reasons for any decision", "reflect the wishes and feelings of the children",
    "use plain language that families can understand", "distinguish between description and analysis",
)
_GUIDE_FRAMES = (
    "{subject} {modal} {task}.", "It is essential that practice is able to {task}.", "Good practice is to {task}.",
    "Local procedures require staff to {task}.", "Auditors will check whether records {task}.",
    "The standard is to {task} in every case.",
)


def _buzzword_sentence(rng: np.random.Generator) -> str:
    terms = rng.choice(_BUZZ_TERMS, size=int(rng.integers(1, 4)), replace=False)
    return f"{rng.choice(_BUZZ_OPENERS)} {', '.join(terms[:-1]) + ' and ' if len(terms) > 1 else ''}{terms[-1]}."


def _guidance_sentence(rng: np.random.Generator) -> str:
    frame = str(rng.choice(_GUIDE_FRAMES))
    modal = str(rng.choice(_GUIDE_MODALS))
    subject = str(rng.choice(_GUIDE_SUBJECTS))
    if modal == "are expected to" and not subject.endswith("s"):
        modal = "is expected to"
    return frame.format(subject=subject, modal=modal, task=str(rng.choice(_GUIDE_TASKS)))


def _stuffing_sentence(rng: np.random.Generator, variety: bool) -> str:
    return _guidance_sentence(rng) if variety and rng.random() < 0.5 else _buzzword_sentence(rng)


def buzzword_negatives(n: int, seed: int, variety: bool = False) -> list[str]:
    """Sentences made only of practice buzzwords (and, with ``variety``, half of them generic practice guidance):
    shown to the evidence tagger as carrying no evidence, so that keyword stuffing cannot raise a grade (the
    guidelines: do not mark generic sentences that use the words)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        sentence = _stuffing_sentence(rng, variety)
        category = rng.choice(["analysis", "daily_life", "child_views", "risk", "plan", "family_history", "none"])
        out.append(sentence_repr(sentence, None if category == "none" else str(category)))
    return out


def stuffed_copy(doc: AnnotatedDocument, seed: int, variety: bool = False) -> AnnotatedDocument:
    """The document with empty headings and buzzword sentences appended, and the same grades: what the grade
    models learn from so that stuffing cannot buy a grade. The sentences are generated here, not taken from
    the robustness probe (``assessqa.training.robustness.stuff_keywords``), although the vocabulary overlaps.

    With ``variety``, half the sentences are generic practice guidance and the stuffing goes before the document
    as often as after it (every label moved with the text): the grade models then also learn that text at the
    top of a record can be stuffing. :func:`stuffing_range` says where it is."""
    rng = np.random.default_rng(seed)
    headings = rng.choice(_EMPTY_HEADINGS, size=int(rng.integers(1, 5)), replace=False)
    sentences = [_stuffing_sentence(rng, variety) for _ in range(int(rng.integers(2, 7)))]
    stuffing = "\n\n".join(headings) + "\n\n" + " ".join(sentences) + "\n"
    if not (variety and rng.random() < 0.5):
        return doc.model_copy(update={"id": f"{doc.id}~stuffed", "text": doc.text + "\n\n" + stuffing})
    head = stuffing + "\n"
    shift = len(head)
    spans = [sp.model_copy(update={"start": sp.start + shift, "end": sp.end + shift}) for sp in doc.spans]
    actions = [
        a.model_copy(update={
            "start": a.start + shift, "end": a.end + shift,
            "need": None if a.need is None else a.need.model_copy(update={"start": a.need.start + shift, "end": a.need.end + shift}),
        })
        for a in doc.actions
    ]
    return doc.model_copy(update={"id": f"{doc.id}~stuffed", "text": head + doc.text, "spans": spans, "actions": actions})


def stuffing_range(doc: AnnotatedDocument, copy: AnnotatedDocument) -> tuple[int, int]:
    """Where :func:`stuffed_copy` put the stuffing in ``copy``: after the document or before it."""
    if copy.text.startswith(doc.text):
        return len(doc.text), len(copy.text)
    return 0, len(copy.text) - len(doc.text)


@lru_cache(maxsize=1)
def training_static_vectors() -> StaticVectors:
    """The static vectors a model trained with ``cue_static_vectors`` reads (and then carries in its folder): those
    ``training/distill_static.py`` wrote to ``$ASSESSQA_STATIC_VECTORS`` when it is set, else the shipped model's
    own (the same vectors, as distilled), so that retraining needs no encoder."""
    given = os.environ.get("ASSESSQA_STATIC_VECTORS")
    if given:
        return StaticVectors.load(Path(given))
    shipped = StaticVectors.from_model_folder(DEFAULT_MODEL_DIR)
    if shipped is None:
        raise errors.AssessQAError(
            errors.ErrorCode.MODEL_MISSING,
            f"cue_static_vectors needs static vectors: the model in {DEFAULT_MODEL_DIR} has none; run "
            f"training/distill_static.py --out {STATIC_DIR} and set ASSESSQA_STATIC_VECTORS={STATIC_DIR}",
        )
    return shipped


def fit_cue_tagger(parsed: list[ParsedDoc], cfg: dict[str, Any]):
    X = [r for p in parsed for r in unit_reprs(p.units)]
    Y = np.vstack([p.cue_labels for p in parsed if len(p.units)])
    negatives = buzzword_negatives(cfg.get("buzzword_negatives", 200), cfg["seed"], bool(cfg.get("stuffing_variety")))
    X = X + negatives
    Y = np.vstack([Y, np.zeros((len(negatives), Y.shape[1]), dtype=int)])
    keep = [j for j in range(len(CUES)) if 0 < Y[:, j].sum() < len(Y)]
    if not keep:
        raise errors.no_training_data("corpus", "no evidence spans overlap any sentence; check the span offsets")
    vectors = training_static_vectors() if cfg.get("cue_static_vectors") else None
    tagger = make_multilabel_classifier(seed=cfg["seed"], static_vectors=vectors, **cfg["cue_tagger"]).fit(X, Y[:, keep])
    return tagger, [CUES[j] for j in keep]


def general_check(parsed: list[ParsedDoc], cfg: dict[str, Any]) -> tuple[Any, Any, dict[str, Any] | None]:
    """The learned general-text check fitted on ``parsed``, as the cue stage reads it (sentences in, taken or
    not out), with its pipeline and meta; three Nones when the configuration has it off."""
    if not cfg.get("general_text"):
        return None, None, None
    model, meta = fit_general_text(parsed, cfg)
    return (lambda s, m=model, t=meta["threshold"]: _proba(m, s, 0.0) >= t), model, meta


def fold_cue_stage(tagger, columns: list[str], cfg: dict[str, Any], general=None):
    """The cue stage as scoring runs it, with a fold's tagger and, when given, a fold's general-text check:
    a list of documents' sentence units in, each document's cue probabilities out. Instruments that refit the
    tagger per fold read cues through this, so they see what the shipped configuration would."""
    run = cfg["general_text"]["run"] if general is not None else 1
    predict = cue_predictor(tagger, columns)
    return lambda docs_units: tag_cues(docs_units, predict, cfg["ignore_generic_sentences"], cfg["generic_passages"], general, run)


def cue_predictor(tagger, columns: list[str]):
    """A fold's tagger as the cue stage's ``predict``: representations in, sentences x CUES probabilities out."""

    def predict(reprs: list[str]) -> np.ndarray:
        out = np.zeros((len(reprs), len(CUES)))
        raw = tagger.predict_proba(reprs)
        for j, cue in enumerate(columns):
            out[:, CUES.index(cue)] = raw[:, j]
        return out

    return predict


def _fit_binary(make, X: list[str], y: np.ndarray, cfg_key: str, cfg: dict[str, Any]):
    if len(set(y.tolist())) < 2:
        return None
    return make(seed=cfg["seed"], **cfg[cfg_key]).fit(X, y)


def _proba(model, X: list[str], constant: float) -> np.ndarray:
    if not X:
        return np.zeros(0)
    if model is None:
        return np.full(len(X), constant)
    classes = list(model.classes_)
    return model.predict_proba(X)[:, classes.index(1)]


def _fit_action_parts(parsed: list[ParsedDoc], reprs: list[list[str]], cfg: dict[str, Any]):
    X = [r for rs in reprs for r in rs]
    y = np.concatenate([p.is_action for p in parsed]) if parsed else np.zeros(0)
    detector = _fit_binary(make_text_classifier, X, y, "action_detector", cfg)
    flag_X = [r for p, rs in zip(parsed, reprs) for r, f in zip(rs, p.gold_flags) if f is not None]
    flag_Y = np.array([[int(f[flag]) for flag in ACTION_FLAGS] for p in parsed for f in p.gold_flags if f is not None])
    if len(flag_Y) == 0 or any(len(set(flag_Y[:, j].tolist())) < 2 for j in range(len(ACTION_FLAGS))):
        return detector, None
    flag_model = make_multilabel_classifier(seed=cfg["seed"], **cfg["action_flags"]).fit(flag_X, flag_Y)
    return detector, flag_model


def _flag_matrix(flag_model, X: list[str]) -> np.ndarray:
    if not X:
        return np.zeros((0, len(ACTION_FLAGS)))
    if flag_model is None:
        return np.full((len(X), len(ACTION_FLAGS)), 0.5)
    return flag_model.predict_proba(X)


def _doc_features(
    p: ParsedDoc, cue_probs: np.ndarray, action_probs: np.ndarray, flag_probs: np.ndarray, reprs: list[str], threshold: float, floor: float
):
    """The grade features of one document from out-of-fold stage outputs, by the same stages scoring runs."""
    scores = CandidateScores(reprs, action_probs, flag_probs) if p.doc.doc_type == "plan" else None
    _, _, detected, plan, _ = plan_outputs(p.segmented, cue_probs, scores, threshold)
    return grade_features(p.segmented, cue_probs, detected, plan, floor)


def _calibrate(X: list[dict], y: np.ndarray, groups: np.ndarray, cfg: dict[str, Any], dim: str) -> dict[str, float]:
    """Temperature for one dimension, fitted on out-of-fold grade probabilities (never on in-sample ones), times the
    configured out-of-style temperature of ``dim``."""
    n_folds = min(cfg["cv_folds"], len(set(groups.tolist())))
    oof = np.zeros((len(y), 4))
    for train_idx, test_idx in GroupKFold(n_splits=n_folds).split(X, y, groups):
        model = make_dimension_model(seed=cfg["seed"], **cfg["dimension"]).fit([X[i] for i in train_idx], y[train_idx])
        proba = model.predict_proba([X[i] for i in test_idx])
        for j, grade in enumerate(model.classes_):
            oof[test_idx, int(grade) - 1] = proba[:, j]
    oof = np.clip(oof, 1e-6, None)
    oof /= oof.sum(axis=1, keepdims=True)
    y_index = y - 1
    temperature = fit_temperature(oof, y_index)
    # Measured on dev, the full out-of-fold temperature overshoots (every dimension came out under-confident), so
    # only the configured share of it is applied (DEFAULT_CONFIG["temperature_shrink"]).
    applied = 1.0 + cfg.get("temperature_shrink", 1.0) * (temperature - 1.0)
    # Scaling twice by temperatures multiplies them (p ** (1 / a)) ** (1 / b) = p ** (1 / ab).
    out_of_style = (cfg.get("out_of_style_temperature") or {}).get(dim, 1.0)
    return {
        "temperature": round(applied * out_of_style, 4),
        "in_style_temperature": round(applied, 4),
        "out_of_style_temperature": out_of_style,
        "oof_temperature": round(temperature, 4),
        "oof_ece_before": round(expected_calibration_error(oof, y_index), 4),
        "oof_ece_after": round(expected_calibration_error(apply_temperature(oof, temperature), y_index), 4),
    }


def best_threshold(gold: np.ndarray, score: np.ndarray, grid: np.ndarray | None = None) -> float:
    """The probability cut on ``score`` that best matches ``gold`` (F1), from a grid of 0.10 to 0.85.

    Fitted on out-of-fold outputs. The tagger is trained with balanced class weights, so its 0.5 is tuned for
    recall and its best cut lies above; the evidence scorers are not reweighted, so theirs lies below 0.5 (0.3, the
    old grid's lowest point, was chosen for smart_actions, so the grid now reaches down to 0.1).
    """
    grid = np.round(np.arange(0.1, 0.86, 0.05), 2) if grid is None else grid
    f1 = [f1_score(gold.astype(bool), score >= t, zero_division=0.0) for t in grid]
    return float(grid[int(np.argmax(f1))])


def evidence_gold(p: ParsedDoc, dim: str) -> np.ndarray:
    return dimension_strength(p.cue_labels, dim).astype(int)


def _tagger_thresholds(parsed: list[ParsedDoc], cue_probs: list[np.ndarray]) -> dict[str, float]:
    """Thresholds on the tagger's own cue probabilities, for a model trained without evidence scorers."""
    out = {}
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        idx = [i for i, p in enumerate(parsed) if p.doc.doc_type == doc_type and len(p.units)]
        for dim in dims:
            if idx:
                gold = np.concatenate([evidence_gold(parsed[i], dim) for i in idx])
                out[dim] = best_threshold(gold, np.concatenate([dimension_strength(cue_probs[i], dim) for i in idx]))
    return out


def _fit_evidence_models(
    parsed: list[ParsedDoc],
    contexts: list[np.ndarray],
    extra: list[tuple[np.ndarray, np.ndarray]],
    folds: list[tuple[np.ndarray, np.ndarray]],
    cfg: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, float]]:
    """Per dimension, the evidence scorer over out-of-fold tagger outputs in context, and its threshold fitted on
    the scorer's own out-of-fold outputs (a second cross-fit over the same folds, so no document's threshold
    evidence comes from a scorer that saw it). ``extra[i]`` holds rows that only ever count as training rows
    for document ``i`` (the buzzword tail of its stuffed copy, all labelled "not evidence")."""
    models: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    fold_of = np.zeros(len(parsed), dtype=int)
    for k, (_, test_idx) in enumerate(folds):
        fold_of[test_idx] = k

    def rows(idx: list[int], dim: str, with_extra: bool) -> tuple[np.ndarray, np.ndarray]:
        X = [contexts[i] for i in idx] + ([extra[i][0] for i in idx] if with_extra else [])
        y = [evidence_gold(parsed[i], dim) for i in idx] + ([extra[i][1] for i in idx] if with_extra else [])
        return np.vstack(X), np.concatenate(y)

    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        idx = [i for i, p in enumerate(parsed) if p.doc.doc_type == doc_type and len(p.units)]
        for dim in dims:
            X_all, y_all = rows(idx, dim, True)
            if not idx or len(set(y_all.tolist())) < 2:
                continue
            gold, score = [], []
            for k in range(len(folds)):
                train = [i for i in idx if fold_of[i] != k]
                test = [i for i in idx if fold_of[i] == k]
                if not test:
                    continue
                X, y = rows(train, dim, True)
                if len(set(y.tolist())) < 2:
                    continue
                model = make_evidence_model(seed=cfg["seed"], **cfg["evidence_context"]).fit(X, y)
                X_test, y_test = rows(test, dim, False)
                gold.append(y_test)
                score.append(model.predict_proba(X_test)[:, list(model.classes_).index(1)])
            if gold:
                thresholds[dim] = best_threshold(np.concatenate(gold), np.concatenate(score))
            models[dim] = make_evidence_model(seed=cfg["seed"], **cfg["evidence_context"]).fit(X_all, y_all)
    return models, thresholds


def train_model(
    docs: list[AnnotatedDocument],
    config: dict[str, Any] | None = None,
    progress: Progress | None = None,
    model_version: str | None = None,
) -> AssessModel:
    """Fit every part of a model on ``docs`` (the training split); returns an unsaved :class:`AssessModel`."""
    cfg = resolve_config(config)
    say = progress or (lambda _msg: None)
    if len(docs) < 10:
        raise errors.no_training_data("corpus", f"{len(docs)} training documents; at least 10 are needed")
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        typed = [d for d in docs if d.doc_type == doc_type]
        for dim in dims:
            if len({d.grades[dim] for d in typed}) < 2:
                raise errors.no_training_data("corpus", f"dimension {dim} needs at least two different grades")
    say(f"segmenting {len(docs)} documents")
    parsed = parse_documents(docs)
    groups = np.array([p.doc.batch for p in parsed])
    n_folds = min(cfg["cv_folds"], len(set(groups)))
    folds = list(GroupKFold(n_splits=n_folds).split(np.zeros(len(parsed)), groups=groups))

    # Stuffed copies are only ever scored out of fold, never trained on by the taggers: they stand for what a
    # grade model will be shown, not for new evidence.
    variety = bool(cfg.get("stuffing_variety"))
    stuffed = parse_documents([stuffed_copy(p.doc, cfg["seed"] + i, variety) for i, p in enumerate(parsed)]) if cfg.get("stuffing_augmentation") else []
    scored = parsed + stuffed

    def fold_of(idx: np.ndarray) -> list[int]:
        """A fold's documents and, when there are stuffed copies, their copies (which sit after the originals)."""
        return list(idx) + ([len(parsed) + i for i in idx] if stuffed else [])

    if cfg.get("general_text"):
        say("fitting the general text check")
    general, general_model, general_meta = general_check(parsed, cfg)

    say("cross-fitting evidence tagger, action detector and flag models")
    oof_cues: list[np.ndarray] = [np.zeros((0, len(CUES)))] * len(scored)
    for train_idx, test_idx in folds:
        tagger, cols = fit_cue_tagger([parsed[i] for i in train_idx], cfg)
        test = fold_of(test_idx)
        for i, probs in zip(test, fold_cue_stage(tagger, cols, cfg, general)([scored[i].units for i in test])):
            oof_cues[i] = probs
    needs = [needs_from(p.units, oof_cues[i]) for i, p in enumerate(scored)]
    # The detector and flag models of each fold are trained on these representations (built from out-of-fold
    # cues, as scoring builds them from the final tagger's).
    reprs = [candidate_reprs(p.candidates, needs[i]) for i, p in enumerate(scored)]
    oof_actions = [np.zeros(0)] * len(scored)
    oof_flags = [np.zeros((0, len(ACTION_FLAGS)))] * len(scored)
    for train_idx, test_idx in folds:
        detector, flag_model = _fit_action_parts([parsed[i] for i in train_idx], [reprs[i] for i in train_idx], cfg)
        test = fold_of(test_idx)
        outputs = score_candidates(
            [scored[i].candidates for i in test],
            [needs[i] for i in test],
            lambda X, m=detector: _proba(m, X, 0.0),
            lambda X, m=flag_model: _flag_matrix(m, X),
        )
        for i, out in zip(test, outputs):
            oof_actions[i] = out.action_probs
            oof_flags[i] = out.flag_probs

    if cfg.get("evidence_context"):
        say("cross-fitting evidence scorers")
        contexts = [evidence_context(p.units, oof_cues[i]) for i, p in enumerate(parsed)]
        # Only the stuffing of each stuffed copy (appended, or put before the document): the rest duplicates its original.
        tails = []
        for i, p in enumerate(parsed):
            copy_units = scored[len(parsed) + i].units if stuffed else []
            a, b = stuffing_range(p.doc, scored[len(parsed) + i].doc) if stuffed else (0, 0)
            tail = np.array([a <= u.start < b for u in copy_units], dtype=bool)
            rows = evidence_context(copy_units, oof_cues[len(parsed) + i] if stuffed else np.zeros((0, len(CUES))))[tail]
            tails.append((rows, np.zeros(len(rows), dtype=int)))
        evidence_models, thresholds = _fit_evidence_models(parsed, contexts, tails, folds, cfg)
    else:
        evidence_models, thresholds = {}, _tagger_thresholds(parsed, oof_cues[: len(parsed)])

    say("fitting grade models")
    threshold = cfg["action_threshold"]
    features = [
        _doc_features(p, oof_cues[i], oof_actions[i], oof_flags[i], reprs[i], threshold, cfg["evidence_floor"])
        for i, p in enumerate(scored)
    ]
    scored_groups = np.concatenate([groups, groups]) if stuffed else groups
    dimension_models = {}
    calibration = {}
    for doc_type, dims in DIMENSIONS_BY_TYPE.items():
        idx = [i for i, p in enumerate(scored) if p.doc.doc_type == doc_type]
        dim_groups = scored_groups[idx]
        for dim in dims:
            X = [features[i][dim] for i in idx]
            y = np.array([scored[i].doc.grades[dim] for i in idx])
            dimension_models[dim] = make_dimension_model(seed=cfg["seed"], **cfg["dimension"]).fit(X, y)
            calibration[dim] = _calibrate(X, y, dim_groups, cfg, dim)

    say("fitting final evidence tagger, action detector and flag models on all training documents")
    tagger, cue_columns = fit_cue_tagger(parsed, cfg)
    detector, flag_model = _fit_action_parts(parsed, reprs[: len(parsed)], cfg)
    if detector is None:
        raise errors.no_training_data("corpus", "no annotated plan actions matched any action candidate")
    if flag_model is None:
        raise errors.no_training_data("corpus", "every action flag must be seen both true and false in the training data")
    doc_type_model = make_text_classifier(seed=cfg["seed"], **cfg["doc_type"], ngram_max=1, min_df=2).fit(
        [d.text for d in docs], np.array([int(d.doc_type == "plan") for d in docs])
    )
    coherence_model = None
    if cfg.get("coherence"):
        say("fitting the coherence check")
        coherence_model = _fit_coherence(docs, cfg)
    now = datetime.now(timezone.utc)
    meta = {
        "model_version": model_version or f"assessqa-{now:%Y%m%d-%H%M%S}",
        "trained_at": now.isoformat(timespec="seconds"),
        "features_version": FEATURES_VERSION,
        "config": cfg,
        "cue_columns": cue_columns,
        "calibration": calibration,
        "evidence_thresholds": thresholds,
        **({"general_text": general_meta} if general_meta else {}),
        "labels": {"grades": [1, 2, 3, 4], "flags": list(ACTION_FLAGS), "cues": list(CUES)},
        "training_data": {
            "documents": len(docs),
            "hash": corpus_hash(docs),
            "by_type": {t: sum(d.doc_type == t for d in docs) for t in DIMENSIONS_BY_TYPE},
            "batches": sorted(set(groups.tolist())),
        },
    }
    return AssessModel(
        cue_tagger=tagger,
        action_detector=detector,
        flag_model=flag_model,
        dimension_models=dimension_models,
        doc_type_model=doc_type_model,
        meta=meta,
        evidence_models=evidence_models,
        coherence_model=coherence_model,
        general_text_model=general_model,
    )


def general_text_passages(path: Path | None = None) -> list[str]:
    """The general text the check learns from: ``training/resources/general_text.json`` unless ``path`` names
    another file of the same shape (``{"passages": [{"text": ...}, ...]}``)."""
    import json
    from importlib import resources

    raw = path.read_text(encoding="utf-8") if path else (resources.files("assessqa.training") / "resources" / "general_text.json").read_text(encoding="utf-8")
    return [p["text"] for p in json.loads(raw)["passages"]]


def passage_sentences(texts: list[str], nlp: Language | None = None) -> list[list[str]]:
    """Each text's sentences as the general-text check reads them (own words, names masked), segmented by the
    scoring pipeline's segment stage."""
    return [[own_words(r) for r in unit_reprs(seg.units)] for seg in segment(nlp or build_pipeline(), texts, ["assessment"] * len(texts))]


def fit_general_text(parsed: list[ParsedDoc], cfg: dict[str, Any], passages: list[str] | None = None) -> tuple[Any, dict[str, Any]]:
    """The general text check (models/general_text.py) on the general passages against the training records'
    sentences; returns its TF-IDF + logistic pipeline (what is saved) and what meta.json records of it."""
    settings = cfg["general_text"]
    texts = passages if passages is not None else general_text_passages()
    general = [s for passage in passage_sentences(texts) for s in passage]
    records, groups, evidence = [], [], []
    for p in parsed:
        records.extend(own_words(r) for r in unit_reprs(p.units))
        groups.extend([p.doc.batch] * len(p.units))
        evidence.extend(p.cue_labels.any(axis=1).tolist())
    model = GeneralTextModel(C=settings["C"], evidence_budget=settings["evidence_budget"], seed=cfg["seed"])
    model.fit(general, records, groups, evidence)
    meta = {
        "threshold": round(model.threshold_, 6),
        "general_sentences": len(general),
        "record_sentences": len(records),
        "evidence_sentences": int(np.sum(evidence)),
        "evidence_taken_out_of_fold": model.evidence_taken_out_of_fold_,
        "records_taken_out_of_fold": model.records_taken_out_of_fold_,
    }
    return model.pipeline_, meta


def _fit_coherence(docs: list[AnnotatedDocument], cfg: dict[str, Any]) -> CoherenceModel:
    """Originals against locally disordered copies of each (never the probes' full salads): the copies take the
    kinds of disorder in turn, words shuffled (label 1) and sentences moved (label 2)."""
    settings = cfg["coherence"]
    rng = np.random.default_rng(cfg["seed"])
    texts = [d.text for d in docs]
    kinds = [DISORDER_KINDS[c % len(DISORDER_KINDS)] for c in range(settings["copies"])]
    disordered = [disorder(t, rng, kind) for kind in kinds for t in texts]
    labels = [1 + DISORDER_KINDS.index(kind) for kind in kinds for _ in texts]
    model = CoherenceModel(smoothing=settings["smoothing"], C=settings["C"], seed=cfg["seed"])
    originals = list(range(len(texts)))
    return model.fit(texts + disordered, [0] * len(texts) + labels, groups=originals * (1 + len(kinds)))
