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
from crmdesk.domain.merge import merge_clients
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput
from crmdesk.io.csv_import import CsvFormat, inspect_csv
from crmdesk.io.drafts import ProblemKind
from crmdesk.io.import_dates import DateEvidence, DateOrder, DateReading
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.import_text import TextEncoding, detect_encoding, file_sha256
from crmdesk.io.limits import DEFAULT_LIMITS, Limits
from crmdesk.io.mapping import MappingError, check_mapping, guess_mapping
from crmdesk.services import client_store as store
from crmdesk.services.access import require
from crmdesk.services.imports_files import FORMATS, Layout, Source, detect_format, file_size
from crmdesk.services.imports_records import (
    Choice,
    ImportCancelled,
    ImportCounts,
    ImportPlan,
    ImportResult,
    PreviewRow,
    Problem,
)
from crmdesk.services.imports_rules import PENDING, Existing, Rules
from crmdesk.services.imports_rules import preview as preview_row
from crmdesk.services.session import Session

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

_NAME_TARGETS = {"name", "contact.name", "contact.given_name", "contact.family_name"}
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
        size = file_size(path)
        encoding = detect_encoding(path, self._limits)
        kind = detect_format(path, format, self._limits, encoding)
        layout, guessed = self._layout(
            path, kind, encoding, mapping, date_order, size, progress, cancelled
        )
        with self._vault.reading() as conn:
            existing = Existing(store.reachability(conn))
        run = Rules(existing, self._region, on_duplicate, on_invalid, {})
        counts: dict[str, int] = dict.fromkeys(dataclasses.asdict(ImportCounts()), 0)
        kinds: dict[str, int] = {}
        problems: list[Problem] = []
        preview: list[PreviewRow] = []
        two_passes = layout.format == "csv" and layout.dates is not None and self._has_dates(layout)
        with Source(path, layout, self._limits) as source:
            for i, draft in enumerate(source.drafts()):
                _check_cancel(cancelled, i)
                if draft.blank:
                    counts["blank"] += 1
                    continue
                counts["rows"] += 1
                row = run.assess(draft)
                action = run.choose(row)
                if action == "add":
                    run.landed_at(row, PENDING)
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
                    preview.append(preview_row(row, action, found))
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
    ) -> tuple[Layout, bool]:
        """How to read the file: encoding, delimiter, mapping and date order (the last
        from a first pass over the date columns, when there are any)."""
        if kind == "vcf":
            if mapping:
                raise MappingError(
                    "A column mapping is for CSV files; a vCard has no columns.",
                    code="import.mapping.for_vcard",
                )
            return Layout("vcf", encoding, None, None, (), {}, None), False
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
            first = (
                f"{how} (name, contact.name, contact.given_name or contact.family_name), so "
                f"no row could be imported. Columns: {columns}."
            )
            raise MappingError(
                f'{first} Map the column that holds the name to it, e.g. {{"Customer": "name"}}.',
                code="import.mapping.no_name_guessed" if guessed else "import.mapping.no_name",
                first=first,
                columns=columns,
            )
        layout = Layout(
            "csv", fmt.encoding, fmt.delimiter, fmt.delimiter_reason, fmt.header, used, None
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
        return dataclasses.replace(layout, dates=evidence.decide(date_order)), guessed

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
        file is read again and must be the one planned (same SHA-256). An error, or
        ``cancelled()`` turning true, rolls everything back (:class:`ImportCancelled`).
        """
        require(self._session, Permission.IMPORT, what="import")
        started = time.monotonic()
        decisions = {int(k): Choice(v) for k, v in (decisions or {}).items()}
        if file_sha256(plan.path) != plan.sha256:
            raise _changed(plan)
        layout = Layout(
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
        moved = False
        kinds_total = 0
        problems: list[Problem] = []
        with vault.bulk_writes(), vault.transaction() as conn:
            run = Rules(
                Existing(store.reachability(conn)),
                plan.phone_region,
                plan.on_duplicate,
                plan.on_invalid,
                decisions,
            )
            pending: list[tuple[int, Client]] = []

            def flush() -> None:
                if not pending:
                    return
                ids = store.insert_clients(vault, [c for _, c in pending], now, today)
                for (row, _), client_id in zip(pending, ids, strict=True):
                    run.landed[row] = client_id
                added.extend(ids)
                pending.clear()

            with Source(plan.path, layout, self._limits) as source:
                for i, draft in enumerate(source.drafts()):
                    _check_cancel(cancelled, i)
                    if draft.blank:
                        continue
                    row = run.assess(draft)
                    action = run.choose(row)
                    if row.invalid or row.duplicate:
                        named = run.problems(row, action, lambda i: store.client_name(conn, i))
                        for problem in named:
                            kinds_total += 1
                            if len(problems) < self._max_problems:
                                problems.append(problem)
                    client = row.usable
                    if action == "add":
                        assert client is not None
                        pending.append((draft.row, client))
                        run.landed_at(row, PENDING)
                        if len(pending) >= self._batch_size:
                            flush()
                    elif action == "merge":
                        assert client is not None
                        target = row.existing
                        if target is None:
                            if run.landed.get(row.earlier or 0) == PENDING:
                                flush()
                            target = run.landed[row.earlier or 0]
                        current = store.load_client(vault, target)
                        assert current is not None
                        changed = merge_clients(current, client)
                        if changed != current:
                            store.update_client(vault, changed, now, today)
                            moved = moved or changed.salesperson != current.salesperson
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
        if moved:  # a merge gave a client another book: the old book's rows go now
            store.finish_moves(vault)
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
