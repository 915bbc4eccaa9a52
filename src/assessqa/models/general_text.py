"""Is a sentence general practice text, about families in general rather than this family? A learned check.

A record's own evidence is about the family it records; guidance, glossaries, audit questions, grade descriptors,
team values and escalation wording written for every family are not evidence of anything, however well they use the
words a grade model rewards. :mod:`assessqa.features.generic_text` takes a few shapes of such text by rule. This
check learns the register from examples: general text a blind writer wrote for training
(``training/resources/general_text.json``: many registers, naming no one) against every sentence of the training
records. It reads a sentence's own words with names masked (``features.sentences.own_words``), so a name or a
family member's role is evidence of a record, and "a child", "parents should" or "the local authority must" of
general text.

The threshold above which a sentence is taken is chosen when fitting, from the training records alone: the lowest
probability at which at most ``evidence_budget`` of their annotated evidence sentences, each scored by a check
fitted without its own batch of records, would be taken. A record's terse needs and conclusions also name no one,
and a grade model learns from them (training/README.md, "Passages about no one"), so the budget is what keeps them.
The cue stage then takes only runs of ``general_text.run`` such sentences in a row (``pipeline.tag_cues``): pasted
general text comes as a passage, a record's general-sounding sentence alone. On in the shipped configuration since
0.4.12 (training/README.md, "General text in runs, measured on the blind development texts").
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


class GeneralTextModel(ClassifierMixin, BaseEstimator):
    """``predict_proba(sentences)[:, 1]``: the probability that each sentence (own words, names masked) is general
    practice text; ``takes(sentences)``: those at or above the threshold chosen in :meth:`fit`.

    Args:
        C: inverse regularisation of the logistic regression.
        evidence_budget: the share of the training records' evidence sentences the threshold may take.
        folds: batches of records are split into this many groups to score each evidence sentence out of fold.
        seed: for the logistic regression.
    """

    def __init__(self, C: float = 1.0, evidence_budget: float = 0.002, folds: int = 5, seed: int = 0) -> None:
        self.C = C
        self.evidence_budget = evidence_budget
        self.folds = folds
        self.seed = seed

    def _pipeline(self) -> Pipeline:
        return Pipeline([
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)),
            ("lr", LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.seed)),
        ])

    def fit(
        self,
        general: Sequence[str],
        records: Sequence[str],
        groups: Sequence[str],
        evidence: Sequence[bool],
    ) -> "GeneralTextModel":
        """``general``: sentences of general text; ``records``: every sentence of the training records, with the
        batch each comes from (``groups``) and whether it is annotated evidence (``evidence``)."""
        general, records = list(general), list(records)
        groups, evidence = np.asarray(groups), np.asarray(evidence, dtype=bool)
        if not general or not records or len(groups) != len(records) or len(evidence) != len(records):
            raise ValueError("general sentences, and record sentences with their batch and evidence flag, are needed")
        if not evidence.any():
            raise ValueError("the threshold is chosen on annotated evidence sentences, and there are none")
        n_folds = min(self.folds, len(set(groups.tolist())))
        out_of_fold = np.zeros(len(records))
        # The general text is split across the folds too, so each fold's check has most of it.
        general_fold = np.arange(len(general)) % max(n_folds, 1)
        if n_folds >= 2:
            for k, (train_idx, test_idx) in enumerate(GroupKFold(n_splits=n_folds).split(records, groups=groups)):
                pos = [s for s, f in zip(general, general_fold) if f != k]
                neg = [records[i] for i in train_idx]
                model = self._pipeline().fit(pos + neg, np.r_[np.ones(len(pos), dtype=int), np.zeros(len(neg), dtype=int)])
                out_of_fold[test_idx] = model.predict_proba([records[i] for i in test_idx])[:, 1]
        self.pipeline_ = self._pipeline().fit(general + records, np.r_[np.ones(len(general), dtype=int), np.zeros(len(records), dtype=int)])
        scores = np.sort(out_of_fold[evidence])[::-1]
        allowed = int(np.floor(self.evidence_budget * len(scores)))
        # Strictly above the (allowed + 1)-th highest evidence score: at most `allowed` are taken.
        self.threshold_ = float(np.nextafter(scores[allowed], 1.0)) if allowed < len(scores) else 0.0
        self.evidence_taken_out_of_fold_ = int((out_of_fold[evidence] >= self.threshold_).sum())
        self.records_taken_out_of_fold_ = int((out_of_fold >= self.threshold_).sum())
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        if not len(sentences):
            return np.zeros((0, 2))
        return self.pipeline_.predict_proba(list(sentences))

    def predict(self, sentences: Sequence[str]) -> np.ndarray:
        return self.takes(sentences).astype(int)

    def takes(self, sentences: Sequence[str]) -> np.ndarray:
        """Whether each sentence is general text by the chosen threshold."""
        return self.predict_proba(sentences)[:, 1] >= self.threshold_


__all__ = ["GeneralTextModel"]
