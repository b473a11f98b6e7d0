"""Reading CSV files: encodings, delimiters, quoting, the export's formula guard."""

from __future__ import annotations

import codecs
import csv
import io

import pytest

from crmdesk.io.csv_import import CsvReader, inspect_csv, sniff_delimiter, unneutralise
from crmdesk.io.import_text import detect_encoding
from crmdesk.io.limits import ImportFormatError

ROWS = [
    ["Name", "Email", "Notes"],
    ["Zoë's Bakery", "orders@zoes-bakery.example", "Family business;\nsince 1952"],
    ["Kowalski, Sons & Co", "info@kowalski.example", 'Says "hi"'],
]
UNICODE_ROWS = [*ROWS, ["Łukasiewicz Trading", "zl@example.com", "Nguyễn Thị Minh"]]


def write(path, rows, *, encoding="utf-8", delimiter=",", bom=b""):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(bom + buffer.getvalue().encode(encoding))
    return path


def read_all(path):
    fmt = inspect_csv(path)
    with CsvReader(path, fmt.encoding, fmt.delimiter) as reader:
        return fmt, [r.cells for r in reader.records()], reader.finish()


@pytest.mark.parametrize(
    ("encoding", "bom", "label", "rows"),
    [
        ("utf-8", codecs.BOM_UTF8, "UTF-8 with BOM", UNICODE_ROWS),
        ("utf-8", b"", "UTF-8", UNICODE_ROWS),
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16 LE", UNICODE_ROWS),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16 BE", UNICODE_ROWS),
        ("cp1252", b"", "Windows-1252", ROWS),  # "Zoë" fits; "Ł" does not exist there
    ],
)
def test_each_encoding_is_detected_and_named(tmp_path, encoding, bom, label, rows):
    path = write(tmp_path / "clients.csv", rows, encoding=encoding, bom=bom)
    fmt, records, sha = read_all(path)
    assert fmt.encoding.label == label
    assert fmt.encoding.reason  # always says why
    assert records == rows
    assert sha == __import__("hashlib").sha256(path.read_bytes()).hexdigest()


def test_plain_ascii_is_utf8_and_says_so(tmp_path):
    path = write(tmp_path / "a.csv", [["Name"], ["Acme"]])
    assert detect_encoding(path).reason.endswith("plain ASCII")


def test_cp1252_is_chosen_only_when_no_utf8_text_came_before(tmp_path):
    # A stray Windows-1252 byte on line 5,000 is found: the whole file is checked.
    rows = [["Name"]] + [[f"Client {i}"] for i in range(5000)] + [["Zoë"]]
    path = write(tmp_path / "late.csv", rows, encoding="cp1252")
    enc = detect_encoding(path)
    assert enc.label == "Windows-1252"
    assert "line 5002" in enc.reason
    fmt, records, _ = read_all(path)
    assert records[-1] == ["Zoë"]


def test_invalid_utf8_in_a_utf8_file_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("Name\nZoë\nAcme\n".encode() + b"Caf\xe9\n")
    with pytest.raises(ImportFormatError) as err:
        inspect_csv(path)
    assert "line 4" in str(err.value) and "not valid UTF-8" in str(err.value)
    assert err.value.line == 4


def test_bytes_neither_utf8_nor_cp1252_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"Name\nA\x81B\n")
    with pytest.raises(ImportFormatError, match="neither UTF-8 nor Windows-1252.*line 2"):
        inspect_csv(path)


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_each_delimiter_is_found(tmp_path, delimiter, name):
    path = write(tmp_path / "d.csv", UNICODE_ROWS, delimiter=delimiter)
    fmt, records, _ = read_all(path)
    assert fmt.delimiter == delimiter and fmt.delimiter_name == name
    assert records == UNICODE_ROWS


def test_semicolons_inside_values_do_not_fool_the_sniffer(tmp_path):
    # crmdesk's export joins lists with "; " inside comma-separated cells.
    rows = [["Name", "Emails", "Tags"]] + [
        [f"C{i}", f"a{i}@x.example; b{i}@x.example", "vip; wholesale; north"] for i in range(20)
    ]
    path = write(tmp_path / "lists.csv", rows)
    fmt, records, _ = read_all(path)
    assert fmt.delimiter == ","
    assert records[1][1] == "a0@x.example; b0@x.example"


def test_counting_decides_when_the_sniffer_cannot():
    assert sniff_delimiter("Name;Email\n") == (";", sniff_delimiter("Name;Email\n")[1])
    delimiter, reason = sniff_delimiter("Name\n")
    assert delimiter == "," and "single column" in reason


def test_quoted_fields_with_newlines_are_one_row_numbered_as_a_spreadsheet_does(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('Name,Notes\r\nA,"one\r\ntwo\r\nthree"\r\nB,x\r\n', encoding="utf-8")
    fmt = inspect_csv(path)
    with CsvReader(path, fmt.encoding, fmt.delimiter) as reader:
        records = list(reader.records())
    assert [(r.row, r.line) for r in records] == [(1, 1), (2, 2), (3, 5)]
    assert records[1].cells == ["A", "one\r\ntwo\r\nthree"]


def test_header_labels_are_made_unique_and_named():
    from crmdesk.io.csv_import import unique_labels

    assert unique_labels(["Phone", " Phone ", "", "Phone"]) == (
        "Phone",
        "Phone (2)",
        "Column 3",
        "Phone (3)",
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+12025550173", "+12025550173"),
        ("'-5", "-5"),
        ("'@home", "@home"),
        ("'\tx", "\tx"),
        ("'t Hooft", "'t Hooft"),  # a real apostrophe stays
        ("''=x", "'=x"),  # one apostrophe taken: the export guards "'=x" as "''=x"
        ("'", "'"),
        ("=1", "=1"),
    ],
)
def test_the_exports_formula_guard_is_undone(cell, expected):
    assert unneutralise(cell) == expected


def test_leading_blank_lines_before_the_header_are_skipped(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("\n\nName,Email\nA,a@x.example\n", encoding="utf-8")
    assert inspect_csv(path).header == ("Name", "Email")


def test_the_process_wide_cell_limit_is_put_back(tmp_path):
    before = csv.field_size_limit()
    path = write(tmp_path / "a.csv", ROWS)
    fmt = inspect_csv(path)
    with CsvReader(path, fmt.encoding, fmt.delimiter) as reader:
        records = reader.records()
        next(records)
        assert csv.field_size_limit() == 100_000  # this import's limit while it reads
        list(records)
    assert csv.field_size_limit() == before


def test_an_excel_sep_line_declares_the_delimiter_and_is_not_the_header(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\r\nName;Notes\r\nAcme;a, b\r\n", encoding="utf-8")
    fmt = inspect_csv(path)
    assert fmt.delimiter == ";" and "sep=;" in fmt.delimiter_reason
    assert fmt.header == ("Name", "Notes")


@pytest.mark.parametrize("value", ["'-A", "''=x", "'@home", "-A", "'t Hooft", "'", "'+14035550153"])
def test_the_exports_guard_and_the_imports_undoing_give_back_every_value(value):
    # Hypothesis found a contact named "'-A" that came back as "-A" (issue 15 round trip).
    from crmdesk.domain.spreadsheet import neutralise_cell
    from crmdesk.io.csv_import import unneutralise

    assert unneutralise(neutralise_cell(value)) == value
