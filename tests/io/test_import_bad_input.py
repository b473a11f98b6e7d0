"""Bad, enormous and malicious files: a clear message naming where, in bounded time and memory."""

from __future__ import annotations

import re
import time
import tracemalloc
import zipfile

import pytest

from crmdesk.errors import BadInput
from crmdesk.io.csv_import import CsvReader, inspect_csv
from crmdesk.io.limits import DEFAULT_LIMITS, ImportFormatError
from crmdesk.io.vcard_import import VcardReader

MB = 1 << 20


def read_csv(path):
    fmt = inspect_csv(path)
    with CsvReader(path, fmt.encoding, fmt.delimiter) as reader:
        return [r.cells for r in reader.records()]


def read_vcf(path):
    with VcardReader(path) as reader:
        return list(reader.drafts())


class Bounded:
    """Time and traced memory of a block, checked against limits."""

    def __init__(self, seconds: float = 20.0, megabytes: float = 40.0) -> None:
        self.seconds, self.megabytes = seconds, megabytes

    def __enter__(self) -> Bounded:
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.started
        _, self.peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert self.elapsed < self.seconds, f"took {self.elapsed:.1f} s"
        assert self.peak < self.megabytes * MB, f"peak {self.peak / MB:.1f} MB"


def test_the_import_error_is_bad_input_with_exit_code_1():
    assert issubclass(ImportFormatError, BadInput)
    assert ImportFormatError("x").exit_code == 1


def test_a_truncated_csv_names_where_the_open_quote_starts(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text('Name,Notes\nAcme,fine\nBeta,"starts here\nand never', encoding="utf-8")
    with pytest.raises(ImportFormatError) as err:
        read_csv(path)
    assert "ends inside a quoted value that starts in row 3 (line 3)" in str(err.value)
    assert (err.value.row, err.value.line) == (3, 3)


def test_text_after_a_closing_quote_is_named(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('Name,Notes\nAcme,"a"b\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match='Line 2 .* doubled \\(""\\)'):
        read_csv(path)


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFormatError, match="empty.csv is empty"):
        read_csv(path)
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with pytest.raises(ImportFormatError, match="no header row"):
        read_csv(path)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old Excel workbook (.xls)"),
    ],
)
def test_files_of_another_kind_are_named(tmp_path, content, what):
    path = tmp_path / "clients.csv"
    path.write_bytes(content + bytes(range(256)) * 10)
    with pytest.raises(ImportFormatError, match=re.escape(f"clients.csv is {what}")):
        read_csv(path)


def test_an_excel_workbook_renamed_csv_is_recognised_by_name(tmp_path):
    # Issue 15: a spreadsheet is refused by name, with the way to save it as CSV.
    path = tmp_path / "clients.csv"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(
        ImportFormatError, match=r"an Excel workbook \(\.xlsx\).*Save As › CSV UTF-8"
    ):
        read_csv(path)


def test_nul_bytes_are_binary_data_named_by_line(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Name,Email\nAcme,a@x.example\nBe\x00ta,b\x00\x01\x02\xff\n")
    with pytest.raises(ImportFormatError, match=r"binary data \(a NUL byte on line 3\)"):
        read_csv(path)
    # Past the sample read for detection, the line reader catches it.
    late = tmp_path / "late.csv"
    late.write_bytes(b"Name\n" + b"Acme\n" * 20_000 + b"Bad\x00row\n")
    with pytest.raises(ImportFormatError, match="Line 20,002 .* NUL character"):
        read_csv(late)


def test_a_50_mb_field_on_one_line_is_refused_after_reading_a_little(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.write(b'Name,Notes\nAcme,"')
        chunk = b"x" * MB
        for _ in range(50):
            f.write(chunk)
        f.write(b'"\n')
    with Bounded(megabytes=20), pytest.raises(ImportFormatError) as err:
        read_csv(path)
    assert "Line 2 of huge.csv is longer than 1,000,000 characters" in str(err.value)


def test_a_50_mb_field_over_many_lines_hits_the_cell_limit(tmp_path):
    path = tmp_path / "tall.csv"
    with path.open("wb") as f:
        f.write(b'Name,Notes\nAcme,fine\nBeta,"')
        line = b"y" * 99 + b"\n"
        block = line * 10_000
        for _ in range(50):
            f.write(block)
        f.write(b'"\n')
    with Bounded(megabytes=20), pytest.raises(ImportFormatError) as err:
        read_csv(path)
    message = str(err.value)
    assert "Row 3 (from line 3) of tall.csv has a value longer than 100,000" in message


def test_a_header_of_a_million_columns_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\nx\n", encoding="utf-8")
    with Bounded(megabytes=40), pytest.raises(ImportFormatError, match="Line 1 .* longer than"):
        read_csv(path)
    commas = tmp_path / "commas.csv"
    commas.write_text("," * 999_999 + "\n", encoding="utf-8")
    with Bounded(megabytes=60), pytest.raises(ImportFormatError) as err:
        read_csv(commas)
    assert "Row 1 (line 1) of commas.csv has 1,000,000 columns; at most 1,000" in str(err.value)


def test_ten_thousand_columns_in_a_row_are_refused_naming_the_row(tmp_path):
    path = tmp_path / "row.csv"
    path.write_text("Name,Email\nAcme,a@x.example\n" + ",".join(["v"] * 10_000) + "\n")
    with Bounded(), pytest.raises(ImportFormatError) as err:
        read_csv(path)
    assert "Row 3 (line 3) of row.csv has 10,000 columns" in str(err.value)


def test_control_characters_are_read_as_they_are_for_validation_to_refuse(tmp_path):
    # The row is fine as CSV; client validation names the field (see the service tests).
    path = tmp_path / "ctl.csv"
    path.write_text("Name,Email\nAc\x07me\x1b[31m,a@x.example\n", encoding="utf-8")
    assert read_csv(path)[1][0] == "Ac\x07me\x1b[31m"


def test_a_vcard_with_a_10_mb_property_line_is_refused_quickly(tmp_path):
    path = tmp_path / "big.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:x\nNOTE:" + "a" * (10 * MB) + "\nEND:VCARD\n",
        encoding="utf-8",
    )
    with Bounded(seconds=10), pytest.raises(ImportFormatError, match="Line 4 of big.vcf"):
        read_vcf(path)


def test_a_vcard_with_a_10_mb_folded_property_spoils_only_its_card(tmp_path):
    path = tmp_path / "folded.vcf"
    with path.open("w", encoding="utf-8") as f:
        f.write("BEGIN:VCARD\nVERSION:3.0\nFN:x\nNOTE:")
        f.write("\n ".join(["a" * 74] * (10 * MB // 75)))
        f.write("\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Next\nEND:VCARD\n")
    with Bounded(seconds=20):
        found = read_vcf(path)
    assert "NOTE property (line 4) is longer than 100,000" in found[0].issues[0].message
    assert found[1].data["name"] == "Next"


def test_garbage_and_binary_vcards_are_refused_or_spoil_their_card(tmp_path):
    path = tmp_path / "junk.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\n\x01\x02garbage;;;\r\n:::\r\nEND:VCARD\r\n")
    (draft,) = read_vcf(path)
    assert draft.data is None and "card 1 (line 1) cannot be read" in draft.issues[0].message
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ImportFormatError, match="ZIP archive"):
        read_vcf(path)


def test_limits_are_generous_for_real_exports():
    assert DEFAULT_LIMITS.max_columns >= 500  # Outlook exports about 90 columns
    assert DEFAULT_LIMITS.max_field_chars >= 10_000  # crmdesk's longest field
