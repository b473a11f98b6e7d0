"""Reading an import file the same way twice: its layout, and its rows as drafts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import BadInput
from crmdesk.io.csv_import import CsvReader, CsvRecord, skip_to_header
from crmdesk.io.drafts import Draft
from crmdesk.io.import_dates import DateReading
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.import_text import TextEncoding, detect_encoding, read_sample, unreadable
from crmdesk.io.limits import DEFAULT_LIMITS, Limits
from crmdesk.io.vcard_import import VcardReader

FORMATS = {"csv": "CSV", "vcf": "vCard"}


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything needed to read a file the same way twice."""

    format: str
    encoding: TextEncoding
    delimiter: str | None
    delimiter_reason: str | None
    header: tuple[str, ...]
    mapping: dict[str, str]
    dates: DateReading | None


class Source:
    """A file's drafts in order, with its bytes read so far and its SHA-256 at the end."""

    def __init__(self, path: Path, layout: Layout, limits: Limits) -> None:
        self.path, self.layout, self.limits = path, layout, limits
        self._stack = contextlib.ExitStack()
        self._reader: CsvReader | VcardReader

    def __enter__(self) -> Source:
        layout = self.layout
        if layout.format == "vcf":
            self._reader = VcardReader(self.path, layout.encoding, self.limits)
        else:
            assert layout.delimiter is not None
            self._reader = CsvReader(self.path, layout.encoding, layout.delimiter, self.limits)
        self._stack.enter_context(self._reader)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read

    def finish(self) -> str:
        return self._reader.finish()

    def records(self) -> Iterator[CsvRecord]:
        """CSV records after the header."""
        assert isinstance(self._reader, CsvReader) and self.layout.delimiter is not None
        records = self._reader.records()
        skip_to_header(records, self.layout.delimiter)
        yield from records

    def drafts(self) -> Iterator[Draft]:
        if isinstance(self._reader, VcardReader):
            yield from self._reader.drafts()
            return
        assert self.layout.dates is not None
        builder = RowBuilder(self.layout.header, self.layout.mapping, self.layout.dates)
        for record in self.records():
            yield builder.build(record)


def detect_format(
    path: Path,
    given: str | None,
    limits: Limits = DEFAULT_LIMITS,
    encoding: TextEncoding | None = None,
) -> str:
    """The format, "csv" or "vcf": as given, else by content (BEGIN:VCARD), else by the
    file's extension."""
    if given:
        wanted = given.strip().lower().lstrip(".")
        wanted = {"vcard": "vcf", "vcf": "vcf", "csv": "csv", "tsv": "csv"}.get(wanted, wanted)
        if wanted not in FORMATS:
            raise BadInput(
                f"Unknown import format {given!r}; use csv or vcf.",
                code="import.unknown_format",
                value=given,
            )
        return wanted
    sample = read_sample(path, encoding or detect_encoding(path, limits), limits)
    first = next((line.strip() for line in sample.splitlines() if line.strip()), "")
    if first.upper().replace(" ", "").startswith("BEGIN:VCARD"):
        return "vcf"
    return "vcf" if path.suffix.lower() in (".vcf", ".vcard") else "csv"


def file_size(path: Path) -> int:
    try:
        if not path.is_file():
            raise BadInput(
                f"{path} is not a file. Give the CSV or vCard file to import.",
                code="import.not_a_file",
                path=path,
            )
        return path.stat().st_size
    except OSError as exc:
        raise unreadable(path, exc) from None
