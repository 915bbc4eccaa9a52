"""Sentence vectors from static word-piece vectors distilled offline from MiniLM (``training/distill_static.py``):
numpy and a dictionary, no encoder. Read by the evidence tagger when a model is trained with
``cue_static_vectors`` (its vectors then travel in the model folder); ``training/static_vectors_dev.py`` measures them.

A sentence's vector is the direction of the sum (so of the mean) of its content words' piece vectors (stop words
and punctuation left out), each word cut into pieces as BERT's WordPiece cuts it (longest piece of the vocabulary first, ``##`` for the
rest), remembered per word. Accents are stripped and text lower-cased, as the uncased MiniLM reads it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from spacy.lang.en.stop_words import STOP_WORDS

from assessqa import errors

DEFAULT_DIR = Path("/tmp/assessqa-static")  # where training/distill_static.py writes by default
_WORD = re.compile(r"[a-z0-9]+")
_MAX_WORD = 100  # WordPiece leaves longer words unknown


class StaticVectors:
    """Word-piece vectors and their vocabulary."""

    def __init__(self, pieces: list[str], vectors: np.ndarray) -> None:
        if len(pieces) != len(vectors):
            raise errors.AssessQAError(errors.ErrorCode.MODEL_CORRUPT, "static vectors and their vocabulary do not have matching sizes")
        self.pieces = pieces
        self.vectors = np.asarray(vectors, dtype=np.float32)  # stored as float16; summed in float32
        self.index = {p: i for i, p in enumerate(pieces)}
        self._ids = lru_cache(maxsize=1 << 16)(self._word_ids)

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> "StaticVectors":
        try:
            meta = json.loads((directory / "static_vectors.json").read_text(encoding="utf-8"))
            vectors = load_file(str(directory / "static_vectors.safetensors"))["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            raise errors.AssessQAError(
                errors.ErrorCode.MODEL_MISSING, f"no static vectors in {directory}: run training/distill_static.py --out {directory}"
            ) from exc
        return cls(meta["vocabulary"], vectors)

    @classmethod
    def from_model_folder(cls, directory: Path) -> "StaticVectors | None":
        """The vectors a model folder's evidence tagger carries (its runtime twin), or None where it has none. Read
        from the files directly, not through the model loader, so that a model of another features version still
        lends its vectors to retraining."""
        try:
            parts = json.loads((directory / "runtime.json").read_text(encoding="utf-8"))["parts"]
            pieces = parts["cue_tagger"].get("static_pieces")
            if pieces is None:
                return None
            vectors = load_file(str(directory / "runtime.safetensors"))["cue_tagger/static_vectors"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(pieces, vectors)

    def _word_ids(self, word: str) -> tuple[int, ...]:
        if word in STOP_WORDS or len(word) > _MAX_WORD:
            return ()
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.index.get(piece)
                if found is not None:
                    ids.append(found)
                    break
                end -= 1
            else:
                return ()  # a word WordPiece cannot cut is unknown as a whole
            start = end
        return tuple(ids)

    def sentence_vectors(self, sentences: list[str]) -> np.ndarray:
        """One unit-length vector per sentence, the direction of its content words' piece vectors summed (zeros
        for a sentence with no known content word)."""
        out = np.zeros((len(sentences), self.vectors.shape[1]), dtype=np.float32)
        ids_of = self._ids
        ids: list[int] = []
        counts = np.zeros(len(sentences), dtype=np.int64)
        for k, sentence in enumerate(sentences):
            before = len(ids)
            for word in _WORD.findall(_plain(sentence)):
                ids.extend(ids_of(word))
            counts[k] = len(ids) - before
        if not ids:
            return out
        # One gather and one segmented sum for the whole batch: a numpy call per sentence cost more than the sums.
        found = counts > 0
        starts = (np.cumsum(counts) - counts)[found]
        sums = np.add.reduceat(self.vectors[np.asarray(ids)], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[found] = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        return out


def _plain(text: str) -> str:
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


__all__ = ["StaticVectors"]
