"""Measure a fine-tuned MiniLM as the sentence evidence ("cue") tagger against the shipped sparse tagger (dev only).

Four taggers are scored on the dev split with the sentence-level evidence F1 of ``assessqa.training.evaluation.evaluate``:

  sparse       the shipped TF-IDF + one-vs-rest logistic regression, fitted exactly as ``train_model`` does
  transformer  all-MiniLM-L6-v2 (the packaged local weights) fine-tuned end to end with a linear multi-label head
  cascade      sparse probabilities where the sparse tagger is confident, the transformer's elsewhere
  average      the mean of the sparse and transformer probabilities

The ``test`` split is never read. Fine-tuned weights are not saved. Figures are written between markers in
``training/FINETUNE.md``, so the hand-written reading around them survives a rerun.

Usage:
    python training/finetune_cue_tagger.py [--epochs 2] [--train-budget-min 24] [--out training/FINETUNE.md]

Expected run time: about 15 minutes on one thread of a 2-core AMD EPYC (14 of them fine-tuning 2 epochs), and
never much over 25. The script times a few training batches first and drops to one epoch, then to a subsample of
the no-evidence sentences, when the requested epochs would not fit ``--train-budget-min``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

# The Rust tokenizer would otherwise start its own thread pool and take the core left free for other work.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup  # noqa: E402

from assessqa.training.annotations import load_corpus, load_splits, split_documents  # noqa: E402
from assessqa.features import SentenceUnit, mask_names  # noqa: E402
from assessqa.models.bundle import DEFAULT_CONFIG  # noqa: E402
from assessqa.training.encoder import packaged_minilm_dir  # noqa: E402
from assessqa.training.fit import (  # noqa: E402
    _BUZZ_OPENERS,
    _BUZZ_TERMS,
    ParsedDoc,
    fold_cue_stage,
    fit_cue_tagger,
    buzzword_negatives,
    parse_documents,
)
from assessqa.schemas import CUES, DIMENSION_CUES, DIMENSIONS, DIMENSIONS_BY_TYPE  # noqa: E402

MARK_START = "<!-- finetune-figures:start (written by training/finetune_cue_tagger.py; do not edit by hand) -->"
MARK_END = "<!-- finetune-figures:end -->"
BANDS: tuple[tuple[float, float], ...] = ((0.3, 0.7), (0.2, 0.8), (0.1, 0.9))


# ------------------------------------------------------------------ inputs


def tagger_text(unit: SentenceUnit) -> str:
    """What the transformer reads for one sentence: its section category, then the text with names masked.

    Example: ``"[child_views] __child__ said she likes living with her nan."``
    """
    return f"[{unit.category or 'none'}] " + mask_names(unit.text, list(unit.names))


def buzzword_units(n: int, seed: int) -> list[SentenceUnit]:
    """The buzzword-only negatives of ``buzzword_negatives`` as sentence units rather than sparse reprs.

    The random draws repeat ``buzzword_negatives`` call for call, so for the training seed the transformer
    sees the very sentences the sparse tagger is shown (``main`` checks this).
    """
    rng = np.random.default_rng(seed)
    units = []
    for _ in range(n):
        terms = rng.choice(_BUZZ_TERMS, size=int(rng.integers(1, 4)), replace=False)
        category = rng.choice(["analysis", "daily_life", "child_views", "risk", "plan", "family_history", "none"])
        sentence = f"{rng.choice(_BUZZ_OPENERS)} {', '.join(terms[:-1]) + ' and ' if len(terms) > 1 else ''}{terms[-1]}."
        units.append(SentenceUnit(0, len(sentence), sentence, None if category == "none" else str(category)))
    return units


def length_bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of indices whose members have similar token lengths.

    On a CPU the cost of a batch is its padded token count; sorting within shuffled pools of 50 batches cuts the
    padding by about half while keeping the batch order random.
    """
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def pad_batch(ids: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, x in enumerate(ids):
        input_ids[i, : len(x)] = torch.tensor(x)
        mask[i, : len(x)] = 1
    return {"input_ids": input_ids, "attention_mask": mask}


# ------------------------------------------------------------------ model


class CueTagger(torch.nn.Module):
    """MiniLM encoder, mean pooling over real tokens, one linear logit per cue.

    Args:
        model_dir: a local Hugging Face model directory (never fetched from a hub).
        prior: share of positive sentences per cue; the head's bias starts at its log-odds so the first
            steps are not spent learning that most sentences carry no evidence.
    """

    def __init__(self, model_dir: Path, prior: np.ndarray) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(model_dir, local_files_only=True, use_safetensors=True)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(prior))
        p = np.clip(prior, 1e-4, 1 - 1e-4)
        with torch.no_grad():
            self.head.bias.copy_(torch.tensor(np.log(p / (1 - p)), dtype=torch.float32))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return self.head(pooled)


def make_optimizer(model: CueTagger, args: argparse.Namespace, total_steps: int):
    # The head starts from scratch and needs a larger step than the pretrained encoder it sits on.
    groups = [
        {"params": model.encoder.parameters(), "lr": args.lr},
        {"params": model.head.parameters(), "lr": args.head_lr},
    ]
    optimizer = torch.optim.AdamW(groups, weight_decay=0.01)
    scheduler = get_linear_schedule_with_warmup(optimizer, max(1, int(0.06 * total_steps)), total_steps)
    return optimizer, scheduler


def train_step(model, optimizer, scheduler, loss_fn, batch, targets) -> float:
    loss = loss_fn(model(**batch), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    return float(loss.detach())


def probe_seconds_per_token(model_dir, prior, ids, Y, batches, pad_id, loss_fn, args) -> float:
    """Seconds per padded token of one training step, timed on a throw-away copy of the model.

    A copy, so that the real run starts from the pretrained weights with a schedule sized for the chosen plan.
    """
    torch.manual_seed(args.seed)
    model = CueTagger(model_dir, prior).train()
    optimizer, scheduler = make_optimizer(model, args, 100)
    seconds = tokens = 0.0
    for k, idx in enumerate(batches[: args.probe_batches + 1]):
        batch = pad_batch([ids[i] for i in idx], pad_id)
        start = time.perf_counter()
        train_step(model, optimizer, scheduler, loss_fn, batch, torch.tensor(Y[idx], dtype=torch.float32))
        if k:  # the first step pays for allocator warm-up
            seconds += time.perf_counter() - start
            tokens += batch["input_ids"].numel()
    return seconds / tokens


def padded_tokens(ids: list[list[int]], batches: list[np.ndarray]) -> int:
    return sum(len(b) * max(len(ids[i]) for i in b) for b in batches)


def predict(model: CueTagger, tokenizer, documents: list[list[SentenceUnit]], max_length: int) -> tuple[list[np.ndarray], float]:
    """Per document, a sentences x cues probability matrix; and the seconds spent.

    Each document is scored on its own, as a scoring service would, in batches of 16 sentences of similar length
    (padding to the document's longest sentence would double the cost on a CPU).
    """
    model.eval()
    out = []
    start = time.perf_counter()
    with torch.inference_mode():
        for units in documents:
            texts = [tagger_text(u) for u in units]
            order = np.argsort([len(t) for t in texts], kind="stable")
            probs = np.zeros((len(units), len(CUES)))
            for s in range(0, len(order), 16):
                idx = order[s : s + 16]
                tokens = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                                   return_tensors="pt")
                probs[idx] = torch.sigmoid(model(tokens["input_ids"], tokens["attention_mask"])).numpy()
            out.append(probs)
    return out, time.perf_counter() - start


# ------------------------------------------------------------------ evaluation


def evidence_counts(parsed: list[ParsedDoc], probs: list[np.ndarray], threshold: float) -> np.ndarray:
    """tp/fp/fn per document and dimension (documents x dimensions x 3), as ``evaluate`` counts them.

    A sentence is predicted evidence for a dimension when its highest probability over the dimension's cues reaches
    the threshold, and gold when it overlaps an annotated span of one of those cues. Dimensions that do not apply
    to the document's type count nothing.
    """
    counts = np.zeros((len(parsed), len(DIMENSIONS), 3), dtype=int)
    for d, (p, prob) in enumerate(zip(parsed, probs)):
        for dim in DIMENSIONS_BY_TYPE[p.doc.doc_type]:
            cols = [CUES.index(c) for c in DIMENSION_CUES[dim]]
            gold = p.cue_labels[:, cols].any(axis=1)
            pred = prob[:, cols].max(axis=1) >= threshold if len(prob) else np.zeros(0, dtype=bool)
            counts[d, DIMENSIONS.index(dim)] = [(gold & pred).sum(), (~gold & pred).sum(), (gold & ~pred).sum()]
    return counts


def f1(c: np.ndarray) -> float:
    """F1 from summed (tp, fp, fn); nan when there is nothing to count."""
    tp, fp, fn = c
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")


def f1_table(counts: np.ndarray) -> dict[str, float]:
    table = {dim: f1(counts[:, j].sum(axis=0)) for j, dim in enumerate(DIMENSIONS)}
    table["all (micro)"] = f1(counts.sum(axis=(0, 1)))
    return table


def paired_bootstrap(base: np.ndarray, other: np.ndarray, n: int, seed: int) -> dict[str, tuple[float, float, float]]:
    """F1 difference (other - base) per dimension with a 95% interval from resampling dev documents.

    Paired: both taggers are scored on the same resampled documents, so document difficulty cancels out.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for j, dim in enumerate(DIMENSIONS):
        docs = np.flatnonzero(base[:, j].sum(axis=1) + other[:, j].sum(axis=1) > 0)
        point = f1(other[docs, j].sum(axis=0)) - f1(base[docs, j].sum(axis=0))
        diffs = []
        for _ in range(n):
            idx = rng.choice(docs, len(docs))
            diffs.append(f1(other[idx, j].sum(axis=0)) - f1(base[idx, j].sum(axis=0)))
        out[dim] = (point, float(np.nanpercentile(diffs, 2.5)), float(np.nanpercentile(diffs, 97.5)))
    return out


def best_threshold(parsed: list[ParsedDoc], probs: list[np.ndarray]) -> dict[str, tuple[float, float]]:
    """Per dimension, the threshold with the highest dev F1 and that F1 (optimistic: chosen on dev itself)."""
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    tables = [f1_table(evidence_counts(parsed, probs, t)) for t in grid]
    out = {}
    for dim in [*DIMENSIONS, "all (micro)"]:
        scores = [t[dim] for t in tables]
        k = int(np.nanargmax(scores))
        out[dim] = (float(grid[k]), scores[k])
    return out


def cascade(parsed: list[ParsedDoc], sparse: list[np.ndarray], dense: list[np.ndarray], lo: float, hi: float):
    """Sparse probabilities where p <= lo or p >= hi, transformer probabilities for the cues in between.

    A sentence goes to the transformer when any cue its document type uses is in the band; returns the combined
    probabilities and the share of dev sentences sent.
    """
    combined = []
    sent = total = 0
    for p, s, d in zip(parsed, sparse, dense):
        cols = sorted({CUES.index(c) for dim in DIMENSIONS_BY_TYPE[p.doc.doc_type] for c in DIMENSION_CUES[dim]})
        unsure = np.zeros_like(s, dtype=bool)
        unsure[:, cols] = (s[:, cols] > lo) & (s[:, cols] < hi)
        combined.append(np.where(unsure, d, s))
        sent += int(unsure.any(axis=1).sum())
        total += len(s)
    return combined, sent / total


# ------------------------------------------------------------------ report


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def render(r: dict[str, Any]) -> str:
    methods = list(r["f1"])
    lines = [
        MARK_START,
        "",
        f"Run {r['finished']}: `{r['command']}`  ",
        f"Machine: {r['machine']}; torch {r['torch']}, transformers {r['transformers']}, "
        f"{r['threads']} torch thread. Whole script: {r['script_minutes']:.1f} min.",
        "",
        f"- Data: train {r['train_docs']} documents / {r['train_sentences']} sentences "
        f"(+{r['buzzword_negatives']} buzzword-only negatives, the same sentences the sparse tagger gets); "
        f"dev {r['dev_docs']} documents / {r['dev_sentences']} sentences. `test` not used.",
        f"- Transformer: packaged all-MiniLM-L6-v2, mean pooling, linear head over the {len(CUES)} cues, "
        f"BCE with pos_weight sqrt(neg/pos) clipped to [1, 10]; AdamW lr {r['lr']:g} (head {r['head_lr']:g}), "
        f"6% warm-up then linear decay, batch {r['batch_size']}, max_length {r['max_length']}, seed {r['seed']}, "
        "length-bucketed batches. Input: `[section category] ` + sentence with names masked.",
        f"- Plan: {r['plan']}",
        f"- **Fine-tuning time: {r['train_minutes']:.1f} min** ({r['epochs']} epoch(s), {r['steps']} steps, "
        f"{r['train_examples']} sentences per epoch). Sparse tagger fit: {r['sparse_fit_s']:.1f} s.",
        f"- Inference on 1 thread: transformer {r['dense_ms_per_sentence']:.1f} ms per sentence (each document on its "
        f"own, length-sorted batches of 16); sparse tagger {r['sparse_ms_per_sentence']:.2f} ms per sentence.",
        "",
        f"Sentence-level evidence F1 on dev at threshold {r['threshold']} (computed as in `evaluate()`):",
        "",
        "| dimension | gold sentences | " + " | ".join(methods) + " |",
        "|---|---:|" + "---:|" * len(methods),
    ]
    for dim in [*DIMENSIONS, "all (micro)"]:
        cells = " | ".join(fmt(r["f1"][m][dim]) for m in methods)
        lines.append(f"| {dim} | {r['gold'][dim]} | {cells} |")
    shares = " | ".join(f"{100 * r['share'][m]:.0f}%" if m in r["share"] else "" for m in methods)
    lines.append(f"| *sentences run through the transformer* | | {shares} |")
    lines.append("| *transformer docs/s, 45-sentence document, 1 thread* | | "
                 + " | ".join(f"{r['docs_per_s'][m]:.1f}" if m in r["docs_per_s"] else "" for m in methods) + " |")
    lines += [
        "",
        "Difference from the sparse tagger, with a 95% paired bootstrap interval over dev documents "
        f"({r['bootstrap']} resamples):",
        "",
        "| dimension | " + " | ".join(m for m in methods if m != "sparse") + " |",
        "|---|" + "---:|" * (len(methods) - 1),
    ]
    for dim in DIMENSIONS:
        cells = []
        for m in methods:
            if m != "sparse":
                point, low, high = r["diff"][m][dim]
                cells.append(f"{point:+.3f} [{low:+.3f}, {high:+.3f}]")
        lines.append(f"| {dim} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Diagnostic only (optimistic: threshold picked on dev itself), best F1 and its threshold:",
        "",
        "| dimension | sparse | transformer |",
        "|---|---:|---:|",
    ]
    for dim in [*DIMENSIONS, "all (micro)"]:
        (ts, fs), (td, fd) = r["best_threshold"]["sparse"][dim], r["best_threshold"]["transformer"][dim]
        lines.append(f"| {dim} | {fmt(fs)} @ {ts:.2f} | {fmt(fd)} @ {td:.2f} |")
    lines += [
        "",
        f"Keyword-stuffing check: of {r['buzz_heldout']} buzzword-only sentences drawn with another seed "
        f"(near-duplicates of the training negatives, so a sanity check only), the sparse tagger marks "
        f"{r['buzz_flagged']['sparse']} and the transformer {r['buzz_flagged']['transformer']} as evidence for any cue.",
        "",
        MARK_END,
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the figures between the markers (or create the file), keeping any hand-written text around them."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(MARK_START) + r".*?" + re.escape(MARK_END), re.S)
        text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    else:
        text = "# Fine-tuned transformer as the evidence tagger (dev split only)\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("annotations"))
    parser.add_argument("--out", type=Path, default=Path("training/FINETUNE.md"))
    parser.add_argument("--json-out", type=Path, default=None, help="also write the raw figures here (e.g. under /tmp)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs wanted; fewer when they do not fit the budget")
    parser.add_argument("--train-budget-min", type=float, default=24.0, help="most minutes to spend fine-tuning")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--probe-batches", type=int, default=6)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_CONFIG["seed"])
    parser.add_argument("--max-train-docs", type=int, default=None, help="for a quick check of the script only")
    args = parser.parse_args()

    script_start = time.perf_counter()
    # One thread: the machine has two cores and the other is kept free; the timings below are single-thread.
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    docs = load_corpus(args.data)
    parts = split_documents(docs, load_splits(args.data))
    train, dev = parse_documents(parts["train"][: args.max_train_docs]), parse_documents(parts["dev"])
    print(f"parsed train {len(train)} / dev {len(dev)} documents", flush=True)

    cfg = DEFAULT_CONFIG
    start = time.perf_counter()
    tagger, cols = fit_cue_tagger(train, cfg)
    sparse_fit_s = time.perf_counter() - start
    start = time.perf_counter()
    # The tagger alone, with no generic-sentence or general-text stage, as the dense model is read: the comparison
    # is of the two taggers.
    raw_cue_stage = fold_cue_stage(tagger, cols, {**cfg, "ignore_generic_sentences": False, "generic_passages": False})
    sparse = list(raw_cue_stage([p.units for p in dev]))
    sparse_s = time.perf_counter() - start
    print(f"sparse tagger fitted in {sparse_fit_s:.1f} s", flush=True)

    buzz = buzzword_units(cfg["buzzword_negatives"], cfg["seed"])
    assert [u.repr for u in buzz] == buzzword_negatives(cfg["buzzword_negatives"], cfg["seed"])
    train_units = [u for p in train for u in p.units] + buzz
    Y = np.vstack([p.cue_labels for p in train if len(p.units)] + [np.zeros((len(buzz), len(CUES)), dtype=int)])
    model_dir = packaged_minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    ids = tokenizer([tagger_text(u) for u in train_units], truncation=True, max_length=args.max_length)["input_ids"]
    lengths = np.array([len(x) for x in ids])
    pos = Y.sum(axis=0)
    prior = pos / len(Y)
    # Cues are rare (1-5% of sentences); a square-root weight lifts recall without the probability inflation of a
    # fully balanced loss, so 0.5 stays a sensible threshold (the sparse tagger uses class_weight="balanced").
    pos_weight = torch.tensor(np.clip(np.sqrt((len(Y) - pos) / np.maximum(pos, 1)), 1.0, 10.0), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    # Choose the plan from measured speed: the requested epochs, else one epoch, else one epoch over every
    # evidence sentence plus a random share of the no-evidence ones (evidence is what the tagger must learn).
    all_idx = np.arange(len(Y))
    seconds_per_token = probe_seconds_per_token(
        model_dir, prior, ids, Y, length_bucketed_batches(lengths, args.batch_size, rng), tokenizer.pad_token_id, loss_fn, args
    )
    epoch_s = seconds_per_token * padded_tokens(ids, length_bucketed_batches(lengths, args.batch_size, rng))
    budget_s = 60 * args.train_budget_min
    epochs = next((e for e in range(args.epochs, 0, -1) if e * epoch_s <= budget_s), 1)
    train_idx = all_idx
    if epoch_s > budget_s:
        evidence = all_idx[Y.any(axis=1)]
        rest = all_idx[~Y.any(axis=1)]
        keep = max(0.0, (budget_s / epoch_s * len(Y) - len(evidence)) / len(rest))
        train_idx = np.sort(np.concatenate([evidence, rng.choice(rest, int(keep * len(rest)), replace=False)]))
        plan = (f"one epoch of {epoch_s / 60:.1f} min would exceed the {args.train_budget_min:g}-min budget: "
                f"every evidence sentence and {100 * keep:.0f}% of the no-evidence ones, 1 epoch")
    else:
        plan = (f"a probe of {args.probe_batches} batches put one epoch at {epoch_s / 60:.1f} min; "
                f"{epochs} of the {args.epochs} requested epoch(s) fit the {args.train_budget_min:g}-min budget, "
                "all training sentences")
    print(f"plan: {plan}", flush=True)

    torch.manual_seed(args.seed)
    model = CueTagger(model_dir, prior).train()
    epoch_batches = [[train_idx[b] for b in length_bucketed_batches(lengths[train_idx], args.batch_size, rng)] for _ in range(epochs)]
    total_steps = sum(len(b) for b in epoch_batches)
    optimizer, scheduler = make_optimizer(model, args, total_steps)
    start = time.perf_counter()
    step = 0
    for epoch, batches in enumerate(epoch_batches, 1):
        running = []
        for idx in batches:
            batch = pad_batch([ids[i] for i in idx], tokenizer.pad_token_id)
            running.append(train_step(model, optimizer, scheduler, loss_fn, batch, torch.tensor(Y[idx], dtype=torch.float32)))
            step += 1
            if step % 50 == 0 or step == total_steps:
                print(f"epoch {epoch} step {step}/{total_steps} loss {np.mean(running[-50:]):.4f} "
                      f"{(time.perf_counter() - start) / 60:.1f} min", flush=True)
    train_s = time.perf_counter() - start
    print(f"fine-tuning took {train_s / 60:.1f} min", flush=True)

    dense, dense_s = predict(model, tokenizer, [p.units for p in dev], args.max_length)
    n_dev = sum(len(p.units) for p in dev)
    dense_ms = 1000 * dense_s / n_dev

    threshold = cfg["evidence_threshold"]
    probs = {"sparse": sparse, "transformer": dense}
    share = {"transformer": 1.0}
    for lo, hi in BANDS:
        probs[f"cascade {lo:g}/{hi:g}"], share[f"cascade {lo:g}/{hi:g}"] = cascade(dev, sparse, dense, lo, hi)
    probs["average"] = [(s + d) / 2 for s, d in zip(sparse, dense)]
    share["average"] = 1.0
    counts = {m: evidence_counts(dev, p, threshold) for m, p in probs.items()}
    gold = {dim: int(sum(p.cue_labels[:, [CUES.index(c) for c in DIMENSION_CUES[dim]]].any(axis=1).sum()
                         for p in dev if dim in DIMENSIONS_BY_TYPE[p.doc.doc_type])) for dim in DIMENSIONS}
    gold["all (micro)"] = sum(gold.values())

    heldout = buzzword_units(cfg["buzzword_negatives"], cfg["seed"] + 10_000)
    buzz_sparse = raw_cue_stage([heldout])[0]
    buzz_dense = predict(model, tokenizer, [heldout], args.max_length)[0][0]
    result = {
        "finished": time.strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(["python training/finetune_cue_tagger.py", *sys.argv[1:]]),
        "machine": f"2-core AMD EPYC CPU ({platform.processor() or platform.machine()}), no GPU",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "threads": torch.get_num_threads(),
        "train_docs": len(train),
        "train_sentences": len(train_units) - len(buzz),
        "buzzword_negatives": len(buzz),
        "dev_docs": len(dev),
        "dev_sentences": n_dev,
        "lr": args.lr,
        "head_lr": args.head_lr,
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "seed": args.seed,
        "plan": plan,
        "epochs": epochs,
        "steps": total_steps,
        "train_examples": len(train_idx),
        "train_minutes": train_s / 60,
        "sparse_fit_s": sparse_fit_s,
        "dense_ms_per_sentence": dense_ms,
        "sparse_ms_per_sentence": 1000 * sparse_s / n_dev,
        "threshold": threshold,
        "gold": gold,
        "f1": {m: f1_table(c) for m, c in counts.items()},
        "share": share,
        # The transformer's cost alone per 45-sentence document; segmentation and the sparse parts come on top.
        "docs_per_s": {m: 1000 / (45 * s * dense_ms) for m, s in share.items()},
        "bootstrap": args.bootstrap,
        "diff": {m: paired_bootstrap(counts["sparse"], c, args.bootstrap, args.seed) for m, c in counts.items() if m != "sparse"},
        "best_threshold": {m: best_threshold(dev, probs[m]) for m in ("sparse", "transformer")},
        "buzz_heldout": len(heldout),
        "buzz_flagged": {"sparse": int((buzz_sparse >= threshold).any(axis=1).sum()),
                         "transformer": int((buzz_dense >= threshold).any(axis=1).sum())},
    }
    result["script_minutes"] = (time.perf_counter() - script_start) / 60
    section = render(result)
    write_section(args.out, section)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2, default=float), encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
