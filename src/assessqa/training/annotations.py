"""The annotated corpus: import authored documents, validate, load, and split by writing batch.

Format and rules: annotations/GUIDELINES.md. The corpus lives in ``annotations/corpus/*.jsonl`` and its
split in ``annotations/splits.json``.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from assessqa import errors
from assessqa.schemas import ACTION_FLAGS, CUES, DIMENSIONS, DIMENSIONS_BY_TYPE, AnnotatedDocument

SPLITS = ("train", "dev", "test")


@dataclass
class ValidationReport:
    documents: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.documents > 0


def corpus_files(path: Path) -> list[Path]:
    """The JSONL files of a corpus: ``path`` itself, ``path/*.jsonl`` or ``path/corpus/*.jsonl``."""
    path = Path(path)
    if path.is_file():
        return [path]
    if (path / "corpus").is_dir():
        path = path / "corpus"
    return sorted(path.glob("*.jsonl"))


def _iter_raw(files: Iterable[Path]) -> Iterable[tuple[str, dict[str, Any] | None, str | None]]:
    for file in files:
        with open(file, encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                where = f"{file.name}:{n}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield where, None, f"not valid JSON ({exc.msg})"
                    continue
                if not isinstance(record, dict):
                    yield where, None, "a line must hold one JSON object"
                    continue
                yield where, record, None


def check_document(doc: AnnotatedDocument) -> list[str]:
    """Problems with one parsed document: grades, offsets, span text, cues and action flags."""
    problems = []
    expected = set(DIMENSIONS_BY_TYPE[doc.doc_type])
    if set(doc.grades) != expected:
        problems.append(f"grades must be exactly {sorted(expected)}, found {sorted(doc.grades)}")
    for dim, grade in doc.grades.items():
        if grade not in (1, 2, 3, 4):
            problems.append(f"grade for {dim} is {grade}, not 1-4")
    n = len(doc.text)
    if not doc.text.strip():
        problems.append("text is empty")
    for i, span in enumerate(doc.spans):
        if span.cue not in CUES:
            problems.append(f"span {i}: unknown cue {span.cue!r} (allowed: {', '.join(CUES)})")
        if not 0 <= span.start < span.end <= n:
            problems.append(f"span {i}: offsets {span.start}-{span.end} outside the text (length {n})")
        elif doc.text[span.start : span.end] != span.text:
            problems.append(f"span {i}: text does not match text[{span.start}:{span.end}]")
    for i, action in enumerate(doc.actions):
        if not 0 <= action.start < action.end <= n:
            problems.append(f"action {i}: offsets {action.start}-{action.end} outside the text (length {n})")
        elif doc.text[action.start : action.end] != action.text:
            problems.append(f"action {i}: text does not match text[{action.start}:{action.end}]")
        if set(action.flags) != set(ACTION_FLAGS):
            problems.append(f"action {i}: flags must be exactly {list(ACTION_FLAGS)}, found {sorted(action.flags)}")
        if action.need is not None and not 0 <= action.need.start < action.need.end <= n:
            problems.append(f"action {i}: need offsets outside the text")
    if doc.doc_type == "assessment" and doc.actions:
        problems.append("an assessment must not carry actions")
    return problems


def validate_corpus(path: Path) -> ValidationReport:
    """Check every document of a corpus against the format; collect all problems rather than stop at one."""
    report = ValidationReport()
    seen: dict[str, str] = {}
    files = corpus_files(path)
    if not files:
        report.problems.append(f"{path}: no .jsonl files found")
        return report
    for where, record, problem in _iter_raw(files):
        report.documents += 1
        if problem:
            report.problems.append(f"{where}: {problem}")
            continue
        try:
            doc = AnnotatedDocument.model_validate(record)
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
            report.problems.append(f"{where}: {fields}")
            continue
        if doc.id in seen:
            report.problems.append(f"{where}: duplicate id {doc.id!r} (first at {seen[doc.id]})")
        seen[doc.id] = where
        report.problems.extend(f"{where} ({doc.id}): {p}" for p in check_document(doc))
    return report


def load_corpus(path: Path) -> list[AnnotatedDocument]:
    """Load a corpus, refusing it whole if any record is invalid (training on half a corpus misleads)."""
    report = validate_corpus(path)
    if not report.ok:
        shown = "\n  ".join(report.problems[:10])
        more = f"\n  ... and {len(report.problems) - 10} more" if len(report.problems) > 10 else ""
        raise errors.bad_annotation(str(path), f"{len(report.problems)} problem(s):\n  {shown}{more}")
    docs = []
    for _, record, _ in _iter_raw(corpus_files(path)):
        docs.append(AnnotatedDocument.model_validate(record))
    return docs


def corpus_hash(docs: Iterable[AnnotatedDocument]) -> str:
    """A stable hash of the corpus content, recorded with every model trained on it."""
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.id):
        digest.update(doc.model_dump_json().encode("utf-8"))
    return "sha256:" + digest.hexdigest()[:16]


# ------------------------------------------------------------------ import from the authoring format


def _locate(text: str, quote: str, where: str) -> tuple[int, int]:
    if not quote:
        raise errors.bad_annotation(where, "empty quote")
    start = text.find(quote)
    if start < 0:
        # Authors sometimes trim or collapse whitespace; try once with the quote stripped.
        stripped = quote.strip()
        start = text.find(stripped)
        if start < 0:
            raise errors.bad_annotation(where, f"quote of {len(quote)} characters not found in the text")
        quote = stripped
    return start, start + len(quote)


def resolve_quotes(record: dict[str, Any], where: str) -> dict[str, Any]:
    """Turn an authored record (spans and actions as quotes) into the corpus format (character offsets)."""
    text = record["text"]
    out = {k: v for k, v in record.items() if k not in ("spans", "actions")}
    spans = []
    for i, span in enumerate(record.get("spans", [])):
        if "start" in span:
            spans.append(span)
            continue
        start, end = _locate(text, span["quote"], f"{where} span {i}")
        spans.append({"start": start, "end": end, "text": text[start:end], "cue": span["cue"]})
    actions = []
    for i, action in enumerate(record.get("actions", [])):
        if "start" in action:
            actions.append(action)
            continue
        start, end = _locate(text, action["quote"], f"{where} action {i}")
        need = None
        if action.get("need_quote"):
            try:
                n_start, n_end = _locate(text, action["need_quote"], f"{where} action {i} need")
                need = {"start": n_start, "end": n_end}
            except errors.AnnotationError:
                need = None  # a need quote that drifted from the text only loses the link, not the action
        actions.append({"start": start, "end": end, "text": text[start:end], "flags": action["flags"], "need": need})
    out["spans"] = spans
    out["actions"] = actions
    return out


def import_authored(source: Path, dest: Path) -> tuple[int, list[str]]:
    """Convert every ``*.jsonl`` in ``source`` into ``dest`` (same file names); returns (count, problems)."""
    dest.mkdir(parents=True, exist_ok=True)
    count = 0
    problems: list[str] = []
    for file in sorted(Path(source).glob("*.jsonl")):
        out_lines = []
        for where, record, problem in _iter_raw([file]):
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            try:
                resolved = resolve_quotes(record, where)
                doc = AnnotatedDocument.model_validate(resolved)
            except errors.AnnotationError as exc:
                problems.append(exc.message)
                continue
            except (ValidationError, KeyError) as exc:
                problems.append(f"{where}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
                continue
            found = check_document(doc)
            if found:
                problems.extend(f"{where}: {p}" for p in found)
                continue
            out_lines.append(doc.model_dump_json())
            count += 1
        if out_lines:
            (dest / file.name).write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    return count, problems


# ------------------------------------------------------------------ splits


def make_splits(docs: list[AnnotatedDocument], seed: int = 13, test: float = 0.22, dev: float = 0.15) -> dict:
    """Assign whole writing batches to train/dev/test, within each author so every style reaches every split.

    Documents written together share phrasing and families, so a batch never straddles two splits.
    """
    batches_by_author: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        batches_by_author[doc.batch.split("-")[0]].add(doc.batch)
    rng = random.Random(seed)
    assignment: dict[str, str] = {}
    for author in sorted(batches_by_author):
        batches = sorted(batches_by_author[author])
        rng.shuffle(batches)
        n = len(batches)
        n_test = max(1, round(n * test)) if n >= 3 else 0
        n_dev = max(1, round(n * dev)) if n >= 4 else 0
        for i, batch in enumerate(batches):
            assignment[batch] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return {
        "method": "whole writing batches per author, shuffled with the seed",
        "seed": seed,
        "batches": dict(sorted(assignment.items())),
    }


def load_splits(path: Path) -> dict[str, str]:
    """Batch name -> split, from ``annotations/splits.json``."""
    file = Path(path)
    if file.is_dir():
        file = file / "splits.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise errors.bad_annotation(str(file), f"cannot read the split file ({exc})") from exc
    return data["batches"]


def split_documents(docs: list[AnnotatedDocument], splits: dict[str, str]) -> dict[str, list[AnnotatedDocument]]:
    """Documents by split; a document whose batch has no split goes to train and never to test."""
    out: dict[str, list[AnnotatedDocument]] = {name: [] for name in SPLITS}
    for doc in docs:
        out[splits.get(doc.batch, "train")].append(doc)
    return out


def to_dataset(docs: list[AnnotatedDocument]):  # -> datasets.Dataset
    """The corpus as a Hugging Face ``datasets.Dataset`` (one row per document, nested spans and actions)."""
    import datasets  # imported here: datasets is heavy and only training notebooks need it

    rows = [doc.model_dump() for doc in docs]
    for row in rows:
        for dim in DIMENSIONS:
            row[dim] = row["grades"].get(dim)
        row["grades"] = json.dumps(row["grades"])
        row["spans"] = json.dumps(row["spans"])
        row["actions"] = json.dumps(row["actions"])
    return datasets.Dataset.from_list(rows)
