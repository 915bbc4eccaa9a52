"""Reading documents to score from JSONL, CSV, .txt, .docx files and folders of them.

Each input yields :class:`Item` values: a parsed document, or an error for that one record. A bad record
never stops the rest. Error messages name the file and line, never the record's text.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from pydantic import ValidationError

from assessqa import errors
from assessqa.schemas import DOC_TYPES, InputDocument

SUFFIXES = (".jsonl", ".csv", ".txt", ".docx")
_KNOWN_FIELDS = ("id", "text", "doc_type", "metadata")


@dataclass
class Item:
    """One record read from an input: ``document`` when it parsed, ``error`` when it did not."""

    source: str
    document: InputDocument | None = None
    error: errors.AssessQAError | None = None
    record_id: str | None = None
    metadata: dict[str, Any] | None = None


def decode_bytes(data: bytes, where: str) -> str:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer is confident about."""
    try:
        return data.decode(text_encoding(data, where))
    except (UnicodeDecodeError, LookupError) as exc:
        raise errors.bad_encoding(where) from exc


# Bytes read to choose a file's encoding before streaming it; big exports are never read whole.
SNIFF_BYTES = 1 << 20


def text_encoding(head: bytes, where: str) -> str:
    """The encoding to stream a file in, from its first bytes: UTF-8 (with or without BOM) when they decode as
    UTF-8 (a character cut at the end of the sample is allowed), else what charset-normalizer is confident about."""
    import codecs

    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    if b"\x00" in head[:4096]:
        raise errors.bad_encoding(where)
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    best = from_bytes(head).best()
    if best is None or best.encoding is None:
        raise errors.bad_encoding(where)
    return best.encoding


def document_from_record(record: Any, where: str) -> InputDocument:
    """Validate one JSON/CSV record: ``text`` required, ``doc_type`` checked, other fields become metadata."""
    if not isinstance(record, dict):
        raise errors.malformed_json(where, f"found a JSON {type(record).__name__}, not an object")
    if "text" not in record or record["text"] is None:
        raise errors.missing_field(where, "text", list(record))
    text = record["text"]
    if not isinstance(text, str):
        raise errors.malformed_json(where, f"'text' must be a string, found {type(text).__name__}")
    if not text.strip():
        raise errors.empty_text(where)
    doc_type = record.get("doc_type")
    if doc_type in ("", None):
        doc_type = None
    elif not isinstance(doc_type, str) or doc_type.strip().lower() not in DOC_TYPES:
        raise errors.bad_doc_type(where, str(doc_type), list(DOC_TYPES))
    else:
        doc_type = doc_type.strip().lower()
    metadata = dict(record.get("metadata") or {}) if isinstance(record.get("metadata"), dict) else {}
    metadata.update({k: v for k, v in record.items() if k not in _KNOWN_FIELDS})
    raw_id = record.get("id")
    try:
        return InputDocument(
            id=None if raw_id in (None, "") else str(raw_id), text=text, doc_type=doc_type, metadata=metadata
        )
    except ValidationError as exc:
        raise errors.malformed_json(where, "; ".join(e["msg"] for e in exc.errors()[:3])) from exc


def _safe_id(record: Any) -> str | None:
    if isinstance(record, dict) and record.get("id") not in (None, ""):
        return str(record["id"])[:200]
    return None


def read_jsonl(data: bytes | Iterator[str], name: str) -> Iterator[Item]:
    """Records of a JSONL file, one line at a time (``data``: the bytes, or decoded lines for big files)."""
    lines = iter(decode_bytes(data, name).splitlines()) if isinstance(data, bytes) else data
    n = 0
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError:  # a streamed file that stops being valid in its encoding part-way
            yield Item(f"{name}:{n + 1}", error=errors.bad_encoding(f"{name}:{n + 1}"))
            return
        n += 1
        if line.strip():
            yield item_from_json_line(line.rstrip("\r\n"), f"{name}:{n}")


def item_from_json_line(line: str, where: str) -> Item:
    """One JSONL line as an item: the document, or the error that stops it (the Spark engine reads lines too)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(where, error=errors.malformed_json(where, f"{exc.msg} at column {exc.colno}"))
    return item_from_record(record, where)


def item_from_record(record: Any, where: str) -> Item:
    try:
        return Item(where, document=document_from_record(record, where), record_id=_safe_id(record))
    except errors.AssessQAError as exc:
        meta = {k: v for k, v in record.items() if k not in _KNOWN_FIELDS} if isinstance(record, dict) else None
        return Item(where, error=exc, record_id=_safe_id(record), metadata=meta)


def read_csv(data: bytes | Iterator[str], name: str) -> Iterator[Item]:
    """Records of a CSV file with a header row (``data``: the bytes, or decoded lines for big files)."""
    stream = io.StringIO(decode_bytes(data, name), newline="") if isinstance(data, bytes) else data
    # Case notes are long: lift the csv module's 128 KiB field limit to the largest a C long allows.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.DictReader(stream, strict=True)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield Item(f"{name}:1", error=errors.bad_csv(f"{name}:1", str(exc)))
        return
    if header is None or "text" not in header:
        # Never list the cells: without a header row, the first row is a document.
        yield Item(f"{name}:1", error=errors.csv_header_missing(f"{name}:1", len(header or [])))
        return
    while True:
        where = f"{name}:{reader.line_num + 1}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield Item(where, error=errors.bad_encoding(where))
            return
        except csv.Error as exc:
            yield Item(where, error=errors.bad_csv(where, str(exc)))
            return
        where = f"{name}:{reader.line_num}"
        if None in row:  # more cells than headers
            yield Item(where, error=errors.bad_csv(where, f"{len(row[None])} more cell(s) than the header has"), record_id=_safe_id(row))
            continue
        if any(v is None for v in row.values()):
            yield Item(where, error=errors.bad_csv(where, "fewer cells than the header has"), record_id=_safe_id(row))
            continue
        try:
            yield Item(where, document=document_from_record(row, where), record_id=_safe_id(row))
        except errors.AssessQAError as exc:
            yield Item(where, error=exc, record_id=_safe_id(row))


def read_docx(data: bytes, name: str) -> str:
    """Paragraphs and table rows (cells joined with " | ") in document order."""
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for damaged files
        raise errors.unreadable_file(name, f"not a readable .docx ({exc.__class__.__name__})") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = cell.text.replace("\n", " ").strip()
                    if not cells or value != cells[-1]:  # merged cells repeat their text
                        cells.append(value)
                lines.append(" | ".join(cells))
            lines.append("")
    return "\n".join(lines)


def _decoded_lines(raw: IO[bytes], encoding: str) -> Iterator[str]:
    """The file's lines, each decoded on its own, so that a bad byte part-way costs only the lines from there on
    (it raises UnicodeDecodeError at that line, which the readers report with its line number)."""
    decode = "utf-8" if encoding == "utf-8-sig" else encoding
    for n, line in enumerate(raw):
        if n == 0 and encoding == "utf-8-sig" and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        yield line.decode(decode)


def read_file(path: Path) -> Iterator[Item]:
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Item(name, error=errors.unsupported_file(name, list(SUFFIXES)))
        return
    if suffix in (".jsonl", ".csv"):
        # Streamed: an export of hundreds of thousands of records is read a line at a time, in constant memory.
        try:
            with open(path, "rb") as raw:
                encoding = text_encoding(raw.read(SNIFF_BYTES), name)
                raw.seek(0)
                if "16" in encoding or "32" in encoding:  # not ASCII-compatible: lines cannot be split as bytes
                    data = raw.read()
                    yield from read_jsonl(data, name) if suffix == ".jsonl" else read_csv(data, name)
                    return
                lines = _decoded_lines(raw, encoding)
                yield from read_jsonl(lines, name) if suffix == ".jsonl" else read_csv(lines, name)
        except errors.AssessQAError as exc:
            yield Item(name, error=exc)
        except OSError as exc:
            yield Item(name, error=errors.unreadable_file(name, exc.strerror or exc.__class__.__name__))
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Item(name, error=errors.unreadable_file(name, exc.strerror or exc.__class__.__name__))
        return
    try:
        text = read_docx(data, name) if suffix == ".docx" else decode_bytes(data, name)
    except errors.AssessQAError as exc:
        yield Item(name, error=exc, record_id=path.stem)
        return
    if not text.strip():
        yield Item(name, error=errors.empty_text(name), record_id=path.stem)
        return
    yield Item(name, document=InputDocument(id=path.stem, text=text, metadata={"source_file": path.name}), record_id=path.stem)


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (sorted, recursive)."""
    files: list[Path] = []
    for path in inputs:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    return files


def output_clash(out: Path, inputs: Iterable[Path]) -> Path | None:
    """The input that ``out`` would overwrite or be read back from: the same file, or a folder holding it.

    Compared after resolving links, so ``./a.jsonl``, ``a.jsonl`` and a symlink to it are one file.
    """
    target = Path(out).resolve()
    for path in inputs:
        source = Path(path).resolve()
        if target == source or (source.is_dir() and target.is_relative_to(source)):
            return Path(path)
    return None


def scan_inputs(inputs: Iterable[Path]) -> tuple[int, list[str]]:
    """How many records the inputs hold and the metadata fields they carry (in first-seen order): the progress
    bar's total and the CSV output's extra columns. Reads every record once; documents are not kept."""
    count = 0
    keys: dict[str, None] = {}
    for item in read_inputs(inputs):
        count += 1
        meta = item.document.metadata if item.document is not None else (item.metadata or {})
        keys.update(dict.fromkeys(str(k) for k in meta))
    return count, list(keys)


def read_inputs(inputs: Iterable[Path]) -> Iterator[Item]:
    for path in expand_inputs(inputs):
        if not path.exists():
            yield Item(str(path), error=errors.unreadable_file(str(path), "no such file or folder"))
            continue
        yield from read_file(path)
