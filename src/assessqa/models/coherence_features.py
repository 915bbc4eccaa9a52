"""What the coherence check reads of a text, with numpy alone: shared by the estimator that learns it
(:mod:`assessqa.models.coherence`, training) and its scoring twin (:mod:`assessqa.models.compiled`).

The statistics are described in :mod:`assessqa.models.coherence`. The pair features of the next-sentence model are
hashed exactly as scikit-learn's ``FeatureHasher(n_features=2**17, alternate_sign=False)`` hashes them (MurmurHash3,
tested against it), so a model fitted with scikit-learn scores the same here without importing it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

_TOKEN = re.compile(r"\n|[A-Za-z]+(?:'[a-z]+)?|\d+|[^\sA-Za-z\d]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|\n+")
_CONTENT = re.compile(r"[a-z]{4,}")
SHAPES = ("<lower>", "<Title>", "<UPPER>", "<digit>", "<nl>")
FEATURES = ("grammar_gain", "cohesion", "log_tokens", "log_sentences", "order", "order_contrast", "position")
PAIR_FEATURES = 2**17
_ENUMERATOR = re.compile(r"^\W{0,3}(?:([A-Za-z]+)\s+)?(\d{1,2})(?:[.):]|\s)")
_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")
_DIGIT = re.compile(r"\d")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")


def token_classes(text: str) -> list[str]:
    """Function words as themselves, every other token by its shape."""
    known = _CLASS_OF
    tokens = _TOKEN.findall(text)
    out = list(map(known.get, tokens))
    if None in out:  # most tokens are words seen before: look those up in C, classify only the new ones
        for i, cls in enumerate(out):
            if cls is None:
                token = tokens[i]
                cls = out[i] = _token_class(token)
                if len(known) < 50_000:  # a bound for long runs (a few MB); the common words are seen first
                    known[token] = cls
    return out


# Each token's class, remembered: most of a document's tokens are words seen many times before.
_CLASS_OF: dict[str, str] = {}


def _token_class(token: str) -> str:
    lower = token.lower()
    if token == "\n":
        return "<nl>"
    if lower in STOP_WORDS:
        return lower
    if token.isdigit():
        return "<digit>"
    if token.isalpha() or "'" in token:
        return "<UPPER>" if token.isupper() and len(token) > 1 else "<Title>" if token[0].isupper() else "<lower>"
    return token


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


class Seam:
    """What :func:`pair_features` reads of one sentence, computed once per sentence."""

    __slots__ = ("classes", "words", "stems", "names", "first", "heading", "enumerator", "dates", "quote_open",
                 "end", "start", "start2", "end2_column", "start2_column")

    def __init__(self, sentence: str) -> None:
        classes = self.classes = token_classes(sentence)
        # The parts of a seam that read one side only, joined (and their columns hashed) once per sentence.
        self.end, self.start = (classes[-1], classes[0]) if classes else ("", "")
        self.start2 = "_".join(classes[:2])
        self.end2_column = pair_feature_index(f"end2={'_'.join(classes[-2:])}")
        self.start2_column = pair_feature_index(f"start2={self.start2}")
        self.words = words = set(_CONTENT.findall(sentence.lower()))
        self.stems = {w[:5] for w in words}
        self.names = set(_CAPITALISED.findall(sentence))
        split = sentence.split()
        first = split[0].lower().strip(',:;"') if split else ""
        self.first = first if first in STOP_WORDS else (classes[0] if classes else "")
        # A heading: a short line without a closing full stop, quote or mark.
        self.heading = len(split) <= 8 and not sentence.rstrip().endswith((".", '"', "'", "?", "!"))
        match = _ENUMERATOR.match(sentence)
        self.enumerator = ((match.group(1) or "").lower(), int(match.group(2))) if match else None
        # Most sentences hold no digit, and looking for one is much cheaper than looking for a date.
        self.dates = [(int(y) % 100, int(m), int(d)) for d, m, y in _DATE.findall(sentence)] if _DIGIT.search(sentence) else []
        self.quote_open = sentence.count('"') % 2


def pair_features(a: str | Seam, b: str | Seam) -> list[str]:
    """What the seam between sentence ``a`` and the sentence ``b`` after it looks like, as strings to hash."""
    a = a if isinstance(a, Seam) else Seam(a)
    b = b if isinstance(b, Seam) else Seam(b)
    end, start = (a.classes[-1] if a.classes else ""), (b.classes[0] if b.classes else "")
    shared = len(a.words & b.words)
    features = [
        f"seam={end}|{start}",
        f"start2={'_'.join(b.classes[:2])}",
        f"end2={'_'.join(a.classes[-2:])}",
        f"seam2={end}|{'_'.join(b.classes[:2])}",
        f"heading={a.heading}{b.heading}",
        f"shared={min(3, shared)}",
        f"shared_stems={min(3, len(a.stems & b.stems))}",
        f"shared_names={min(2, len(a.names & b.names))}",
        f"first={b.first}|named_before={bool(a.names)}",
        f"first={b.first}|shared={min(2, shared)}",
        f"quotes_open={a.quote_open}{b.quote_open}",
    ]
    if a.enumerator and b.enumerator:
        (wa, na), (wb, nb) = a.enumerator, b.enumerator
        step = "next" if nb == na + 1 else "same" if nb == na else "back" if nb < na else "jump"
        features.append(f"numbered={step}|{wa == wb}")
    elif b.enumerator:
        features.append(f"numbered=starts|{b.enumerator[1] == 1}")
    elif a.enumerator:
        features.append("numbered=ends")
    if a.dates and b.dates:
        features.append(f"dates={'on' if b.dates[0] >= a.dates[-1] else 'back'}")
    return features


def pair_columns(a: Seam, b: Seam) -> list[int]:
    """The hashed columns of :func:`pair_features` (a, b), in its order: what scoring sums. Tested equal to
    hashing its strings; the one-sided parts come ready from each :class:`Seam`, and the two-sided ones from
    tables keyed by their parts (formatting a feature string costs more than finding its column)."""
    shared = len(a.words & b.words)
    named_before = bool(a.names)
    columns = [
        _two_sided(_SEAM_COLUMN, "seam=", a.end, b.start),
        b.start2_column,
        a.end2_column,
        _two_sided(_SEAM2_COLUMN, "seam2=", a.end, b.start2),
        _HEADING_COLUMN[a.heading, b.heading],
        _SHARED_COLUMN[min(3, shared)],
        _SHARED_STEMS_COLUMN[min(3, len(a.stems & b.stems))],
        _SHARED_NAMES_COLUMN[min(2, len(a.names & b.names))],
        _two_sided(_FIRST_NAMED_COLUMN, "first=", b.first, "named_before=True" if named_before else "named_before=False"),
        _two_sided(_FIRST_SHARED_COLUMN, "first=", b.first, _SHARED_UP_TO_2[min(2, shared)]),
        _QUOTES_COLUMN[a.quote_open, b.quote_open],
    ]
    if a.enumerator or b.enumerator or (a.dates and b.dates):
        columns += [pair_feature_index(f) for f in pair_features(a, b)[11:]]
    return columns


def _two_sided(table: dict[tuple[str, str], int], prefix: str, left: str, right: str) -> int:
    """The column of ``f"{prefix}{left}|{right}"``, remembered by its parts."""
    column = table.get((left, right))
    if column is None:
        column = pair_feature_index(f"{prefix}{left}|{right}")
        if len(table) < 1 << 16:  # bounded, as pair_feature_index's own cache is
            table[left, right] = column
    return column


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 (x86, 32-bit), signed, as scikit-learn's ``murmurhash3_32`` returns it."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    body = len(data) // 4 * 4
    for i in range(0, body, 4):
        k = (int.from_bytes(data[i : i + 4], "little") * c1) & mask
        k = (((k << 15) | (k >> 17)) & mask) * c2 & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[body:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & mask
        k = (((k << 15) | (k >> 17)) & mask) * c2 & mask
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


@lru_cache(maxsize=1 << 16)
def pair_feature_index(feature: str) -> int:
    """The column ``FeatureHasher(n_features=PAIR_FEATURES, input_type="string")`` puts ``feature`` in. The same
    few thousand seam strings recur in every document, so the pure-Python hash runs once for each."""
    return abs(murmurhash3_32(feature.encode("utf-8"))) % PAIR_FEATURES


# The columns of the two-sided seam features whose parts take few values, hashed once.
_HEADING_COLUMN = {(x, y): pair_feature_index(f"heading={x}{y}") for x in (False, True) for y in (False, True)}
_SHARED_COLUMN = [pair_feature_index(f"shared={k}") for k in range(4)]
_SHARED_STEMS_COLUMN = [pair_feature_index(f"shared_stems={k}") for k in range(4)]
_SHARED_NAMES_COLUMN = [pair_feature_index(f"shared_names={k}") for k in range(3)]
_QUOTES_COLUMN = {(x, y): pair_feature_index(f"quotes_open={x}{y}") for x in (0, 1) for y in (0, 1)}
_SHARED_UP_TO_2 = [f"shared={k}" for k in range(3)]
_SEAM_COLUMN: dict[tuple[str, str], int] = {}
_SEAM2_COLUMN: dict[tuple[str, str], int] = {}
_FIRST_NAMED_COLUMN: dict[tuple[str, str], int] = {}
_FIRST_SHARED_COLUMN: dict[tuple[str, str], int] = {}


@dataclass
class ClassNgrams:
    """The class n-gram counts behind ``grammar_gain``: sorted integer keys and their counts."""

    vocab: list[str]
    unigram_counts: np.ndarray
    bigram_keys: np.ndarray
    bigram_counts: np.ndarray
    trigram_keys: np.ndarray
    trigram_counts: np.ndarray
    smoothing: float

    def __post_init__(self) -> None:
        self.index = {c: i for i, c in enumerate(self.vocab)}
        self._total = float(self.unigram_counts.sum())

    def codes(self, text: str) -> np.ndarray:
        unknown = len(self.vocab)
        return np.array([self.index.get(c, unknown) for c in token_classes(text)], dtype=np.int64)

    def grammar_gain(self, codes: np.ndarray) -> float:
        if len(codes) < 3:
            return 0.0
        size = len(self.vocab) + 1
        k = self.smoothing
        context = codes[:-2] * size + codes[1:-1]
        tri = context * size + codes[2:]
        p_tri = (_lookup(self.trigram_keys, self.trigram_counts, tri) + k) / (
            _lookup(self.bigram_keys, self.bigram_counts, context) + k * size
        )
        p_uni = (self.unigram_counts[codes[2:]] + k) / (self._total + k * size)
        return float(np.mean(np.log(p_tri) - np.log(p_uni)))


def _lookup(keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    at = np.searchsorted(keys, wanted)
    at = np.minimum(at, len(keys) - 1)
    return np.where(keys[at] == wanted, counts[at], 0)


def cohesion(parts: list[str] | list[Seam]) -> float:
    """How much more content words adjacent sentences share than random pairs of the same document's sentences."""
    bags = [p.words if isinstance(p, Seam) else set(_CONTENT.findall(p.lower())) for p in parts]
    bags = [b for b in bags if b]
    if len(bags) < 3:
        return 0.0

    def overlap(a: set[str], b: set[str]) -> float:
        shared = len(a & b)
        return shared / (len(a) + len(b) - shared)  # the size of a | b, without building it

    adjacent = np.mean([overlap(a, b) for a, b in zip(bags, bags[1:])])
    rng = np.random.default_rng(len(bags))
    pairs = rng.integers(0, len(bags), size=(min(200, len(bags) * 4), 2))
    anywhere = np.mean([overlap(bags[i], bags[j]) for i, j in pairs if i != j] or [0.0])
    return float(adjacent - anywhere)


def _seam_odds(seams: list[Seam], pairs: list[tuple[int, int]], pair_weights: np.ndarray, pair_bias: float) -> np.ndarray:
    """The next-sentence model's log-odds that ``seams[j]`` follows ``seams[i]``, for each pair (i, j)."""
    columns = [pair_columns(seams[i], seams[j]) for i, j in pairs]
    starts = np.cumsum([0] + [len(c) for c in columns[:-1]])
    return pair_bias + np.add.reduceat(pair_weights[np.concatenate(columns)], starts)


def random_pairs(n: int) -> list[tuple[int, int]]:
    """Up to ``n - 1`` pairs of sentence indices drawn at random, never a pair that is adjacent in the text (i, i + 1)
    or a sentence with itself: what adjacent pairs are contrasted with. Seeded by ``n``, so a text always gets the
    same pairs."""
    rng = np.random.default_rng(n)
    drawn = rng.integers(0, n, size=(2 * (n - 1), 2))
    return [(int(i), int(j)) for i, j in drawn if i != j and j != i + 1][: n - 1]


def order(parts: list[str] | list[Seam], pair_weights: np.ndarray, pair_bias: float) -> tuple[float, float]:
    """Next-sentence evidence, twice: summed (mean log-odds over adjacent pairs times the square root of their
    number), and contrasted with the same document's sentences paired at random (a Welch t statistic of adjacent
    against random pairs).

    The summed evidence moves with a house style (lists and form lines have weaker seams than prose, in any order);
    the contrast asks only whether this text's order beats a shuffle of its own sentences, which a text in any
    style does and a shuffled one does not."""
    if len(parts) < 2:
        return 0.0, 0.0
    seams = [p if isinstance(p, Seam) else Seam(p) for p in parts]
    n = len(seams)
    adjacent = _seam_odds(seams, [(i, i + 1) for i in range(n - 1)], pair_weights, pair_bias)
    summed = float(np.mean(adjacent) * math.sqrt(len(adjacent)))
    if n < 4:
        return summed, 0.0
    pairs = random_pairs(n)
    if len(pairs) < 2:
        return summed, 0.0
    anywhere = _seam_odds(seams, pairs, pair_weights, pair_bias)
    spread = math.sqrt(np.var(adjacent, ddof=1) / len(adjacent) + np.var(anywhere, ddof=1) / len(anywhere))
    return summed, float((np.mean(adjacent) - np.mean(anywhere)) / max(spread, 1e-6))


def read_sentences(text: str) -> tuple[list[Seam], list[str]]:
    """The text's sentences (as :func:`sentences` splits them) read once each, and the token classes of the whole
    text assembled from theirs: a split only ever falls on whitespace, and the only whitespace that is a token is
    a line break, so the text's classes are its sentences' classes with ``<nl>`` for each line break between them
    (tested equal to :func:`token_classes` of the text)."""
    seams: list[Seam] = []
    classes: list[str] = []
    at = 0
    for match in _SENTENCE_END.finditer(text):
        _read_piece(text[at : match.start()], seams, classes)
        classes.extend(["<nl>"] * match.group().count("\n"))
        at = match.end()
    _read_piece(text[at:], seams, classes)
    return seams, classes


def _read_piece(piece: str, seams: list[Seam], classes: list[str]) -> None:
    sentence = piece.strip()
    if sentence:
        seam = Seam(sentence)
        seams.append(seam)
        classes.extend(seam.classes)


def position_order(predicted: np.ndarray) -> float:
    """How well a document's sentences sit where sentences like them sit in ordered records: the correlation between
    each sentence's predicted place (0 first, 1 last; the check's position model) and its real order. Prose in
    any house style keeps the reason for the work early and the plan late; a salad scatters them (near 0). Zero
    for fewer than four sentences, or predictions that do not vary."""
    n = len(predicted)
    if n < 4:
        return 0.0
    centred = predicted - predicted.mean()
    spread = float(np.sqrt(centred @ centred))
    if spread < 1e-12:
        return 0.0
    steps = np.arange(n, dtype=float) - (n - 1) / 2.0
    return float(centred @ steps / (spread * float(np.sqrt(steps @ steps))))


def sentence_starts(text: str) -> list[int]:
    """Where each of :func:`sentences`' sentences begins in ``text`` (a character offset), in the same order."""
    out, pos = [], 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = len(text) if match is None else match.start()
        piece = text[pos:end]
        stripped = piece.lstrip()
        if stripped.strip():
            out.append(end - len(stripped))
        if match is not None:
            pos = match.end()
    return out


# Each side of a restart holds at least this many sentences: fewer fit any two points with a line.
RESTART_SIDE = 4


def restart(predicted: np.ndarray, side: int = RESTART_SIDE) -> tuple[float, int | None]:
    """Whether a text's predicted places (the position model's, 0 first and 1 last) start again part-way through, as
    when a second record follows the first: how much less squared error two straight lines leave, split before the
    best sentence, than one line does, per sentence; and that sentence's index. (0, None) for a text too short to
    split with ``side`` sentences each side. A record read as written climbs once; two records climb twice."""
    y = np.asarray(predicted, dtype=float)
    n = len(y)
    if n < 2 * side:
        return 0.0, None
    x = np.arange(n, dtype=float)
    # Least-squares residuals of a line through each prefix and each suffix, from running sums.
    sums = [np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones(n), x, y, x * x, x * y, y * y)]
    j = np.arange(side, n - side + 1)

    def sse(lo: np.ndarray | int, hi: np.ndarray | int) -> np.ndarray:
        k, sx, sy, sxx, sxy, syy = (s[hi] - s[lo] for s in sums)
        vx = sxx - sx * sx / k
        cxy = sxy - sx * sy / k
        vy = syy - sy * sy / k
        return np.maximum(vy - np.where(vx > 0, cxy * cxy / np.where(vx > 0, vx, 1.0), 0.0), 0.0)

    gains = sse(0, n) - sse(0, j) - sse(j, n)
    best = int(np.argmax(gains))
    return max(0.0, float(gains[best])) / n, int(j[best])


class PlaceMemo:
    """A position model's predictions (:func:`restart_windows`, the ``position`` feature) remembered by sentence for
    one batch: stage 0 reads a text's places before the coherence check reads them again, and the model's text
    features cost more than a lookup."""

    def __init__(self, position: Callable[[list[str]], np.ndarray]) -> None:
        self.position = position
        self.known: dict[str, float] = {}

    def __call__(self, sentences_: list[str]) -> np.ndarray:
        known = self.known
        new = list(dict.fromkeys(s for s in sentences_ if s not in known))
        if new:
            known.update(zip(new, np.asarray(self.position(new), dtype=float).tolist()))
        return np.fromiter((known[s] for s in sentences_), dtype=float, count=len(sentences_))


def restart_windows(
    texts: list[str], position: Callable[[list[str]], np.ndarray], reach: int = 3, at_least: float | None = None
) -> list[tuple[float, int, int] | None]:
    """Per text, :func:`restart`'s statistic and the stretch of text where the second climb may begin (from the start
    of the sentence ``reach`` before the best split to the start of the one ``reach`` after it: a record's title
    lines and closing lines blur where the places turn), or None for a text too short to read or, given
    ``at_least``, whose statistic is below it (most texts: their sentences are not located). ``position`` is called
    once for the batch."""
    split = [sentences(t) for t in texts]
    every = [s for parts in split if len(parts) >= 2 * RESTART_SIDE for s in parts]
    places = np.asarray(position(every), dtype=float) if every else np.zeros(0)
    out: list[tuple[float, int, int] | None] = []
    at = 0
    for text, parts in zip(texts, split):
        if len(parts) < 2 * RESTART_SIDE:
            out.append(None)
            continue
        statistic, j = restart(places[at : at + len(parts)])
        at += len(parts)
        if at_least is not None and statistic < at_least:
            out.append(None)
            continue
        starts = sentence_starts(text)
        out.append((statistic, starts[max(0, j - reach)], starts[min(len(starts) - 1, j + reach)]))
    return out


def coherence_features(
    texts: list[str],
    counts: ClassNgrams,
    pair_weights: np.ndarray | None,
    pair_bias: float,
    position: Callable[[list[str]], np.ndarray] | None = None,
) -> np.ndarray:
    """Rows of :data:`FEATURES` (without the ``order`` pair for a check saved before the next-sentence model existed,
    and without ``position`` for one saved before the position model). ``position`` predicts each sentence's place
    in its document; it is called once for every sentence of ``texts``."""
    unknown = len(counts.vocab)
    if position is not None:
        # The same sentences read_sentences reads (tested), split apart first so that the position model is called
        # once per batch while each text's seams are built, used and dropped in turn: holding every seam of a batch
        # at once cost more in memory traffic than the call saves.
        every = [sentence for text in texts for sentence in sentences(text)]
        places = np.asarray(position(every), dtype=float) if every else np.zeros(0)
    rows, at = [], 0
    for text in texts:
        seams, classes = read_sentences(text)
        codes = np.array([counts.index.get(c, unknown) for c in classes], dtype=np.int64)
        row = [counts.grammar_gain(codes), cohesion(seams), math.log1p(len(codes)), math.log1p(len(seams))]
        if pair_weights is not None:
            row += list(order(seams, pair_weights, pair_bias))
        if position is not None:
            row.append(position_order(places[at : at + len(seams)]))
            at += len(seams)
        rows.append(row)
    return np.array(rows, dtype=float)
