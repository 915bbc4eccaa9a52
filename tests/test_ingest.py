import json

import pytest

from assessqa import errors
from assessqa.ingest import read_inputs


def _write(path, content: bytes):
    path.write_bytes(content)
    return path


def test_jsonl_passes_extra_fields_through_as_metadata(tmp_path):
    f = _write(tmp_path / "in.jsonl", json.dumps({"id": "a1", "text": "Amy said hi.", "team": "North"}).encode())
    (item,) = list(read_inputs([f]))
    assert item.document.id == "a1" and item.document.metadata == {"team": "North"}


@pytest.mark.parametrize(
    "line, code",
    [
        # malformed JSON line
        (b'{"id": "x", "text": ', errors.ErrorCode.MALFORMED_JSON),
        # a JSON value that is not an object
        (b'["text"]', errors.ErrorCode.MALFORMED_JSON),
        # missing text
        (b'{"id": "x"}', errors.ErrorCode.MISSING_FIELD),
        # empty text
        (b'{"id": "x", "text": "   "}', errors.ErrorCode.EMPTY_TEXT),
        # unknown doc_type
        (b'{"id": "x", "text": "Amy said hi.", "doc_type": "letter"}', errors.ErrorCode.BAD_DOC_TYPE),
    ],
)
def test_bad_jsonl_line_is_reported_and_the_rest_read(tmp_path, line, code):
    good = json.dumps({"id": "ok", "text": "Amy said hi."}).encode()
    f = _write(tmp_path / "in.jsonl", good + b"\n" + line + b"\n" + good + b"\n")
    items = list(read_inputs([f]))
    assert [i.error is None for i in items] == [True, False, True]
    assert items[1].error.code is code
    assert items[1].source.endswith("in.jsonl:2")


def test_error_messages_never_contain_the_text(tmp_path):
    secret = "ZEBRA-7731 said she is scared"
    f = _write(tmp_path / "in.jsonl", json.dumps({"id": "x", "text": secret, "doc_type": "not-a-type " + secret}).encode())
    (item,) = list(read_inputs([f]))
    assert "ZEBRA-7731" not in item.error.message


def test_csv_rows_with_wrong_cell_counts_are_reported(tmp_path):
    content = 'id,text,doc_type\na,"Amy (6) said hi.",assessment\nb,"too",plan,extra\nc,"Jo said hi."\nd,"Dad left.",\n'
    f = _write(tmp_path / "in.csv", content.encode())
    items = list(read_inputs([f]))
    assert [i.error.code if i.error else None for i in items] == [None, errors.ErrorCode.BAD_CSV, errors.ErrorCode.BAD_CSV, None]


def test_csv_without_text_column(tmp_path):
    f = _write(tmp_path / "in.csv", b"id,body\na,hello\n")
    (item,) = list(read_inputs([f]))
    assert item.error.code is errors.ErrorCode.MISSING_FIELD


def test_non_utf8_text_file_is_decoded_when_the_encoding_is_clear(tmp_path):
    f = _write(tmp_path / "note.txt", "Zo\u00eb (7) told me she likes caf\u00e9 breakfasts at Nan's house every Sunday morning.".encode("cp1252"))
    (item,) = list(read_inputs([f]))
    assert item.document is not None and "Zo\u00eb" in item.document.text


def test_binary_file_with_txt_suffix_is_an_encoding_error(tmp_path):
    f = _write(tmp_path / "note.txt", b"\x00\x01\x02\xff\xfe" * 50)
    (item,) = list(read_inputs([f]))
    assert item.error.code is errors.ErrorCode.BAD_ENCODING


def test_docx_paragraphs_and_tables_are_read_in_order(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Child in Need Plan")
    table = d.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["Need", "Action", "Who"]):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["Food", "Dad to shop weekly", "Dad"]):
        cell.text = value
    path = tmp_path / "plan.docx"
    d.save(path)
    (item,) = list(read_inputs([path]))
    assert item.document.text.splitlines()[:3] == ["Child in Need Plan", "Need | Action | Who", "Food | Dad to shop weekly | Dad"]


def test_corrupt_docx_is_reported(tmp_path):
    f = _write(tmp_path / "broken.docx", b"PK\x03\x04 not really a zip")
    (item,) = list(read_inputs([f]))
    assert item.error.code is errors.ErrorCode.UNREADABLE_FILE


def test_folder_unsupported_and_missing_files(tmp_path):
    _write(tmp_path / "a.txt", b"Amy said hi.")
    _write(tmp_path / "b.pdf", b"%PDF")
    items = list(read_inputs([tmp_path, tmp_path / "b.pdf", tmp_path / "nope.jsonl"]))
    codes = [i.error.code if i.error else None for i in items]
    assert codes == [None, errors.ErrorCode.UNSUPPORTED_FILE, errors.ErrorCode.UNREADABLE_FILE]


def test_big_files_are_streamed_and_a_late_bad_byte_costs_only_the_rest(tmp_path, monkeypatch):
    from assessqa import ingest

    monkeypatch.setattr(ingest, "SNIFF_BYTES", 64)  # so that the bad byte lies beyond the sample
    path = tmp_path / "export.jsonl"
    good = [json.dumps({"id": f"r{n}", "text": f"Amy said she was hungry {n}."}) for n in range(5)]
    path.write_bytes(("\n".join(good) + "\n").encode() + b'{"id": "bad", "text": "caf\xe9"}\n')
    items = list(ingest.read_inputs([path]))
    assert [i.document.id for i in items[:5]] == [f"r{n}" for n in range(5)]
    assert items[-1].error is not None and items[-1].error.code.value == "E003" and items[-1].source.endswith(":6")


def test_a_latin1_csv_is_streamed_in_its_own_encoding(tmp_path):
    from assessqa.ingest import read_inputs

    path = tmp_path / "cases.csv"
    path.write_bytes("id,text,team\nc1,Zoë told me she is scared at night.,Café team\n".encode("latin-1"))
    [item] = list(read_inputs([path]))
    assert item.document.text.startswith("Zoë") and item.document.metadata["team"] == "Café team"
