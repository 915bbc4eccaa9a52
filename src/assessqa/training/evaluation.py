"""Held-out evaluation: grade agreement, action extraction, action flags, evidence and document type."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn.metrics import cohen_kappa_score, confusion_matrix, f1_score

from assessqa.features import span_overlap
from assessqa.schemas import ACTION_FLAGS, DIMENSION_CUES, DIMENSIONS, AnnotatedDocument
from assessqa.scoring import Scorer


def _kappa(gold: list[int], pred: list[int], weights: str | None = None) -> float | None:
    if len(gold) < 2:
        return None
    if len(set(gold) | set(pred)) < 2:
        return 1.0 if gold == pred else 0.0
    return float(cohen_kappa_score(gold, pred, weights=weights))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _suggestion_confusion(gold: list[int], pred: list[int]) -> dict[str, int]:
    """A suggestion is made when a flag is predicted false; it was needed when the annotated flag is false."""
    pairs = list(zip(gold, pred))
    return {
        "needed_and_made": sum(g == 0 and p == 0 for g, p in pairs),
        "needed_not_made": sum(g == 0 and p == 1 for g, p in pairs),
        "made_not_needed": sum(g == 1 and p == 0 for g, p in pairs),
        "not_needed_not_made": sum(g == 1 and p == 1 for g, p in pairs),
    }


def review_flag_figures(wrong: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    """How well review flags find the wrong grades: of the wrong grades, the share flagged; of all, the share flagged."""
    wrong, flagged = np.asarray(wrong, dtype=bool), np.asarray(flagged, dtype=bool)
    n_wrong = int(wrong.sum())
    return {
        "grades": int(len(wrong)),
        "wrong": n_wrong,
        "wrong_and_flagged": int((wrong & flagged).sum()),
        "flagged": int(flagged.sum()),
        "share_of_wrong_flagged": round(float((wrong & flagged).sum()) / n_wrong, 4) if n_wrong else None,
        "share_flagged": round(float(flagged.mean()), 4) if len(flagged) else None,
    }


def calibration_metrics(
    proba: np.ndarray, gold: np.ndarray, abstain_below: float, decided: np.ndarray | None = None
) -> dict[str, Any]:
    """ECE of the top grade's probability, and how coverage trades against accuracy when the grades the model
    gives (``decided``, 1-4; the most probable when not given) are left to a person below a confidence."""
    from assessqa.models.bundle import expected_calibration_error

    y_index = gold - 1
    given = proba.argmax(axis=1) if decided is None else np.asarray(decided) - 1
    conf = proba[np.arange(len(given)), given]
    correct = given == y_index
    curve = {}
    for threshold in (0.0, 0.4, 0.5, 0.6, 0.7, 0.8):
        kept = conf >= threshold
        curve[f"{threshold:.1f}"] = {
            "coverage": round(float(kept.mean()), 4),
            "exact": round(float(correct[kept].mean()), 4) if kept.any() else None,
        }
    kept = conf >= abstain_below
    floor_mean, floor_p95 = ece_noise_floor(proba)
    return {
        "ece": round(expected_calibration_error(proba, y_index), 4),
        "ece_if_perfectly_calibrated": {"mean": round(floor_mean, 4), "p95": round(floor_p95, 4)},
        "needs_review_share": round(float((~kept).mean()), 4),
        "exact_when_confident": round(float(correct[kept].mean()), 4) if kept.any() else None,
        "coverage_accuracy": curve,
    }


def ece_noise_floor(proba: np.ndarray, draws: int = 200, seed: int = 0) -> tuple[float, float]:
    """The ECE a perfectly calibrated model with these confidences would show on this many documents.

    Grades are drawn from the predicted probabilities themselves, so the model is calibrated by construction;
    whatever ECE remains is sampling noise. On 61 documents it is about 0.1, so a per-dimension ECE can only be
    read against this floor (mean and 95th percentile returned).
    """
    from assessqa.models.bundle import expected_calibration_error

    if not len(proba):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(proba / proba.sum(axis=1, keepdims=True), axis=1)
    values = []
    for _ in range(draws):
        drawn = (rng.random((len(proba), 1)) > cumulative).sum(axis=1).clip(max=proba.shape[1] - 1)
        values.append(expected_calibration_error(proba, drawn))
    return float(np.mean(values)), float(np.percentile(values, 95))


def grade_metrics(gold: list[int], pred: list[int]) -> dict[str, Any]:
    g = np.array(gold)
    p = np.array(pred)
    return {
        "n": len(gold),
        "qwk": None if len(gold) < 2 else round(_kappa(gold, pred, "quadratic"), 4),
        "exact": round(float((g == p).mean()), 4) if len(g) else None,
        "within_one": round(float((np.abs(g - p) <= 1).mean()), 4) if len(g) else None,
        "confusion": confusion_matrix(gold, pred, labels=[1, 2, 3, 4]).tolist() if len(g) else [],
    }


@dataclass
class Collected:
    """Raw held-out predictions beside their labels, so that folds can be pooled before any figure is computed
    (a QWK or ECE averaged over folds is not the QWK or ECE of the pooled grades)."""

    documents: int = 0
    gold_grades: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    pred_grades: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    probas: dict[str, list[list[float]]] = field(default_factory=lambda: defaultdict(list))
    extraction: dict[str, int] = field(default_factory=lambda: {"tp": 0, "fp": 0, "fn": 0})
    flag_gold: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    flag_pred: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[str, dict[str, int]] = field(default_factory=lambda: {dim: {"tp": 0, "fp": 0, "fn": 0} for dim in DIMENSIONS})
    doc_type_correct: int = 0

    def merge(self, other: "Collected") -> "Collected":
        self.documents += other.documents
        self.doc_type_correct += other.doc_type_correct
        for mine, theirs in ((self.gold_grades, other.gold_grades), (self.pred_grades, other.pred_grades),
                             (self.probas, other.probas), (self.flag_gold, other.flag_gold), (self.flag_pred, other.flag_pred)):
            for key, values in theirs.items():
                mine[key].extend(values)
        for key in self.extraction:
            self.extraction[key] += other.extraction[key]
        for dim, counts in other.evidence.items():
            for key in counts:
                self.evidence[dim][key] += counts[key]
        return self


def collect(scorer: Scorer, docs: list[AnnotatedDocument], progress: Callable[[], None] | None = None) -> Collected:
    """Score annotated documents (doc type given, as an auditor would know it) and keep predictions and labels."""
    out = Collected()
    for one in collect_each(scorer, docs, progress):
        out.merge(one)
    return out


def collect_each(
    scorer: Scorer, docs: list[AnnotatedDocument], progress: Callable[[], None] | None = None, chunk: int = 32
) -> list[Collected]:
    """:func:`collect` per document (scored in chunks through the batched pipeline), so that documents can be
    resampled for bootstrap intervals."""
    out = []
    for k in range(0, len(docs), chunk):
        part = docs[k : k + chunk]
        analyses = scorer.analyse_batch([d.text for d in part], [d.doc_type for d in part])
        detected = scorer.model.doc_type_probabilities([d.text for d in part])
        for doc, analysis, p_plan in zip(part, analyses, detected):
            out.append(_collect_one(scorer, doc, analysis, p_plan))
            if progress:
                progress()
    return out


def _collect_one(scorer: Scorer, doc: AnnotatedDocument, analysis, detected: float | None) -> Collected:
    out = Collected(documents=1)
    gold_grades, pred_grades, probas = out.gold_grades, out.pred_grades, out.probas
    extraction, flag_gold, flag_pred, evidence = out.extraction, out.flag_gold, out.flag_pred, out.evidence
    if detected is not None and (detected >= 0.5) == (doc.doc_type == "plan"):
        out.doc_type_correct += 1
    for dim, probs in analysis.grade_probs.items():
        gold_grades[dim].append(doc.grades[dim])
        pred_grades[dim].append(scorer.model.grade_from(probs))
        probas[dim].append([probs[g] for g in (1, 2, 3, 4)])
    # evidence: sentence-level agreement with the annotated spans of each dimension's cues
    for dim in analysis.grade_probs:
        threshold = scorer.model.evidence_threshold(dim)
        spans = [(s.start, s.end) for s in doc.spans if s.cue in DIMENSION_CUES[dim]]
        for i, unit in enumerate(analysis.units):
            is_gold = any(span_overlap(sp, (unit.start, unit.end)) >= 0.5 for sp in spans)
            is_pred = bool(analysis.evidence_probs[dim][i] >= threshold)
            key = "tp" if is_gold and is_pred else "fp" if is_pred else "fn" if is_gold else None
            if key:
                evidence[dim][key] += 1
    if doc.doc_type == "plan":
        pairs = match_actions([(a.start, a.end) for a in doc.actions], [(u.start, u.end) for u in analysis.actions])
        extraction["tp"] += len(pairs)
        extraction["fn"] += len(doc.actions) - len(pairs)
        extraction["fp"] += len(analysis.actions) - len(pairs)
        for i, hit in pairs:
            for k, flag in enumerate(ACTION_FLAGS):
                flag_gold[flag].append(int(doc.actions[i].flags[flag]))
                flag_pred[flag].append(int(analysis.flag_probs[hit, k] >= 0.5))
    return out


def match_actions(gold: list[tuple[int, int]], found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(gold index, found index) pairs: each annotated action, in order, takes the first found action not yet taken
    that overlaps it by half (:func:`~assessqa.features.span_overlap`)."""
    taken: set[int] = set()
    pairs = []
    for i, span in enumerate(gold):
        for j, other in enumerate(found):
            if j not in taken and span_overlap(span, other) >= 0.5:
                taken.add(j)
                pairs.append((i, j))
                break
    return pairs


def evaluate(
    scorer: Scorer, docs: list[AnnotatedDocument], progress: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Score annotated documents (doc type given, as an auditor would know it) and compare with the labels."""
    return summarise(collect(scorer, docs, progress), scorer.model.config["abstain_below"])


def summarise(collected: Collected, abstain_below: float) -> dict[str, Any]:
    """Every held-out figure from pooled predictions: grades, calibration, actions, flags, evidence, doc type."""
    gold_grades, pred_grades, probas = collected.gold_grades, collected.pred_grades, collected.probas
    extraction, flag_gold, flag_pred, evidence = collected.extraction, collected.flag_gold, collected.flag_pred, collected.evidence
    docs_count, doc_type_correct = collected.documents, collected.doc_type_correct
    tp, fp, fn = extraction["tp"], extraction["fp"], extraction["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    result: dict[str, Any] = {
        "documents": docs_count,
        "dimensions": {
            dim: {
                **grade_metrics(gold_grades[dim], pred_grades[dim]),
                **calibration_metrics(
                    np.array(probas[dim]), np.array(gold_grades[dim]), abstain_below, np.array(pred_grades[dim])
                ),
            }
            for dim in DIMENSIONS
            if gold_grades[dim]
        },
        "calibration_pooled": _pooled_calibration(probas, gold_grades),
        "actions": {
            "extraction": {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
                "gold": tp + fn,
                "predicted": tp + fp,
            },
            "flags": {
                flag: {
                    "n": len(flag_gold[flag]),
                    "kappa": _rounded(_kappa(flag_gold[flag], flag_pred[flag])),
                    "macro_f1": None
                    if not flag_gold[flag]
                    else round(float(f1_score(flag_gold[flag], flag_pred[flag], average="macro", zero_division=0)), 4),
                    "accuracy": None
                    if not flag_gold[flag]
                    else round(float(np.mean(np.array(flag_gold[flag]) == np.array(flag_pred[flag]))), 4),
                    "share_true": None if not flag_gold[flag] else round(float(np.mean(flag_gold[flag])), 4),
                    # Rows: annotated missing / present; columns: suggestion made / not made.
                    "suggestion_confusion": _suggestion_confusion(flag_gold[flag], flag_pred[flag]),
                }
                for flag in ACTION_FLAGS
            },
        },
        "evidence_sentence_f1": {
            dim: round(2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]), 4) if c["tp"] + c["fp"] + c["fn"] else None
            for dim, c in evidence.items()
            if gold_grades[dim]
        },
        "doc_type_accuracy": round(doc_type_correct / docs_count, 4) if docs_count else None,
    }
    return result


def _pooled_calibration(probas: dict[str, list[list[float]]], gold: dict[str, list[int]]) -> dict[str, Any] | None:
    """ECE over every held-out grade of every dimension together: six times the sample of one dimension."""
    from assessqa.models.bundle import expected_calibration_error

    dims = [d for d in DIMENSIONS if gold.get(d)]
    if not dims:
        return None
    proba = np.vstack([np.array(probas[d]) for d in dims])
    y_index = np.concatenate([np.array(gold[d]) - 1 for d in dims])
    floor_mean, floor_p95 = ece_noise_floor(proba)
    return {
        "n": int(len(y_index)),
        "ece": round(expected_calibration_error(proba, y_index), 4),
        "ece_if_perfectly_calibrated": {"mean": round(floor_mean, 4), "p95": round(floor_p95, 4)},
    }
