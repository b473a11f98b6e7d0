"""Reading an import file the same way twice: its layout, and its rows as drafts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crmdesk.errors import BadInput
from crmdesk.io.csv_import import CsvReader, CsvRecord, skip_to_header
from crmdesk.io.drafts import Draft
from crmdesk.io.file_kinds import FORMATS, format_named, sniff_format
from crmdesk.io.import_dates import DateReading
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.import_text import TextEncoding, refuse_binary, unreadable
from crmdesk.io.json_import import JsonLinesReader
from crmdesk.io.limits import DEFAULT_LIMITS, Limits
from crmdesk.io.vcard_cards import CardIndex
from crmdesk.io.vcard_import import VcardReader

__all__ = ["FORMATS", "Layout", "Source", "detect_format", "file_size", "read_head"]


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
    header_row: int = 1  # CSV: the row holding the header; 0 for a file without one
    fallback: str | None = None  # vCard: the encoding given for 8-bit text


class Source:
    """A file's drafts in order, with its bytes read so far and its SHA-256 at the end."""

    def __init__(self, path: Path, layout: Layout, limits: Limits) -> None:
        self.path, self.layout, self.limits = path, layout, limits
        self._stack = contextlib.ExitStack()
        self._reader: CsvReader | VcardReader | JsonLinesReader
        self.index: CardIndex | None = None

    def __enter__(self) -> Source:
        layout = self.layout
        if layout.format == "vcf":
            self._reader = VcardReader(self.path, layout.encoding, self.limits, layout.fallback)
        elif layout.format == "json":
            self._reader = JsonLinesReader(self.path, layout.encoding, self.limits)
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

    @property
    def legacy(self) -> tuple[str, int] | None:
        """vCard: the legacy encoding 8-bit text was read in, and its first line."""
        return self._reader.legacy if isinstance(self._reader, VcardReader) else None

    def finish(self) -> str:
        return self._reader.finish()

    def records(self) -> Iterator[CsvRecord]:
        """CSV records after the header."""
        assert isinstance(self._reader, CsvReader)
        records = self._reader.records()
        skip_to_header(records, self.layout.header_row)
        yield from records

    def drafts(self) -> Iterator[Draft]:
        if isinstance(self._reader, VcardReader):
            if self.index is None:
                self.index = self._reader.index()
            yield from self._reader.drafts(self.index)
            return
        if isinstance(self._reader, JsonLinesReader):
            yield from self._reader.drafts()
            return
        assert self.layout.dates is not None
        builder = RowBuilder(self.layout.header, self.layout.mapping, self.layout.dates)
        for record in self.records():
            yield builder.build(record)


def read_head(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(limits.sample_bytes)
    except OSError as exc:
        raise unreadable(path, exc) from None


def detect_format(path: Path, given: str | None, head: bytes) -> str:
    """The format, "csv", "vcf" or "json": as given, else by content (BEGIN:VCARD, a
    client as JSON), else by the file's extension. A file that is no contact list (a
    calendar, a spreadsheet, other JSON...) is refused, named."""
    refuse_binary(head, path.name)
    if given:
        wanted = format_named(given)
        if wanted is None:
            raise BadInput(
                f"Unknown import format {given!r}; use csv, vcf or json.",
                code="import.unknown_format",
                value=given,
            )
        return wanted
    return sniff_format(head, path.name, path.suffix.lower())


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
