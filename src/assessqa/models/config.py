"""Typed, validated model configuration (what training reads) and model metadata (what ``meta.json`` holds).

A configuration override is merged into the defaults key by key, nested sections included, and then validated:
``{"cue_tagger": {"C": 2.0}}`` changes only the tagger's C, and a misspelt key is refused with its name rather
than silently ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assessqa import errors
from assessqa.features import EVIDENCE_FLOOR


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextModelConfig(_Strict):
    """A TF-IDF + logistic regression part."""

    C: float = Field(gt=0)
    ngram_max: int = Field(ge=1, le=3)
    min_df: int = Field(ge=1)


class RegularisedConfig(_Strict):
    C: float = Field(gt=0)


class EvidenceContextConfig(_Strict):
    max_iter: int = Field(ge=1)
    learning_rate: float = Field(gt=0, le=1)


class CoherenceConfig(_Strict):
    C: float = Field(gt=0)
    smoothing: float = Field(gt=0)
    copies: int = Field(ge=1)
    flag_above: float = Field(ge=0, le=1)
    # Where the position model's places start again part-way through a text (coherence_features.restart) at or above
    # this, and names change there too (segment.records.cut_between), a second record begins. None: not looked for.
    seam_above: float | None = Field(default=None, ge=0)


class GeneralTextConfig(_Strict):
    C: float = Field(1.0, gt=0)
    # The share of the training records' annotated evidence sentences the check's threshold may take.
    evidence_budget: float = Field(0.005, ge=0, lt=1)
    # Only sentences in a run of at least this many the check takes, one after another, get no cue: pasted general
    # text comes as a passage, while a record's own sentence that reads as general stands alone among its
    # neighbours (training/README.md, "General text in runs").
    run: int = Field(2, ge=1)


class ReviewRuleConfig(_Strict):
    """When a grade asks for review beyond the fixed reasons: a logistic model of the grade being wrong, fitted on
    leave-one-writer-out predictions (models/review.py, training/review_rule.py)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    # A grade whose probability of being wrong is at or above this asks for review.
    flag_above: float = Field(ge=0, le=1)
    # Whether the rule takes the place of the fixed probability floor (abstain_below): it reads the grade's
    # probability too, with what else is known, so the two together may spend the review budget twice.
    replaces_low_confidence: bool = False

    def model_post_init(self, __context: Any) -> None:
        from assessqa.models.review import REVIEW_FEATURES

        if not (len(self.features) == len(self.mean) == len(self.scale) == len(self.coef)):
            raise ValueError("review rule: features, mean, scale and coef must have the same length")
        unknown = set(self.features) - set(REVIEW_FEATURES)
        if unknown:
            raise ValueError(f"review rule: unknown features {sorted(unknown)}")


class ModelConfig(_Strict):
    """Every setting a trained model depends on; the defaults are those of the shipped model."""

    seed: int = 13
    cv_folds: int = Field(5, ge=2)
    cue_tagger: TextModelConfig = TextModelConfig(C=4.0, ngram_max=2, min_df=2)
    action_detector: TextModelConfig = TextModelConfig(C=4.0, ngram_max=2, min_df=2)
    # Chosen on the dev split (training/README.md): unigrams beat bigrams for every flag but relevant.
    action_flags: TextModelConfig = TextModelConfig(C=4.0, ngram_max=1, min_df=1)
    dimension: RegularisedConfig = RegularisedConfig(C=0.3)
    doc_type: RegularisedConfig = RegularisedConfig(C=4.0)
    # The action detector's cut, chosen by pooled F1 on leave-one-writer-out plans (training/action_threshold.py).
    action_threshold: float = Field(0.5, gt=0, lt=1)
    evidence_threshold: float = Field(0.5, gt=0, lt=1)
    # How a grade is read from its four probabilities; "median" (chosen on dev: QWK and exact agreement at least as
    # high as "argmax" in every dimension) never jumps across a middle grade when the model is torn between two.
    grade_rule: Literal["median", "argmax"] = "median"
    # How far grade probabilities move from the ordinal model's own (0) to the temperature fitted out of fold (1).
    # Chosen on dev by log-loss (training/README.md, "Calibration").
    temperature_shrink: float = Field(0.5, ge=0, le=1)
    # A further temperature per dimension, fitted on leave-one-writer-out predictions (training/review_rule.py):
    # the out-of-fold one above is fitted on the training batches, in style, and leaves writers the model never saw
    # graded more confidently than they are graded right. None: no further scaling.
    out_of_style_temperature: dict[str, float] | None = None
    # A grade whose calibrated probability is below this is flagged for human review.
    abstain_below: float = Field(0.5, ge=0, le=1)
    # Children's social care words per 100 words below which a text is treated as off-topic (corpus minimum: 2.8).
    min_domain_density: float = Field(2.0, ge=0)
    # Sentences whose every own-type cue probability is below this are left out of the grade features.
    evidence_floor: float = Field(EVIDENCE_FLOOR, ge=0, lt=1)
    # Buzzword-only sentences shown to the evidence tagger as carrying no evidence.
    buzzword_negatives: int = Field(200, ge=0)
    # Grade models also learn from a keyword-stuffed copy of every training document, with the same grades.
    stuffing_augmentation: bool = True
    # Half the stuffing (augmentation and the tagger's negatives) generic practice guidance rather than buzzwords,
    # and the stuffed copy's stuffing before the document as often as after it. Off: leaving each writer out it
    # raised no fewer grades under the development stuffing probes (training/README.md, "Stuffing of more kinds").
    stuffing_variety: bool = False
    # The evidence tagger also reads each sentence's static vector (features/static_vectors.py, distilled offline by
    # training/distill_static.py; read at training time from $ASSESSQA_STATIC_VECTORS, else from the shipped model,
    # and saved with the model). Tried leaving each writer out (training/README.md, "Static vectors in the evidence
    # tagger").
    cue_static_vectors: bool = False
    # Sentences that name no one and read as practice guidance or a list of terms (features/generic_text.py) get no
    # cue at all, so they count for no grade. Models saved before the setting read every sentence.
    ignore_generic_sentences: bool = True
    # Passages about no one too (three sentences in a row naming no one...). Off: leaving each writer out, risk
    # analysis and child focus fell (training/README.md, "Passages about no one").
    generic_passages: bool = False
    # A learned check for general practice text (models/general_text.py): sentences it takes, in runs, get no cue
    # either. Trained on a blind writer's general text (training/resources/general_text.json) against the training
    # records' sentences. On since 0.4.12: leaving each writer out, the blind guidance pasted in raised 13 grades
    # against 47 with no dimension lower by more than 0.005 (training/README.md, "General text in runs, measured on
    # the blind development texts"). None turns it off; models saved without it read every sentence.
    general_text: GeneralTextConfig | None = GeneralTextConfig()
    # Second-stage evidence scorer per dimension over the tagger's outputs in context (features.evidence_context);
    # chosen by grouped cross-validation on train+dev (training/README.md, "Evidence in context"). None: no scorer.
    evidence_context: EvidenceContextConfig | None = EvidenceContextConfig(max_iter=100, learning_rate=0.1)
    # Self-supervised check that the text reads as ordered sentences (models/coherence.py); at or above `flag_above`
    # every grade asks for review. The threshold was chosen leaving each writer out (training/coherence_dev.py), and
    # `seam_above` likewise (training/position_seams_dev.py, "seam_above"; a test holds the two equal).
    coherence: CoherenceConfig | None = CoherenceConfig(C=1.0, smoothing=0.1, copies=2, flag_above=0.88, seam_above=0.00947)
    # Grades that ask for review because they are likely wrong, learned out of style (models/review.py). None: only
    # the fixed reasons (thin, off-topic, disordered, probability below abstain_below).
    review: ReviewRuleConfig | None = None

    def model_post_init(self, __context: Any) -> None:
        from assessqa.schemas import DIMENSIONS

        for dim, temperature in (self.out_of_style_temperature or {}).items():
            if dim not in DIMENSIONS:
                raise ValueError(f"out_of_style_temperature: unknown dimension {dim!r}")
            if not 0.2 <= temperature <= 5.0:
                raise ValueError(f"out_of_style_temperature: {dim} must lie between 0.2 and 5")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_config(overrides: dict[str, Any] | None = None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The defaults (or ``base``) with ``overrides`` merged in, nested sections key by key, validated.

    Raises :class:`assessqa.errors.AnnotationError` (E303) naming the bad keys; never echoes values."""
    merged = _merge(base if base is not None else ModelConfig().model_dump(), overrides or {})
    try:
        return ModelConfig.model_validate(merged).model_dump()
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)]
        raise errors.bad_config("training configuration", problems) from None


class TrainingData(BaseModel):
    documents: int
    hash: str
    by_type: dict[str, int] = {}
    batches: list[str] = []


class ModelMeta(BaseModel):
    """The keys of ``meta.json`` that loading and scoring rely on; others (metrics, files, versions) pass through."""

    model_config = ConfigDict(extra="allow")

    format_version: int
    model_version: str
    features_version: int
    config: dict[str, Any]
    cue_columns: list[str]
    calibration: dict[str, dict[str, float]] = {}
    evidence_thresholds: dict[str, float] = {}
    files: dict[str, str]
    training_data: TrainingData | None = None


def check_meta(meta: dict[str, Any], where: str) -> None:
    """Refuse a meta.json that lacks what loading needs, naming the keys (E102)."""
    try:
        ModelMeta.model_validate(meta)
    except ValidationError as exc:
        keys = sorted({".".join(map(str, e["loc"])) for e in exc.errors(include_input=False)})
        raise errors.model_corrupt(where, "meta.json is missing or has malformed keys: " + ", ".join(keys)) from None
