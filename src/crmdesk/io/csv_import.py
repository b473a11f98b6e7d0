"""Reading CSV files as Excel, Google Contacts, Outlook and other CRMs write them.

The file streams: records are read one at a time from the decoded text, so a file of
100,000 rows takes the memory of one row. Sizes are checked on the way (see
:mod:`crmdesk.io.limits`): a line, a cell, a record and the number of columns are
refused before they are held whole. Rows are numbered as a spreadsheet shows them: the
header is row 1, and a value spanning several lines is still one row.

The header is the first row that reads as one (its labels are columns contact programs
write), so that what some programs put above it is skipped and said: LinkedIn's
"Notes:" paragraph, the table name Apple Numbers writes. A file without a header is read
with a mapping of its columns "Column 1", "Column 2"...
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crmdesk.domain.spreadsheet import GUARDED

from .import_text import (
    LineCounter,
    StreamedFile,
    TextEncoding,
    bounded_lines,
    detect_encoding,
    read_sample,
)
from .limits import DEFAULT_LIMITS, ImportFormatError, Limits
from .mapping_guess import known_columns

DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}
# The Sniffer's regular expressions can take quadratic time on hostile text: it only
# sees the first lines.
_SNIFF_CHARS = 16_384
# How far down the header is looked for (past a preamble).
_HEADER_SEARCH = 30


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """How a CSV file is written: its encoding, delimiter and header, and why."""

    encoding: TextEncoding
    delimiter: str
    delimiter_reason: str
    header: tuple[str, ...]  # column labels, made unique and non-empty
    header_row: int = 1  # 0: the file has no header row
    preamble: str = ""  # the first line of what stands above the header, if anything

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """One record: its row number (the header is row 1), first line and cells."""

    row: int
    line: int
    cells: list[str]


def unneutralise(cell: str) -> str:
    """Undo a spreadsheet export's formula guard: ``'=SUM(1)`` -> ``=SUM(1)``.

    Only one apostrophe, and only before the characters that guard protects (perhaps
    after more apostrophes: crmdesk's export guards ``'-A`` as ``''-A``), so a name like
    ``'t Hooft`` stays as it is.
    """
    if cell.startswith("'") and GUARDED.match(cell, 1):
        return cell[1:]
    return cell


def sniff_delimiter(sample: str) -> tuple[str, str]:
    """The delimiter of a CSV sample (comma, semicolon or tab) and how it was found.

    csv.Sniffer decides when the header line agrees (the delimiter it found is among the
    most frequent there); otherwise, or when it cannot tell, the header line is counted.
    """
    declared = _first_line(sample).rstrip("\r\n")
    if len(declared) == 5 and declared[:4].lower() == "sep=":
        return declared[4], f'declared by the file\'s first line "sep={declared[4]}" (Excel)'
    header, start = _header_line(sample)
    sample = sample[start:]
    counts = {d: _count_outside_quotes(header, d) for d in DELIMITERS}
    most = max(counts.values())
    cut = sample[:_SNIFF_CHARS]
    if len(sample) > len(cut) or not sample.endswith(("\n", "\r")):
        # A half line at the end of the sample would skew the Sniffer.
        end = max(cut.rfind("\n"), cut.rfind("\r"))
        cut = cut[:end] if end > 0 else cut
    try:
        sniffed: str | None = csv.Sniffer().sniff(cut, delimiters="".join(DELIMITERS)).delimiter
    except Exception:  # noqa: BLE001 - a heuristic: it fails in several ways, all mean "unsure"
        sniffed = None
    if sniffed in counts and counts[sniffed] == most and (most > 0 or sniffed == ","):
        return sniffed, "found by csv.Sniffer; the header line agrees"
    if most == 0:
        return ",", "no comma, semicolon or tab in the header line: a single column"
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the comma, then ";"
    found = f"csv.Sniffer suggested the {DELIMITERS[sniffed]}, but " if sniffed else ""
    return best, f"{found}the header line has {most} {DELIMITERS[best]}s"


def _first_line(sample: str) -> str:
    for line in io.StringIO(sample, newline=None):
        if line.strip():
            return line
    return ""


def _header_line(sample: str) -> tuple[str, int]:
    """The line that holds the header, and where it starts in ``sample``: the first with
    a delimiter outside quotes (a preamble has none), else the first non-blank one."""
    offset, first = 0, None
    for n, line in enumerate(io.StringIO(sample, newline="")):
        if n >= _HEADER_SEARCH:
            break
        if line.strip():
            if first is None:
                first = (line, offset)
            if any(_count_outside_quotes(line, d) for d in DELIMITERS):
                return line, offset
        offset += len(line)
    return first or ("", 0)


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def inspect_csv(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    encoding: TextEncoding | None = None,
    delimiter: str | None = None,
    header: bool = True,
) -> CsvFormat:
    """Work out the encoding and delimiter, and read the header (the first row that reads
    as one, else the first non-blank row; none when ``header`` is false); raises
    :class:`ImportFormatError` for a file that is not CSV text."""
    encoding = encoding or detect_encoding(path, limits)
    if delimiter is None:
        delimiter, reason = sniff_delimiter(read_sample(path, encoding, limits))
    else:
        reason = "given"
    with CsvReader(path, encoding, delimiter, limits) as reader:
        if not header:
            width = 0
            for record in reader.records():
                width = max(width, len(record.cells))
                if record.row >= _HEADER_SEARCH:
                    break
            if width == 0:
                raise ImportFormatError(
                    f"{path.name} holds no rows: there is nothing to import.",
                    code="import.csv.no_rows",
                )
            return CsvFormat(encoding, delimiter, reason, unique_labels([""] * width), 0)
        first, before = find_header(reader.records(), delimiter)
    if first is None:
        raise ImportFormatError(
            f"{path.name} has no header row: there is nothing to import.",
            code="import.csv.no_header",
        )
    preamble = next((" ".join(" ".join(r.cells).split()) for r in before if any(
        c.strip() for c in r.cells)), "")  # fmt: skip
    return CsvFormat(
        encoding, delimiter, reason, unique_labels(first.cells), first.row, preamble[:80]
    )


def find_header(
    records: Iterator[CsvRecord], delimiter: str
) -> tuple[CsvRecord | None, list[CsvRecord]]:
    """The header record (the first of the first rows whose labels are columns contact
    programs write, else the first non-blank one) and the records before it."""
    seen: list[CsvRecord] = []
    for record in records:
        text = delimiter.join(record.cells)
        if record.row == 1 and len(text) == 5 and text[:4].lower() == "sep=":
            continue
        if not any(c.strip() for c in record.cells):
            continue
        if known_columns(record.cells) >= 2:
            return record, seen
        seen.append(record)
        if len(seen) >= _HEADER_SEARCH:
            break
    if not seen:
        return None, []
    return seen[0], []


def skip_to_header(records: Iterator[CsvRecord], header_row: int) -> None:
    """Advance ``records`` past the header (row ``header_row``; 0 for none)."""
    if header_row == 0:
        return
    for record in records:
        if record.row >= header_row:
            return


def unique_labels(cells: list[str]) -> tuple[str, ...]:
    """Header cells as column labels: trimmed, blanks named by position, repeats numbered
    ("Phone", "Phone (2)"), so a mapping can name every column."""
    labels: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(cells, start=1):
        base = " ".join(cell.split()) or f"Column {i}"
        label, n = base, 1
        while label in seen:
            n += 1
            label = f"{base} ({n})"
        seen.add(label)
        labels.append(label)
    return tuple(labels)


class CsvReader(StreamedFile):
    """Streams the records of a CSV file, hashing its bytes as they are read.

    Use as a context manager; :meth:`records` yields every record (the header first),
    and :meth:`finish` returns the SHA-256 of the whole file.
    """

    def __init__(
        self, path: Path, encoding: TextEncoding, delimiter: str, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        super().__init__(path, encoding)
        self.delimiter, self.limits = delimiter, limits

    def records(self) -> Iterator[CsvRecord]:
        assert self._text is not None, "use CsvReader as a context manager"
        limits, name = self.limits, self.path.name
        # Process-wide: set for this reader's life, then put back for other csv users.
        previous = csv.field_size_limit(limits.max_field_chars)
        try:
            yield from self._records(limits, name)
        finally:
            csv.field_size_limit(previous)

    def _records(self, limits: Limits, name: str) -> Iterator[CsvRecord]:
        assert self._text is not None
        counter = LineCounter()
        lines = bounded_lines(self._text, counter, self.path, self.encoding, limits)
        reader = csv.reader(
            _record_guard(lines, counter, name, limits),
            delimiter=self.delimiter,
            quotechar='"',
            doublequote=True,
            skipinitialspace=False,
            strict=True,
        )
        row = 0
        while True:
            counter.record_chars = 0
            start = counter.line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_error(exc, name, row + 1, start, counter.line, limits) from None
            row += 1
            if row > limits.max_records:
                raise ImportFormatError(
                    f"{name} has more than {limits.max_records:,} rows; split it into "
                    "smaller files and import them one by one.",
                    code="import.too_many_rows",
                    row=row,
                )
            if len(cells) > limits.max_columns:
                raise ImportFormatError(
                    f"Row {row:,} (line {start:,}) of {name} has {len(cells):,} columns; at "
                    f"most {limits.max_columns:,} are read. Check that it is a contact "
                    "list and that the delimiter is right.",
                    code="import.csv.too_many_columns",
                    row=row,
                    line=start,
                )
            yield CsvRecord(row, start, cells)


def _record_guard(
    lines: Iterator[str], counter: LineCounter, name: str, limits: Limits
) -> Iterator[str]:
    """Refuse a record (a row over several lines) that grows beyond its limit, while it
    streams: an unclosed quote would otherwise swallow the rest of the file."""
    for line in lines:
        if counter.record_chars > limits.max_record_chars:
            raise ImportFormatError(
                f"The row that goes on to line {counter.line:,} of {name} is longer than "
                f"{limits.max_record_chars:,} characters: a closing quote is probably "
                "missing. Fix the file and import it again.",
                code="import.csv.row_too_long",
                line=counter.line,
            )
        yield line


def _csv_error(
    exc: csv.Error, name: str, row: int, start: int, line: int, limits: Limits
) -> ImportFormatError:
    text = str(exc)
    if "field larger than field limit" in text:
        return ImportFormatError(
            f"Row {row:,} (from line {start:,}) of {name} has a value longer than "
            f"{limits.max_field_chars:,} characters: the file is damaged, a closing quote "
            "is missing, or it is not a contact list.",
            code="import.csv.value_too_long",
            row=row,
            line=start,
        )
    if "unexpected end of data" in text:
        return ImportFormatError(
            f"{name} ends inside a quoted value that starts in row {row:,} (line "
            f"{start:,}): the file is truncated, or a closing quote is missing there.",
            code="import.csv.unclosed_quote",
            row=row,
            line=start,
        )
    if "expected after" in text:
        return ImportFormatError(
            f"Line {line:,} of {name} (row {row:,}) has text right after a closing quote: a "
            'quote inside a quoted value must be doubled (""). Fix that line and import '
            "again.",
            code="import.csv.text_after_quote",
            row=row,
            line=line,
        )
    return ImportFormatError(
        f"Line {line:,} of {name} (row {row:,}) cannot be read as CSV (a quote or a "
        "character out of place). Fix that line and import again.",
        code="import.csv.unreadable_line",
        row=row,
        line=line,
    )
