"""Importing clients from CSV and vCard files: a plan to look at, then one commit.

:meth:`ImportService.plan` reads the file once, streaming (a file of 100,000 rows is
never held whole), and says what an import would do: the encoding and delimiter found,
the column mapping, a preview, counts, and every row problem (invalid values, likely
duplicates of existing clients or of earlier rows) with its row number. Nothing is
written. :meth:`ImportService.commit` reads the file again, refuses if it changed since
the plan (SHA-256), and writes everything in ONE transaction with one audit event
(``clients.imported``): all or nothing, so an error or a cancel leaves the vault as it
was. Each row becomes client JSON and then a client through
:func:`crmdesk.domain.client_from_json`, so the rules are those of ``client add``.

Per row the choice is skip, merge (into the existing client: empty fields filled,
emails, phones, addresses, tags and contacts added, nothing overwritten) or import
(anyway: as a new client, leaving out values that are invalid). By default invalid rows
and duplicates are skipped. Only an Owner or a Manager may import.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from crmdesk.domain import Client, ValidationError, client_from_json, client_to_json, fold
from crmdesk.domain.entities import Address, Contact
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.io.csv_import import CsvFormat, CsvReader, CsvRecord, inspect_csv, skip_to_header
from crmdesk.io.drafts import Draft, Issue, ProblemKind, describe, without_paths
from crmdesk.io.import_dates import DateEvidence, DateOrder, DateReading
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.import_text import (
    TextEncoding,
    detect_encoding,
    file_sha256,
    read_sample,
    unreadable,
)
from crmdesk.io.limits import DEFAULT_LIMITS, Limits
from crmdesk.io.mapping import MappingError, check_mapping, guess_mapping
from crmdesk.io.vcard_import import VcardReader
from crmdesk.services import client_store as store
from crmdesk.services.access import require
from crmdesk.services.session import Session

__all__ = [
    "Choice",
    "ImportCancelled",
    "ImportCounts",
    "ImportPlan",
    "ImportResult",
    "ImportService",
    "PreviewRow",
    "Problem",
    "ProblemKind",
    "detect_format",
    "merge_clients",
]

FORMATS = {"csv": "CSV", "vcf": "vCard"}
_NAME_TARGETS = {"name", "contact.name", "contact.given_name", "contact.family_name"}
_CANCEL_EVERY = 256  # rows between two looks at the cancel flag


class Choice(StrEnum):
    """What to do with a row that has a problem."""

    SKIP = "skip"
    MERGE = "merge"  # into the existing client (or the earlier row's), never overwriting
    IMPORT = "import"  # anyway: a new client, invalid values left out


class ImportCancelled(CrmdeskError):
    """The person cancelled; nothing was imported."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of one row (or card): the row number as a spreadsheet shows it (the
    header is row 1; for vCard, the card's number), its first line, and for a likely
    duplicate the existing client (or earlier row) it resembles."""

    row: int
    line: int
    kind: ProblemKind
    message: str
    column: str | None = None
    candidate_id: int | None = None
    candidate_name: str | None = None
    candidate_row: int | None = None
    action: str = ""  # what happens to the row: add, merge or skip

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["kind"] = self.kind.value
        return data


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A row as it would be imported: ``action`` is add, merge or skip."""

    row: int
    action: str
    client: dict[str, Any] | None
    problems: tuple[str, ...] = ()
    into: int | None = None  # the existing client a merge goes into

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What a plan found; blank rows are counted apart and otherwise ignored."""

    rows: int = 0
    blank: int = 0
    invalid: int = 0
    duplicates: int = 0  # of existing clients
    in_file_duplicates: int = 0  # of an earlier row being imported
    to_add: int = 0
    to_merge: int = 0
    to_skip: int = 0


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do; pass it to :meth:`ImportService.commit`."""

    path: Path
    format: str  # "csv" or "vcf"
    sha256: str
    size: int
    encoding: TextEncoding
    delimiter: str | None
    delimiter_reason: str | None
    header: tuple[str, ...]
    mapping: dict[str, str]
    mapping_guessed: bool
    date_order: DateOrder | None
    assumptions: tuple[str, ...]
    on_duplicate: Choice
    on_invalid: Choice
    counts: ImportCounts
    preview: tuple[PreviewRow, ...]
    problems: tuple[Problem, ...]  # the first ``max_problems`` (see problems_total)
    problems_total: int
    problem_kinds: dict[str, int]
    phone_region: str = "US"

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def delimiter_name(self) -> str | None:
        names = {",": "comma", ";": "semicolon", "\t": "tab"}
        return None if self.delimiter is None else names.get(self.delimiter, self.delimiter)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "encoding": self.encoding.label,
            "encoding_reason": self.encoding.reason,
            "delimiter": self.delimiter_name,
            "delimiter_reason": self.delimiter_reason,
            "header": list(self.header),
            "mapping": self.mapping,
            "mapping_guessed": self.mapping_guessed,
            "date_order": self.date_order.value if self.date_order else None,
            "assumptions": list(self.assumptions),
            "on_duplicate": self.on_duplicate.value,
            "on_invalid": self.on_invalid.value,
            "counts": dataclasses.asdict(self.counts),
            "problem_kinds": self.problem_kinds,
            "problems_total": self.problems_total,
            "problems": [p.to_json() for p in self.problems],
            "preview": [p.to_json() for p in self.preview],
        }


@dataclass(frozen=True)
class ImportResult:
    """What a commit did."""

    file_name: str
    sha256: str
    format: str
    added: int
    merged: int  # rows merged into a client
    skipped: int
    added_ids: tuple[int, int] | None  # first and last id of the new clients
    merged_ids: tuple[int, ...]  # the clients rows were merged into
    problems: tuple[Problem, ...]
    problems_total: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["problems"] = [p.to_json() for p in self.problems]
        data["added_ids"] = list(self.added_ids) if self.added_ids else None
        data["merged_ids"] = list(self.merged_ids)
        return data


# ------------------------------------------------------------------------- matching


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", fold(name)).split())


def _keys(client: Client) -> list[tuple[int, str, str]]:
    """What makes two clients likely the same: (hash, what, value) per email, phone
    (E.164) and folded name. Hashes keep 100,000 clients' keys in a few MB."""
    found: list[tuple[int, str, str]] = []
    emails = list(client.emails) + [e for c in client.contacts for e in c.emails]
    phones = list(client.phones) + [p for c in client.contacts for p in c.phones]
    for email in emails:
        found.append((hash(("e", email.casefold())), "email", email))
    for phone in phones:
        found.append((hash(("p", phone)), "phone", phone))
    name = _name_key(client.name)
    if name:
        found.append((hash(("n", name)), "name", client.name))
    return found


class _Existing:
    """Emails, phones and folded names of the clients already in the vault."""

    def __init__(self, conn: Any) -> None:
        self.ids: dict[int, int] = {}
        self.names: dict[int, str] = {}  # of the clients named in problems so far
        for client_id, name, emails, phones in conn.execute(
            "SELECT id, name, emails, phones FROM clients ORDER BY id"
        ):
            self._add(client_id, json.loads(emails), json.loads(phones), name)
        for client_id, emails, phones in conn.execute(
            "SELECT client_id, emails, phones FROM contacts ORDER BY client_id"
        ):
            self._add(client_id, json.loads(emails), json.loads(phones), "")

    def _add(self, client_id: int, emails: list[str], phones: list[str], name: str) -> None:
        keys = [hash(("e", e.casefold())) for e in emails] + [hash(("p", p)) for p in phones]
        if name and (folded := _name_key(name)):
            keys.append(hash(("n", folded)))
        for key in keys:
            self.ids.setdefault(key, client_id)


@dataclass(slots=True)
class _Row:
    """One row assessed: the client it gives (or would give, imported anyway), its
    problems, and what it resembles."""

    draft: Draft
    client: Client | None = None
    issues: list[Issue] = field(default_factory=list)
    fallback: Client | None = None  # the client without the invalid values
    fallback_why: str = ""
    keys: list[tuple[int, str, str]] = field(default_factory=list)
    existing: int | None = None
    earlier: int | None = None
    match: str = ""

    @property
    def invalid(self) -> bool:
        return bool(self.issues)

    @property
    def duplicate(self) -> bool:
        return self.existing is not None or self.earlier is not None

    @property
    def usable(self) -> Client | None:
        return self.client if not self.issues else self.fallback


_PENDING = -1  # a row whose client waits in the current batch


class _Run:
    """The rules shared by plan and commit: validation, duplicates and the choice."""

    def __init__(
        self,
        existing: _Existing,
        region: str,
        on_duplicate: Choice,
        on_invalid: Choice,
        decisions: Mapping[int, Choice],
    ) -> None:
        self.existing = existing
        self.region = region
        self.on_duplicate, self.on_invalid = on_duplicate, on_invalid
        self.decisions = decisions
        # Key -> the earlier row being imported with it; row -> where it landed.
        self.in_file: dict[int, int] = {}
        self.landed: dict[int, int] = {}

    def assess(self, draft: Draft) -> _Row:
        row = _Row(draft, issues=list(draft.issues))
        if draft.data is None:
            row.fallback_why = "nothing could be read from it"
            return row
        try:
            row.client = client_from_json(draft.data, default_region=self.region)
        except ValidationError as exc:
            row.issues += [describe(error, draft) for error in exc.errors]
        if row.issues:
            self._fallback(row)
        target = row.usable
        if target is not None:
            row.keys = _keys(target)
            existing = self.existing.ids
            for key, what, value in row.keys:
                if key in existing:
                    row.existing, row.match = existing[key], f"{what} {value}"
                    break
            else:
                for key, what, value in row.keys:
                    if key in self.in_file:
                        row.earlier, row.match = self.in_file[key], f"{what} {value}"
                        break
        return row

    def _fallback(self, row: _Row) -> None:
        if row.client is not None:  # valid, but the row itself is odd (extra cells)
            row.fallback = row.client
            return
        assert row.draft.data is not None
        cleaned = without_paths(row.draft.data, row.issues)
        if cleaned is None:
            row.fallback_why = "it has no name"
            return
        try:
            row.fallback = client_from_json(cleaned, default_region=self.region)
        except ValidationError as exc:
            row.fallback_why = f"it is still invalid without the faulty values ({exc})"

    def choose(self, row: _Row) -> str:
        """What happens to the row: "add", "merge" or "skip" (its decision first, then
        the defaults)."""
        number = row.draft.row
        choice = self.decisions.get(number)
        if choice is None:
            choice = Choice.IMPORT
            if row.invalid:
                choice = self.on_invalid
            if choice is not Choice.SKIP and row.duplicate:
                choice = self.on_duplicate
        if choice is Choice.SKIP or row.usable is None:
            return "skip"
        if choice is Choice.MERGE and row.duplicate:
            if row.existing is None and self.landed.get(row.earlier or 0) is None:
                return "add"  # the earlier row was skipped after all
            return "merge"
        return "add"

    def landed_at(self, row: _Row, where: int) -> None:
        """Remember where a row's client went, so later rows can be matched to it."""
        number = row.draft.row
        self.landed[number] = where
        for key, _, _ in row.keys:
            self.in_file.setdefault(key, number)

    def problems(self, row: _Row, action: str, name_of: Callable[[int], str]) -> list[Problem]:
        draft = row.draft
        found = [
            Problem(draft.row, draft.line, i.kind, i.message, i.column, action=action)
            for i in row.issues
        ]
        if row.existing is not None:
            name = self.existing.names.get(row.existing)
            if name is None:
                name = self.existing.names[row.existing] = name_of(row.existing)
            found.append(
                Problem(
                    draft.row,
                    draft.line,
                    ProblemKind.DUPLICATE,
                    f'likely the same as client {row.existing} "{name}" (same {row.match})',
                    candidate_id=row.existing,
                    candidate_name=name,
                    action=action,
                )
            )
        elif row.earlier is not None:
            found.append(
                Problem(
                    draft.row,
                    draft.line,
                    ProblemKind.DUPLICATE_IN_FILE,
                    f"likely the same as row {row.earlier} of this file (same {row.match})",
                    candidate_row=row.earlier,
                    action=action,
                )
            )
        return found


# --------------------------------------------------------------------------- merging


def merge_clients(existing: Client, incoming: Client) -> Client:
    """``existing`` with what ``incoming`` adds: empty fields filled; emails, phones,
    addresses, tags and contacts added; nothing that is there is overwritten. A contact
    with the same (folded) name is completed the same way instead of repeated."""
    filled = {
        name: getattr(incoming, name)
        for name in ("industry", "salesperson", "website", "source", "notes")
        if not getattr(existing, name) and getattr(incoming, name)
    }
    contacts = [dataclasses.replace(c) for c in existing.contacts]
    by_name = {fold(c.name.strip()): i for i, c in enumerate(contacts)}
    for new in incoming.contacts:
        at = by_name.get(fold(new.name.strip()))
        if at is None:
            by_name[fold(new.name.strip())] = len(contacts)
            contacts.append(dataclasses.replace(new, id=None))
        else:
            contacts[at] = _merge_contact(contacts[at], new)
    return dataclasses.replace(
        existing,
        **filled,
        emails=_added(existing.emails, incoming.emails, str.casefold),
        phones=_added(existing.phones, incoming.phones, str),
        addresses=_added(existing.addresses, incoming.addresses, _address_key),
        tags=_added(existing.tags, incoming.tags, str.casefold),
        contacts=contacts,
    )


def _merge_contact(old: Contact, new: Contact) -> Contact:
    return dataclasses.replace(
        old,
        title=old.title or new.title,
        birthday=old.birthday or new.birthday,
        notes=old.notes or new.notes,
        emails=_added(old.emails, new.emails, str.casefold),
        phones=_added(old.phones, new.phones, str),
    )


def _address_key(a: Address) -> tuple[str, ...]:
    return tuple(fold(v.strip()) for v in (a.street, a.city, a.region, a.postal_code, a.country))


def _added(old: list[Any], new: list[Any], key: Callable[[Any], object]) -> list[Any]:
    seen = {key(v) for v in old}
    out = list(old)
    for value in new:
        if key(value) not in seen:
            seen.add(key(value))
            out.append(value)
    return out


def _shown(client: Client) -> dict[str, Any]:
    """Client JSON without the empty fields, for previews."""
    return _without_empty(client_to_json(client))


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", [], None, {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class _Layout:
    """Everything needed to read a file the same way twice."""

    format: str
    encoding: TextEncoding
    delimiter: str | None
    delimiter_reason: str | None
    header: tuple[str, ...]
    mapping: dict[str, str]
    dates: DateReading | None


class _Source:
    """A file's drafts in order, with its bytes read so far and its SHA-256 at the end."""

    def __init__(self, path: Path, layout: _Layout, limits: Limits) -> None:
        self.path, self.layout, self.limits = path, layout, limits
        self._stack = contextlib.ExitStack()
        self._reader: CsvReader | VcardReader

    def __enter__(self) -> _Source:
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
            raise BadInput(f"Unknown import format {given!r}; use csv or vcf.")
        return wanted
    sample = read_sample(path, encoding or detect_encoding(path, limits), limits)
    first = next((line.strip() for line in sample.splitlines() if line.strip()), "")
    if first.upper().replace(" ", "").startswith("BEGIN:VCARD"):
        return "vcf"
    return "vcf" if path.suffix.lower() in (".vcf", ".vcard") else "csv"


def _file_size(path: Path) -> int:
    try:
        if not path.is_file():
            raise BadInput(f"{path} is not a file. Give the CSV or vCard file to import.")
        return path.stat().st_size
    except OSError as exc:
        raise unreadable(path, exc) from None


# --------------------------------------------------------------------------- service

Progress = Callable[[int, int], None]


class ImportService:
    """Imports into the session's vault, as the session's person."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        phone_region: str = "US",
        limits: Limits = DEFAULT_LIMITS,
        batch_size: int = 2000,
        max_problems: int = 10_000,
    ) -> None:
        self._session = session
        self._today, self._now = today, now
        self._region = phone_region
        self._limits = limits
        self._batch_size = batch_size
        self._max_problems = max_problems

    @property
    def _vault(self) -> Any:
        return self._session.vault

    # -- plan --------------------------------------------------------------------------

    def plan(
        self,
        path: str | Path,
        mapping: Mapping[str, str] | None = None,
        *,
        format: str | None = None,  # noqa: A002 - the word people use
        on_duplicate: Choice = Choice.SKIP,
        on_invalid: Choice = Choice.SKIP,
        date_order: DateOrder | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        limit_preview: int = 20,
    ) -> ImportPlan:
        """Read the file and say what importing it would do; nothing is written.

        ``mapping`` ({column: target}) is checked against the header; without one it is
        guessed. ``progress(done, total)`` gets bytes read; ``cancelled()`` is asked as
        the file streams and stops the plan with :class:`ImportCancelled`.
        """
        require(self._session, Permission.IMPORT, what="import")
        if on_invalid is Choice.MERGE:
            on_invalid = Choice.IMPORT  # merging needs a valid row first: same thing
        path = Path(path)
        size = _file_size(path)
        encoding = detect_encoding(path, self._limits)
        kind = detect_format(path, format, self._limits, encoding)
        layout, guessed = self._layout(
            path, kind, encoding, mapping, date_order, size, progress, cancelled
        )
        with self._vault.reading() as conn:
            existing = _Existing(conn)
        run = _Run(existing, self._region, on_duplicate, on_invalid, {})
        counts: dict[str, int] = dict.fromkeys(dataclasses.asdict(ImportCounts()), 0)
        kinds: dict[str, int] = {}
        problems: list[Problem] = []
        preview: list[PreviewRow] = []
        two_passes = layout.format == "csv" and layout.dates is not None and self._has_dates(layout)
        with _Source(path, layout, self._limits) as source:
            for i, draft in enumerate(source.drafts()):
                _check_cancel(cancelled, i)
                if draft.blank:
                    counts["blank"] += 1
                    continue
                counts["rows"] += 1
                row = run.assess(draft)
                action = run.choose(row)
                if action == "add":
                    run.landed_at(row, _PENDING)
                elif action == "merge":
                    run.landed_at(row, row.existing or run.landed.get(row.earlier or 0, 0))
                counts["invalid"] += row.invalid
                counts["duplicates"] += row.existing is not None
                counts["in_file_duplicates"] += row.earlier is not None
                counts[f"to_{action}"] += 1
                found: list[Problem] = []
                if row.invalid or row.duplicate:
                    found = run.problems(row, action, self._name_outside)
                for problem in found:
                    kinds[problem.kind.value] = kinds.get(problem.kind.value, 0) + 1
                    if len(problems) < self._max_problems:
                        problems.append(problem)
                if len(preview) < limit_preview:
                    preview.append(_preview(row, action, found))
                if progress and i % _CANCEL_EVERY == 0:
                    _report(progress, source.bytes_read, size, two_passes, second=True)
            sha256 = source.finish()
        if progress:
            progress(size, size)
        return ImportPlan(
            path=path,
            format=layout.format,
            sha256=sha256,
            size=size,
            encoding=layout.encoding,
            delimiter=layout.delimiter,
            delimiter_reason=layout.delimiter_reason,
            header=layout.header,
            mapping=layout.mapping,
            mapping_guessed=guessed,
            date_order=layout.dates.order if layout.dates and self._has_dates(layout) else None,
            assumptions=tuple(layout.dates.assumptions if layout.dates else ()),
            on_duplicate=on_duplicate,
            on_invalid=on_invalid,
            counts=ImportCounts(**counts),
            preview=tuple(preview),
            problems=tuple(problems),
            problems_total=sum(kinds.values()),
            problem_kinds=kinds,
            phone_region=self._region,
        )

    def _layout(
        self,
        path: Path,
        kind: str,
        encoding: TextEncoding,
        mapping: Mapping[str, str] | None,
        date_order: DateOrder | None,
        size: int,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> tuple[_Layout, bool]:
        """How to read the file: encoding, delimiter, mapping and date order (the last
        from a first pass over the date columns, when there are any)."""
        if kind == "vcf":
            if mapping:
                raise MappingError("A column mapping is for CSV files; a vCard has no columns.")
            return _Layout("vcf", encoding, None, None, (), {}, None), False
        fmt: CsvFormat = inspect_csv(path, self._limits, encoding=encoding)
        guessed = mapping is None
        used = guess_mapping(fmt.header) if mapping is None else check_mapping(mapping, fmt.header)
        if not _NAME_TARGETS & set(used.values()):
            columns = ", ".join(f'"{c}"' for c in fmt.header[:30])
            how = (
                "None of its columns looks like a name"
                if guessed
                else "The mapping maps no column to a name"
            )
            raise MappingError(
                f"{how} (name, contact.name, contact.given_name or contact.family_name), so "
                f"no row could be imported. Columns: {columns}. Give a mapping file with "
                '--mapping, e.g. {"Customer": "name"}.'
            )
        layout = _Layout(
            "csv", fmt.encoding, fmt.delimiter, fmt.delimiter_reason, fmt.header, used, None
        )
        builder = RowBuilder(fmt.header, used, DateReading(date_order or DateOrder.MDY))
        evidence = DateEvidence()
        if builder.has_dates:
            with _Source(path, layout, self._limits) as source:
                for i, record in enumerate(source.records()):
                    _check_cancel(cancelled, i)
                    for cell in builder.date_cells(record):
                        evidence.feed(cell, record.row)
                    if progress and i % _CANCEL_EVERY == 0:
                        _report(progress, source.bytes_read, size, True, second=False)
        return dataclasses.replace(layout, dates=evidence.decide(date_order)), guessed

    def _name_outside(self, client_id: int) -> str:
        with self._vault.reading() as conn:
            return _client_name(conn, client_id)

    @staticmethod
    def _has_dates(layout: _Layout) -> bool:
        return "contact.birthday" in layout.mapping.values()

    # -- commit ------------------------------------------------------------------------

    def commit(
        self,
        plan: ImportPlan,
        decisions: Mapping[int, Choice] | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ImportResult:
        """Import as planned, in one transaction: all rows or none.

        ``decisions`` ({row: choice}) override the plan's defaults for those rows. The
        file is read again and must be the one planned (same SHA-256). An error, or
        ``cancelled()`` turning true, rolls everything back (:class:`ImportCancelled`).
        """
        require(self._session, Permission.IMPORT, what="import")
        started = time.monotonic()
        decisions = {int(k): Choice(v) for k, v in (decisions or {}).items()}
        if file_sha256(plan.path) != plan.sha256:
            raise _changed(plan)
        layout = _Layout(
            plan.format,
            plan.encoding,
            plan.delimiter,
            plan.delimiter_reason,
            plan.header,
            plan.mapping,
            DateReading(plan.date_order or DateOrder.MDY, list(plan.assumptions)),
        )
        now, today = self._now(), self._today()
        vault = self._vault
        added: list[int] = []
        merged_ids: dict[int, None] = {}
        merged = skipped = 0
        kinds_total = 0
        problems: list[Problem] = []
        with vault.bulk_writes(), vault.transaction() as conn:
            run = _Run(
                _Existing(conn), plan.phone_region, plan.on_duplicate, plan.on_invalid, decisions
            )
            pending: list[tuple[int, Client]] = []

            def flush() -> None:
                if not pending:
                    return
                ids = store.insert_clients(conn, [c for _, c in pending], now, today)
                for (row, _), client_id in zip(pending, ids, strict=True):
                    run.landed[row] = client_id
                added.extend(ids)
                pending.clear()

            with _Source(plan.path, layout, self._limits) as source:
                for i, draft in enumerate(source.drafts()):
                    _check_cancel(cancelled, i)
                    if draft.blank:
                        continue
                    row = run.assess(draft)
                    action = run.choose(row)
                    if row.invalid or row.duplicate:
                        named = run.problems(row, action, lambda i: _client_name(conn, i))
                        for problem in named:
                            kinds_total += 1
                            if len(problems) < self._max_problems:
                                problems.append(problem)
                    client = row.usable
                    if action == "add":
                        assert client is not None
                        pending.append((draft.row, client))
                        run.landed_at(row, _PENDING)
                        if len(pending) >= self._batch_size:
                            flush()
                    elif action == "merge":
                        assert client is not None
                        target = row.existing
                        if target is None:
                            if run.landed.get(row.earlier or 0) == _PENDING:
                                flush()
                            target = run.landed[row.earlier or 0]
                        current = store.load_client(conn, target)
                        assert current is not None
                        changed = merge_clients(current, client)
                        if changed != current:
                            store.update_client(conn, changed, now, today)
                        merged_ids[target] = None
                        run.landed_at(row, target)
                        merged += 1
                    else:
                        skipped += 1
                    if progress and i % _CANCEL_EVERY == 0:
                        progress(source.bytes_read, plan.size)
                flush()
                if source.finish() != plan.sha256:
                    raise _changed(plan)
            _check_cancel(cancelled, 0)
            vault.record_event(
                self._session.actor,
                "clients.imported",
                object=f"client:{added[0]}..{added[-1]}" if added else "clients",
                details={
                    "file": plan.file_name,
                    "sha256": plan.sha256,
                    "format": plan.format,
                    "encoding": plan.encoding.label,
                    "rows": len(added) + merged + skipped,
                    "added": len(added),
                    "merged": merged,
                    "skipped": skipped,
                    "merged_ids": list(merged_ids),
                },
            )
        if progress:
            progress(plan.size, plan.size)
        return ImportResult(
            file_name=plan.file_name,
            sha256=plan.sha256,
            format=plan.format,
            added=len(added),
            merged=merged,
            skipped=skipped,
            added_ids=(added[0], added[-1]) if added else None,
            merged_ids=tuple(merged_ids),
            problems=tuple(problems),
            problems_total=kinds_total,
            seconds=time.monotonic() - started,
        )


def _preview(row: _Row, action: str, problems: list[Problem]) -> PreviewRow:
    client = row.usable if action != "skip" else (row.client or row.fallback)
    return PreviewRow(
        row=row.draft.row,
        action=action,
        client=_shown(client) if client is not None else None,
        problems=tuple(p.message for p in problems),
        into=row.existing if action == "merge" else None,
    )


def _client_name(conn: Any, client_id: int) -> str:
    row = conn.execute("SELECT name FROM clients WHERE id = ?", (client_id,)).fetchone()
    return row[0] if row else ""


def _check_cancel(cancelled: Callable[[], bool] | None, i: int) -> None:
    if cancelled is not None and i % _CANCEL_EVERY == 0 and cancelled():
        raise ImportCancelled("The import was cancelled; nothing was imported.")


def _report(progress: Progress, done: int, size: int, two_passes: bool, *, second: bool) -> None:
    """Bytes read; with a first pass over the dates, each pass is half the way."""
    if not two_passes:
        progress(min(done, size), size)
    else:
        progress(min(done // 2 + (size // 2 if second else 0), size), size)


def _changed(plan: ImportPlan) -> BadInput:
    return BadInput(
        f"{plan.file_name} changed after it was checked (its SHA-256 differs); nothing was "
        "imported. Check the file again (crmdesk import --dry-run) and then import it."
    )
