"""Importing clients from CSV, vCard and crmdesk JSON Lines files: a plan to look at,
then one commit.

:meth:`ImportService.plan` reads the file once, streaming (a file of 100,000 rows is
never held whole), and says what an import would do: the encoding and delimiter found,
the column mapping, a preview, counts, what is not imported, and every row problem
(values that cannot be read, likely and possible duplicates of existing clients or of
earlier rows) with its row number. Nothing is written. :meth:`ImportService.commit`
reads the file again, refuses if it changed since the plan (SHA-256), and writes
everything in ONE transaction with one audit event (``clients.imported``): all or
nothing, so an error or a cancel leaves the vault as it was. Each row becomes client
JSON and then a client through :func:`crmdesk.domain.client_from_json`, so the rules are
those of ``client add``.

Per row the choice is skip, merge (into the existing client: empty fields filled,
emails, phones, addresses, tags and contacts added, nothing overwritten) or import
(anyway: as a new client, values that cannot be read kept in the notes, marked). By
default a value that cannot be read costs that value, not the person (the row is
imported with it in the notes), and likely duplicates (the same email address) are
skipped; rows of one company join its client. Phone numbers without "+" are read in
the vault's region (services/settings.py) unless the plan is given another. Only an
Owner or a Manager may import.

The plan and result are in imports_records.py, the rules applied to each row in
imports_rules.py, and the reading of the file in imports_files.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from crmdesk.domain import Client
from crmdesk.domain.merge import join_clients, merge_clients
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput, Notice
from crmdesk.io.csv_import import CsvFormat, inspect_csv
from crmdesk.io.drafts import ProblemKind
from crmdesk.io.import_dates import DateEvidence, DateOrder, DateReading
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.import_text import detect_encoding, file_sha256, given_encoding
from crmdesk.io.limits import DEFAULT_LIMITS, ImportFormatError, Limits
from crmdesk.io.mapping import MappingError, check_mapping, guess_mapping
from crmdesk.io.vcard_import import vcard_encoding
from crmdesk.services import client_store as store
from crmdesk.services.access import require
from crmdesk.services.gc_pause import collections_paused
from crmdesk.services.imports_files import (
    FORMATS,
    Layout,
    Source,
    detect_format,
    file_size,
    read_head,
)
from crmdesk.services.imports_notes import (
    NotImported,
    legacy_notice,
    no_header_notice,
    preamble_notice,
)
from crmdesk.services.imports_records import (
    Choice,
    ImportCancelled,
    ImportCounts,
    ImportPlan,
    ImportResult,
    PreviewRow,
    Problem,
)
from crmdesk.services.imports_rules import PENDING, Existing, Row, Rules, checked_only, unmatched
from crmdesk.services.imports_rules import preview as preview_row
from crmdesk.services.session import Session
from crmdesk.services.settings import checked_region, phone_region

__all__ = [
    "FORMATS",
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
]

# A row needs one of these to be a client: a name, or an email address or phone number
# to be named by (domain/naming.py).
_NAME_TARGETS = {
    "name",
    "contact.name",
    "contact.given_name",
    "contact.family_name",
    "email",
    "emails",
    "phone",
    "phones",
    "contact.email",
    "contact.emails",
    "contact.phone",
    "contact.phones",
}
_CANCEL_EVERY = 256  # rows between two looks at the cancel flag


Progress = Callable[[int, int], None]


class ImportService:
    """Imports into the session's vault, as the session's person."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        phone_region: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        batch_size: int = 2000,
        max_problems: int = 10_000,
    ) -> None:
        self._session = session
        self._today, self._now = today, now
        self._region = phone_region  # None: the vault's
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
        on_invalid: Choice = Choice.IMPORT,
        date_order: DateOrder | None = None,
        region: str | None = None,
        encoding: str | None = None,
        header: bool = True,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        limit_preview: int = 20,
    ) -> ImportPlan:
        """Read the file and say what importing it would do; nothing is written.

        ``mapping`` ({column: target}) is checked against the header; without one it is
        guessed. ``region`` reads phone numbers without "+" (default: the vault's);
        ``encoding`` names the file's encoding (default: detected); ``header`` false reads
        a CSV file without a header row (its columns are "Column 1"...). By default a
        row's values that cannot be read are kept in its notes (``on_invalid`` IMPORT;
        SKIP skips such rows). ``progress(done, total)`` gets bytes read; ``cancelled()``
        is asked as the file streams and stops the plan with :class:`ImportCancelled`.
        """
        require(self._session, Permission.IMPORT, what="import")
        if on_invalid is Choice.MERGE:
            on_invalid = Choice.IMPORT  # merging needs a valid row first: same thing
        used_region = self._checked_region(region)
        path = Path(path)
        size = file_size(path)
        head = read_head(path, self._limits)
        if not head:
            raise ImportFormatError(
                f"{path.name} is empty: there is nothing to import.", code="import.empty"
            )
        kind = detect_format(path, format, head)
        layout, guessed, notes = self._layout(
            path, kind, head, mapping, date_order, encoding, header, size, progress, cancelled
        )
        with self._vault.reading() as conn:
            existing = Existing(store.reachability(conn))
        run = Rules(existing, used_region, on_duplicate, on_invalid, {})
        counts: dict[str, int] = dict.fromkeys(dataclasses.asdict(ImportCounts()), 0)
        kinds: dict[str, int] = {}
        problems: list[Problem] = []
        preview: list[PreviewRow] = []
        checked: list[Row] = []
        left_out = NotImported(layout.format)
        two_passes = layout.format == "csv" and layout.dates is not None and self._has_dates(layout)
        with collections_paused(), Source(path, layout, self._limits) as source:
            for i, draft in enumerate(source.drafts()):
                _check_cancel(cancelled, i)
                if draft.blank:
                    counts["blank"] += 1
                    continue
                counts["rows"] += 1
                left_out.feed(draft)
                row = run.check(draft)
                checked.append(checked_only(row))
                run.match(row)
                action = run.choose(row)
                if action in ("add", "merge", "join"):
                    run.landed_at(row, PENDING if action == "add" else run.target(row), action)
                counts["invalid"] += row.invalid
                counts["duplicates"] += row.existing is not None and row.strong
                counts["in_file_duplicates"] += row.earlier is not None and row.strong
                counts["possible_duplicates"] += row.duplicate and not row.strong
                counts[f"to_{action}"] += 1
                found: list[Problem] = []
                if row.invalid or row.duplicate:
                    found = run.problems(row, action, self._name_outside)
                for problem in found:
                    kinds[problem.kind.value] = kinds.get(problem.kind.value, 0) + 1
                    if len(problems) < self._max_problems:
                        problems.append(problem)
                if len(preview) < limit_preview:
                    preview.append(preview_row(row, action, found))
                if progress and i % _CANCEL_EVERY == 0:
                    _report(progress, source.bytes_read, size, two_passes, second=True)
            sha256 = source.finish()
            if source.legacy:
                notes.append(legacy_notice(*source.legacy))
        if progress:
            progress(size, size)
        assumptions = [*(layout.dates.assumptions if layout.dates else ()), *notes]
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
            assumptions=(*assumptions, *left_out.notices()),
            on_duplicate=on_duplicate,
            on_invalid=on_invalid,
            counts=ImportCounts(**counts),
            preview=tuple(preview),
            problems=tuple(problems),
            problems_total=sum(kinds.values()),
            problem_kinds=kinds,
            phone_region=used_region,
            header_row=layout.header_row,
            fallback=layout.fallback,
            checked=tuple(checked),
        )

    def _checked_region(self, region: str | None) -> str:
        """The region given (checked), else this service's, else the vault's."""
        if region is None:
            return self._region or phone_region(self._vault)
        return checked_region(region)

    def _layout(
        self,
        path: Path,
        kind: str,
        head: bytes,
        mapping: Mapping[str, str] | None,
        date_order: DateOrder | None,
        encoding: str | None,
        header: bool,
        size: int,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> tuple[Layout, bool, list[Notice]]:
        """How to read the file: encoding, delimiter, header, mapping and date order (the
        last from a first pass over the date columns, when there are any)."""
        if kind in ("vcf", "json") and mapping:
            raise MappingError(
                "A column mapping is for CSV files; a vCard or JSON file has no columns.",
                code="import.mapping.for_vcard",
            )
        if kind == "vcf":
            found = vcard_encoding(head)
            fallback = None
            if encoding:
                given = given_encoding(encoding)
                if given.codec.startswith(("utf-16", "utf-32")):
                    found = given
                else:
                    fallback = given.codec
            return Layout("vcf", found, None, None, (), {}, None, 0, fallback), False, []
        if kind == "json":
            text = detect_encoding(path, self._limits, encoding)
            return Layout("json", text, None, None, (), {}, None, 0), False, []
        text_encoding = detect_encoding(path, self._limits, encoding)
        fmt: CsvFormat = inspect_csv(path, self._limits, encoding=text_encoding, header=header)
        notes: list[Notice] = []
        if fmt.header_row > 1 and fmt.preamble:
            notes.append(preamble_notice(fmt.header_row, fmt.preamble))
        if fmt.header_row == 0:
            notes.append(no_header_notice(len(fmt.header)))
        guessed = mapping is None
        used = guess_mapping(fmt.header) if mapping is None else check_mapping(mapping, fmt.header)
        if not _NAME_TARGETS & set(used.values()):
            columns = ", ".join(f'"{c}"' for c in fmt.header[:30])
            how = (
                "None of its columns looks like a name, an email address or a phone number"
                if guessed
                else "The mapping maps no column to a name, an email address or a phone number"
            )
            first = (
                f"{how} (name, contact.name, email, phone...), so no row could be imported. "
                f"Columns: {columns}."
            )
            raise MappingError(
                f'{first} Map the column that holds the name to it, e.g. {{"Customer": "name"}}.',
                code="import.mapping.no_name_guessed" if guessed else "import.mapping.no_name",
                first=first,
                columns=columns,
            )
        layout = Layout(
            "csv",
            fmt.encoding,
            fmt.delimiter,
            fmt.delimiter_reason,
            fmt.header,
            used,
            None,
            fmt.header_row,
        )
        builder = RowBuilder(fmt.header, used, DateReading(date_order or DateOrder.MDY))
        evidence = DateEvidence()
        if builder.has_dates:
            with Source(path, layout, self._limits) as source:
                for i, record in enumerate(source.records()):
                    _check_cancel(cancelled, i)
                    for cell in builder.date_cells(record):
                        evidence.feed(cell, record.row)
                    if progress and i % _CANCEL_EVERY == 0:
                        _report(progress, source.bytes_read, size, True, second=False)
        return dataclasses.replace(layout, dates=evidence.decide(date_order)), guessed, notes

    def _name_outside(self, client_id: int) -> str:
        with self._vault.reading() as conn:
            return store.client_name(conn, client_id)

    @staticmethod
    def _has_dates(layout: Layout) -> bool:
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
        file must still be the one planned (same SHA-256); its rows as the plan read and
        checked them are imported. An error, or ``cancelled()`` turning true, rolls
        everything back (:class:`ImportCancelled`).
        """
        require(self._session, Permission.IMPORT, what="import")
        started = time.monotonic()
        decisions = {int(k): Choice(v) for k, v in (decisions or {}).items()}
        if file_sha256(plan.path) != plan.sha256:
            raise _changed(plan)
        now, today = self._now(), self._today()
        vault = self._vault
        counted = {"merged": 0, "joined": 0, "skipped": 0, "problems": 0}
        problems: list[Problem] = []
        with collections_paused(), vault.bulk_writes(), vault.transaction() as conn:
            run = Rules(
                Existing(store.reachability(conn)),
                plan.phone_region,
                plan.on_duplicate,
                plan.on_invalid,
                decisions,
            )
            batch = _Batch(vault, run, now, today, self._batch_size)

            def land(row: Row) -> None:
                action = run.choose(row)
                if row.invalid or row.duplicate:
                    named = run.problems(row, action, lambda i: store.client_name(conn, i))
                    for problem in named:
                        counted["problems"] += 1
                        if len(problems) < self._max_problems:
                            problems.append(problem)
                if action == "skip":
                    counted["skipped"] += 1
                else:
                    batch.put(row, action)
                    counted["merged" if action == "merge" else "joined"] += action != "add"

            # Each row was read and validated once, by the plan, from the file whose
            # SHA-256 was checked above: only the matching is done again (the vault may
            # have changed since the plan).
            total = max(len(plan.checked), 1)
            for i, kept in enumerate(plan.checked):
                _check_cancel(cancelled, i)
                land(run.match(unmatched(kept)))
                if progress and i % _CANCEL_EVERY == 0:
                    progress(plan.size * i // total, plan.size)
            batch.flush()
            _check_cancel(cancelled, 0)
            added = batch.added
            vault.record_event(
                self._session.actor,
                "clients.imported",
                object=f"client:{added[0]}..{added[-1]}" if added else "clients",
                details={
                    "file": plan.file_name,
                    "sha256": plan.sha256,
                    "format": plan.format,
                    "encoding": plan.encoding.label,
                    "rows": len(added) + counted["merged"] + counted["joined"] + counted["skipped"],
                    "added": len(added),
                    "merged": counted["merged"],
                    "joined": counted["joined"],
                    "skipped": counted["skipped"],
                    "merged_ids": list(batch.merged_ids),
                },
            )
        if batch.moved:  # a merge gave a client another book: the old book's rows go now
            store.finish_moves(vault)
        if progress:
            progress(plan.size, plan.size)
        return ImportResult(
            file_name=plan.file_name,
            sha256=plan.sha256,
            format=plan.format,
            added=len(added),
            merged=counted["merged"],
            skipped=counted["skipped"],
            joined=counted["joined"],
            added_ids=(added[0], added[-1]) if added else None,
            merged_ids=tuple(batch.merged_ids),
            problems=tuple(problems),
            problems_total=counted["problems"],
            seconds=time.monotonic() - started,
        )


class _Batch:
    """New clients waiting to be inserted a batch at a time. A row merged into or joining
    one of them changes it in memory; one whose client is in the vault already loads,
    merges and saves it."""

    def __init__(self, vault: Any, run: Rules, now: dt.datetime, today: dt.date, size: int):
        self.vault, self.run, self.now, self.today, self.size = vault, run, now, today, size
        self.pending: dict[int, Client] = {}  # row -> its new client
        self.rows_of: dict[int, int] = {}  # a merged or joined row -> the row it went into
        self.added: list[int] = []
        self.merged_ids: dict[int, None] = {}
        self.merged_into: set[int] = set()  # rows of new clients a row merged into
        self.moved = False  # a merge gave a client of the vault another salesperson's book

    def put(self, row: Row, action: str) -> None:
        client = row.usable
        assert client is not None
        number = row.draft.row
        if action == "add":
            self.pending[number] = client
            self.run.landed_at(row, PENDING, action)
            if len(self.pending) >= self.size:
                self.flush()
            return
        target = self.run.target(row)
        if target == PENDING:
            first = row.joins if row.joins is not None else row.earlier or 0
            first = self.rows_of.get(first, first)
            combine = join_clients if action == "join" else merge_clients
            self.pending[first] = combine(self.pending[first], client)
            self.rows_of[number] = first
            if action == "merge":
                self.merged_into.add(first)
            self.run.landed_at(row, PENDING, action)
            return
        current = store.load_client(self.vault, target)
        assert current is not None
        combine = join_clients if action == "join" else merge_clients
        changed = combine(current, client)
        if changed != current:
            store.update_client(self.vault, changed, self.now, self.today)
            self.moved = self.moved or changed.salesperson != current.salesperson
        if action == "merge":
            self.merged_ids[target] = None
        self.run.landed_at(row, target, action)

    def flush(self) -> None:
        if not self.pending:
            return
        rows = list(self.pending)
        ids = store.insert_clients(self.vault, list(self.pending.values()), self.now, self.today)
        where = dict(zip(rows, ids, strict=True))
        for row, client_id in where.items():
            self.run.landed[row] = client_id
            if row in self.merged_into:
                self.merged_ids[client_id] = None
        for row, first in self.rows_of.items():
            if first in where:
                self.run.landed[row] = where[first]
        self.rows_of = {r: f for r, f in self.rows_of.items() if f not in where}
        self.added.extend(ids)
        self.pending.clear()


def _check_cancel(cancelled: Callable[[], bool] | None, i: int) -> None:
    if cancelled is not None and i % _CANCEL_EVERY == 0 and cancelled():
        raise ImportCancelled(
            "The import was cancelled; nothing was imported.", code="import.cancelled"
        )


def _report(progress: Progress, done: int, size: int, two_passes: bool, *, second: bool) -> None:
    """Bytes read; with a first pass over the dates, each pass is half the way."""
    if not two_passes:
        progress(min(done, size), size)
    else:
        progress(min(done // 2 + (size // 2 if second else 0), size), size)


def _changed(plan: ImportPlan) -> BadInput:
    return BadInput(
        f"{plan.file_name} changed after it was checked (its SHA-256 differs); nothing was "
        "imported. Check the file again and then import it.",
        code="import.file_changed",
        file=plan.file_name,
    )
