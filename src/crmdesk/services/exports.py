"""Exporting clients to CSV, vCard and iCalendar files: through the egress gate, registered
and audited, optionally seeded with decoys; and tracing a leaked file back to its export.

An export passes the same gate as printing and copying (:mod:`crmdesk.services.egress`):
the role check and the owner's threshold come before a byte is written. The file is
written to a private temporary file (mode 0600) beside the destination and takes its
place only inside the transaction that registers it (who, when, which clients, filters,
SHA-256) together with the ``clients.exported`` audit event; any failure removes it.

When the owner has turned decoys on (:func:`crmdesk.services.settings.change_decoys`),
each export carries made-up contacts with addresses at the owner's domain, at random
places in the file, registered in ``decoys`` and never stored as clients. Mail to one, or
its name turning up, leads through :func:`trace` to the export it came from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from crmdesk import __version__
from crmdesk.domain.decoys import (
    Decoy,
    decoy_positions,
    identity_keys,
    interleave,
    make_decoys,
    positions_by_key,
    resemble,
)
from crmdesk.domain.entities import Address, Client, Contact, Task
from crmdesk.domain.need_to_know import redact_client
from crmdesk.domain.report_ids import new_report_id, normalise_report_id
from crmdesk.domain.roles import Permission
from crmdesk.domain.text import fold
from crmdesk.errors import BadInput, NotFound
from crmdesk.io.csv_export import CsvWriter
from crmdesk.io.ics_export import CalendarTodo, IcsWriter
from crmdesk.io.vcard_export import VCardWriter
from crmdesk.services.access import require
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.egress import OwnerApproval, authorize
from crmdesk.services.reports import ReportRecord, ReportService, describe_query
from crmdesk.services.session import Session
from crmdesk.services.settings import load_settings

__all__ = [
    "FORMATS",
    "DecoyRecord",
    "ExportCancelled",
    "ExportRecord",
    "ExportService",
    "TraceResult",
    "trace",
]

FORMATS = ("csv", "vcf", "ics")
_ALIASES = {"vcard": "vcf", "ical": "ics", "icalendar": "ics"}
_PAGE = 10_000  # ids per page of the client list
_BATCH = 500  # records loaded and written at a time
_BUFFER = 1 << 20


class ExportCancelled(BadInput):
    """The person cancelled an export while it was being written."""


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """What the register knows about one exported file."""

    export_id: str
    format: str
    created_at: dt.datetime
    login: str
    full_name: str
    client_ids: list[int]
    client_count: int
    description: str
    sha256: str
    file_name: str
    decoy_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "export_id": self.export_id,
            "format": self.format,
            "created_at": self.created_at.isoformat(),
            "login": self.login,
            "full_name": self.full_name,
            "client_ids": self.client_ids,
            "client_count": self.client_count,
            "description": self.description,
            "sha256": self.sha256,
            "file_name": self.file_name,
            "decoy_count": self.decoy_count,
        }


@dataclass(frozen=True, slots=True)
class DecoyRecord:
    """A decoy and the export that carried it."""

    name: str
    company: str
    email: str
    phone: str
    created_at: dt.datetime
    export: ExportRecord

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "company": self.company,
            "email": self.email,
            "phone": self.phone,
            "created_at": self.created_at.isoformat(),
            "export": self.export.to_json(),
        }


@dataclass(frozen=True, slots=True)
class TraceResult:
    """What a traced ID, address or name turned out to be."""

    kind: str  # "report", "export" or "decoy"
    report: ReportRecord | None = None
    export: ExportRecord | None = None
    decoys: list[DecoyRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # A report keeps the shape `crmdesk trace --json` always had, with "kind" added.
        if self.report is not None:
            return {"kind": "report", **self.report.to_json()}
        if self.export is not None:
            return {"kind": "export", **self.export.to_json()}
        return {"kind": "decoy", "matches": [d.to_json() for d in self.decoys]}


@dataclass(frozen=True, slots=True)
class _Item:
    """One thing written to the file: a client, or one open task of a client."""

    client_id: int
    task: Task | None = None
    uid: str = ""


class ExportService:
    """Exports made by the session's person, and the owner's look-ups in the register."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        rng: random.Random | None = None,
    ) -> None:
        self._session = session
        self._clients = ClientService(session, today=today, now=now)
        self._today = today
        self._now = now
        # Decoys must not be predictable from anything in the file: the OS's randomness.
        self._rng = rng or random.SystemRandom()

    # -- exporting --------------------------------------------------------------------

    def export(
        self,
        format: str,  # noqa: A002 - the word people use
        query: ClientQuery,
        output: Path,
        *,
        approval: OwnerApproval | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ExportRecord:
        """Write the clients matching ``query`` to ``output`` and register the file.

        ``format`` is "csv", "vcf" or "ics" (the open follow-ups of those clients). Every
        matching client is exported (``query``'s page is ignored). ``progress(done,
        total)`` counts clients; ``cancelled()`` is asked between batches.
        """
        fmt = _format(format)
        require(self._session, Permission.EXPORT, what="export")
        output = Path(output)
        if output.is_dir():
            raise BadInput(f"{output} is a folder; give the name of the file to write.")
        # A large export reads most of the client tables in list order, not in storage
        # order: with the normal page cache the same pages are decrypted again and again.
        with self._session.vault.bulk_writes():
            return self._export(fmt, query, output, approval, progress, cancelled)

    def _export(
        self,
        fmt: str,
        query: ClientQuery,
        output: Path,
        approval: OwnerApproval | None,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> ExportRecord:
        ids, names = self._matching_ids(query)
        items, client_ids = self._items(fmt, ids)
        if not client_ids:
            raise BadInput(
                "None of the matching clients has an open follow-up; nothing was exported."
                if fmt == "ics"
                else "No clients match these filters; nothing was exported."
            )
        # The gate comes before anything is written.
        count = len(client_ids)
        authorize(self._session, Permission.EXPORT, what="export", count=count, approval=approval)
        created = self._now()
        decoys = self._new_decoys(client_ids)
        description = describe_query(query)
        if fmt == "ics":
            description = f"Open follow-ups ({description})"
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{output.name}.", suffix=".tmp", dir=output.parent
            )
        except OSError as exc:
            raise BadInput(f"Cannot write the export to {output}: {exc.strerror or exc}.") from None
        tmp = Path(tmp_name)
        renamed = False
        written: list[int] = []  # a client deleted meanwhile is left out, and not counted
        decoys, after = self._place(query, items, names, decoys)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=_BUFFER) as out:
                self._write(fmt, out, items, count, decoys, after, written, progress, cancelled)
                out.flush()
                os.fsync(out.fileno())
            client_ids = list(dict.fromkeys(written))
            record = ExportRecord(
                export_id=new_report_id(),
                format=fmt,
                created_at=created,
                login=self._session.actor,
                full_name=self._session.full_name,
                client_ids=client_ids,
                client_count=len(client_ids),
                description=description,
                sha256=_sha256(tmp),
                file_name=output.name,
                decoy_count=len(decoys),
            )
            vault = self._session.vault
            with vault.transaction() as conn:
                _insert(conn, record, decoys)
                vault.record_event(
                    self._session.actor,
                    "clients.exported",
                    object=f"export:{record.export_id}",
                    details={
                        "export": record.export_id,
                        "format": fmt,
                        "clients": record.client_count,
                        "sha256": record.sha256,
                        "file": record.file_name,
                        "decoys": len(decoys),
                    },
                )
                # Inside the transaction: no registered export without its file, and no
                # file left behind when registering fails.
                os.replace(tmp, output)
                renamed = True
        except OSError as exc:
            _remove(output if renamed else tmp)
            raise BadInput(f"Cannot write the export to {output}: {exc.strerror or exc}.") from None
        except BaseException:
            _remove(output if renamed else tmp)
            raise
        with contextlib.suppress(OSError):  # committed and in place; durability is a bonus
            _fsync_dir(output.parent)
        return record

    def _matching_ids(self, query: ClientQuery) -> tuple[list[int], dict[int, str]]:
        """Every matching client, in the list's order, as the person may list them; and
        their names."""
        ids: list[int] = []
        names: dict[int, str] = {}
        while True:
            page = self._clients.list(
                replace(query, limit=_PAGE, offset=len(ids)), record_search=False
            )
            ids += [row.id for row in page]
            names.update((row.id, row.name) for row in page)
            if len(page) < _PAGE:
                return list(dict.fromkeys(ids)), names

    def _place(
        self, query: ClientQuery, items: list[_Item], names: dict[int, str], decoys: list[Decoy]
    ) -> tuple[list[Decoy], list[int]]:
        """The decoys in file order, and after how many real items each goes.

        In a list sorted by name (the usual export) a decoy goes where its name sorts,
        so that it does not stand out; in any other order at a random place. Never first
        or last either way.
        """
        by_name = query.sort == SortKey.NAME or (
            query.sort == SortKey.RELEVANCE and not query.text.strip()
        )
        if not decoys or not by_name:
            return decoys, decoy_positions(len(items), len(decoys), self._rng)
        keys = [fold(names.get(item.client_id, "")) for item in items]
        decoy_keys = [fold(d.company) for d in decoys]
        after = positions_by_key(keys, decoy_keys, descending=query.descending)
        # Decoys sharing a gap are in order among themselves too (a stable sort by place).
        order = sorted(range(len(decoys)), key=lambda i: decoy_keys[i], reverse=query.descending)
        order.sort(key=lambda i: after[i])
        return [decoys[i] for i in order], [after[i] for i in order]

    def _items(self, fmt: str, ids: list[int]) -> tuple[list[_Item], list[int]]:
        """What goes into the file, and the clients it carries."""
        if fmt != "ics":
            return [_Item(i) for i in ids], ids
        tasks: dict[int, list[Task]] = {}
        with self._session.vault.reading() as conn:
            for client_id, due, title, contact in conn.execute(
                "SELECT client_id, due, title, contact FROM tasks WHERE done = 0 AND client_id"
                " IN (SELECT value FROM json_each(?)) ORDER BY client_id, due, id",
                (json.dumps(ids),),
            ):
                task = Task(dt.date.fromisoformat(due), title, False, contact)
                tasks.setdefault(client_id, []).append(task)
        vault_id = self._session.vault.meta.vault_id
        items: list[_Item] = []
        for client_id in ids:
            seen: dict[str, int] = {}
            for task in tasks.get(client_id, []):
                # Task rows are rewritten (new ids) whenever their client is saved, so the
                # UID follows the client and the task's title instead: a calendar that
                # imports the next export updates the same entries.
                nth = seen[task.title] = seen.get(task.title, 0) + 1
                uid = _stable_uid(vault_id, f"task:{client_id}:{task.title}:{nth}")
                items.append(_Item(client_id, task, uid))
        return items, [i for i in ids if i in tasks]

    def _new_decoys(self, client_ids: list[int]) -> list[Decoy]:
        settings = load_settings(self._session.vault)
        if not settings.decoys_enabled or not settings.decoy_domain:
            return []
        with self._session.vault.reading() as conn:
            taken: set[str] = set()
            for name, company, email in conn.execute("SELECT name, company, email FROM decoys"):
                taken |= identity_keys(name, company, email)
        # Each decoy resembles a real client of this export, so that it fits the filters
        # (a list of prospects tagged VIP holds only such), seen as the person sees it.
        user = self._session.user
        count = settings.decoys_per_export
        models = [
            client if user.sees_value_added(client.salesperson) else redact_client(client)
            for client in self._load(set(self._rng.choices(client_ids, k=count))).values()
        ]
        try:
            made = make_decoys(
                count, settings.decoy_domain, taken=taken, today=self._today(), rng=self._rng
            )
        except ValueError as exc:
            raise BadInput(f"{exc} Nothing was exported.") from None
        if not models:  # deleted meanwhile
            return made
        return [resemble(d, self._rng.choice(models), self._rng) for d in made]

    def _write(
        self,
        fmt: str,
        out: TextIO,
        items: list[_Item],
        total: int,
        decoys: list[Decoy],
        after: list[int],
        written: list[int],
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        # A CSV row holds the first contact only: the others need not be read.
        records = self._records(
            items, total, written, progress, cancelled, every_contact=fmt != "csv"
        )
        vault_id = self._session.vault.meta.vault_id
        if fmt == "csv":
            csv_writer = CsvWriter(out)
            csv_writer.begin()
            for thing in interleave(records, decoys, after):
                csv_writer.add(thing.client if isinstance(thing, Decoy) else thing[1])
            csv_writer.end()
        elif fmt == "vcf":
            cards = VCardWriter(out)
            cards.begin()
            for thing in interleave(records, decoys, after):
                if isinstance(thing, Decoy):
                    cards.add(thing.client, _random_uid(), [_random_uid()])
                    continue
                item, client = thing
                uid = _stable_uid(vault_id, f"client:{item.client_id}")
                contact_uids = [
                    _stable_uid(vault_id, f"contact:{item.client_id}:{position}")
                    for position in range(len(client.contacts))
                ]
                cards.add(client, uid, contact_uids)
            cards.end()
        else:
            calendar = IcsWriter(
                out,
                prodid=f"-//crmdesk//crmdesk {__version__}//EN",
                stamp=self._now(),
                name="Follow-ups",
            )
            calendar.begin()
            last_due = self._today()
            for thing in interleave(records, decoys, after):
                if isinstance(thing, Decoy):
                    # Dated like its neighbour, so it does not stand out in a sorted list.
                    task = replace(thing.task, due=last_due)
                    calendar.add(_todo(thing.client, task, _random_uid()))
                    continue
                item, client = thing
                assert item.task is not None
                last_due = item.task.due
                calendar.add(_todo(client, item.task, item.uid))
            calendar.end()

    def _records(
        self,
        items: list[_Item],
        total: int,
        written: list[int],
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
        *,
        every_contact: bool,
    ) -> Iterator[tuple[_Item, Client]]:
        """Each item with its client as the person may see it, loaded a batch at a time;
        the ids of the clients yielded go to ``written``."""
        user = self._session.user
        done: set[int] = set()
        for start in range(0, len(items), _BATCH):
            if cancelled and cancelled():
                raise ExportCancelled("The export was cancelled; nothing was saved.")
            batch = items[start : start + _BATCH]
            loaded = self._load({i.client_id for i in batch}, every_contact)
            for item in batch:
                client = loaded.get(item.client_id)
                if client is None:
                    continue  # deleted meanwhile
                if not user.sees_value_added(client.salesperson):
                    client = redact_client(client)
                written.append(item.client_id)
                yield item, client
            done.update(i.client_id for i in batch)
            if progress:
                progress(min(len(done), total), total)

    def _load(self, ids: set[int], every_contact: bool = True) -> dict[int, Client]:
        """The exported parts of some clients: basic information, notes and contacts.

        Read in bulk (two queries a batch, not a dozen a client as loading whole records
        would): this is what makes an export of 100,000 clients take seconds.
        """
        wanted = json.dumps(sorted(ids))
        contacts: dict[int, list[Contact]] = {}
        clients: dict[int, Client] = {}
        with self._session.vault.reading() as conn:
            for r in conn.execute(
                "SELECT client_id, name, title, emails, phones, birthday, notes FROM contacts"
                " WHERE client_id IN (SELECT value FROM json_each(?))"
                + ("" if every_contact else " AND position = 0")
                + " ORDER BY client_id, position",
                (wanted,),
            ):
                contacts.setdefault(r[0], []).append(
                    Contact(
                        name=r[1],
                        title=r[2],
                        emails=_strings(r[3]),
                        phones=_strings(r[4]),
                        birthday=dt.date.fromisoformat(r[5]) if r[5] else None,
                        notes=r[6],
                    )
                )
            for r in conn.execute(
                "SELECT id, name, kind, status, industry, salesperson, website, emails, phones,"
                " addresses, tags, notes FROM clients WHERE id IN (SELECT value FROM json_each(?))",
                (wanted,),
            ):
                clients[r[0]] = Client(
                    name=r[1],
                    kind=r[2],
                    status=r[3],
                    industry=r[4],
                    salesperson=r[5],
                    website=r[6],
                    emails=_strings(r[7]),
                    phones=_strings(r[8]),
                    addresses=[Address(**a) for a in json.loads(r[9])] if r[9] != "[]" else [],
                    tags=_strings(r[10]),
                    notes=r[11],
                    contacts=contacts.get(r[0], []),
                    id=r[0],
                )
        return clients

    # -- the register -------------------------------------------------------------------

    def trace(self, text: str) -> TraceResult:
        """Whose report or export this ID, decoy address or decoy name leads to."""
        return trace(self._session, text)

    def get(self, export_id: str) -> ExportRecord:
        """One export by its ID. Owner only."""
        require(self._session, Permission.VIEW_ACTIVITY, what="export register")
        try:
            code = normalise_report_id(export_id)
        except ValueError as exc:
            raise BadInput(str(exc).replace("report ID", "export ID")) from None
        record = _export_by_id(self._session, code)
        if record is None:
            raise NotFound(f"No export with ID {code} was made from this vault.")
        return record

    def recent(self, limit: int = 100) -> list[ExportRecord]:
        """The newest exports first. Owner only."""
        require(self._session, Permission.VIEW_ACTIVITY, what="export register")
        with self._session.vault.reading() as conn:
            rows = conn.execute(_SELECT + " ORDER BY created_at DESC LIMIT ?", (limit,))
            return [_record(r) for r in rows]


# -- tracing ------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+\.[^\s<>\"'(),;:@]+")


def trace(session: Session, text: str) -> TraceResult:
    """What ``text`` leads to: a report ID (the report), an export ID (the export), or a
    decoy's email address or name (the export that carried it). Owner only.

    Names match without regard to case and accents ("stefan weiss" finds "Stefan Weiß").
    """
    require(session, Permission.VIEW_ACTIVITY, what="export register")
    wanted = " ".join(text.split())
    if not wanted:
        raise BadInput("Give a report or export ID, or a decoy's email address or name.")
    email = _EMAIL.search(wanted)
    if email:
        address = email.group(0).rstrip(".")
        found = _decoys(session, "lower(d.email) = lower(?)", (address,))
        if found:
            return TraceResult("decoy", decoys=found)
        raise NotFound(
            f"No decoy with the address {address} was handed out from this vault. Check "
            "the address, or try the vault it may have come from."
        )
    code: str | None = None
    typo = ""
    try:
        code = normalise_report_id(wanted)
    except ValueError as exc:
        typo = str(exc)
    if code is not None:
        try:
            return TraceResult("report", report=ReportService(session).trace(code))
        except NotFound:
            pass
        export = _export_by_id(session, code)
        if export is not None:
            return TraceResult("export", export=export)
    key = fold(wanted)
    with session.vault.reading() as conn:
        named = [
            decoy_id
            for decoy_id, name, company in conn.execute("SELECT id, name, company FROM decoys")
            if key in (fold(" ".join(name.split())), fold(" ".join(company.split())))
        ]
    if named:
        found = _decoys(session, "d.id IN (SELECT value FROM json_each(?))", (json.dumps(named),))
        return TraceResult("decoy", decoys=found)
    if code is not None:
        raise NotFound(
            f"No report with ID {code} was printed from this vault, no export has that ID, "
            "and no decoy has that name. Check the ID on the page or file, or try the "
            "vault it may have come from."
        )
    if _looks_like_id(wanted):
        raise BadInput(f"{typo} (No decoy has that name either.)")
    raise NotFound(
        f"Nothing in this vault matches {wanted!r}: it is not a report or export ID (like "
        "7K3M-Q2ZD-AB5), nor the email address or name of a decoy. Check the spelling, or "
        "try the vault it may have come from."
    )


def _looks_like_id(text: str) -> bool:
    compact = text.replace("-", "").replace(" ", "")
    return 8 <= len(compact) <= 14 and compact.isalnum() and any(c.isdigit() for c in compact)


_SELECT = (
    "SELECT id, format, created_at, login, full_name, client_ids, client_count, description,"
    " sha256, file_name, decoy_count FROM exports"
)


def _record(row: Sequence[Any]) -> ExportRecord:
    return ExportRecord(
        export_id=row[0],
        format=row[1],
        created_at=dt.datetime.fromisoformat(row[2]),
        login=row[3],
        full_name=row[4],
        client_ids=json.loads(row[5]),
        client_count=int(row[6]),
        description=row[7],
        sha256=row[8],
        file_name=row[9],
        decoy_count=int(row[10]),
    )


def _export_by_id(session: Session, code: str) -> ExportRecord | None:
    with session.vault.reading() as conn:
        row = conn.execute(_SELECT + " WHERE id = ?", (code,)).fetchone()
    return _record(row) if row else None


def _decoys(session: Session, condition: str, params: tuple[Any, ...]) -> list[DecoyRecord]:
    exports: dict[str, ExportRecord] = {}
    found = []
    with session.vault.reading() as conn:
        rows = conn.execute(
            "SELECT d.name, d.company, d.email, d.phone, d.created_at, d.export_id FROM decoys d"
            f" WHERE {condition} ORDER BY d.created_at, d.id",
            params,
        ).fetchall()
        for name, company, email, phone, created_at, export_id in rows:
            if export_id not in exports:
                row = conn.execute(_SELECT + " WHERE id = ?", (export_id,)).fetchone()
                exports[export_id] = _record(row)
            found.append(
                DecoyRecord(
                    name,
                    company,
                    email,
                    phone,
                    dt.datetime.fromisoformat(created_at),
                    exports[export_id],
                )
            )
    return found


# -- internals ----------------------------------------------------------------------------


def _format(text: str) -> str:
    fmt = text.strip().lower().lstrip(".")
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise BadInput(
            f"Unknown export format {text!r}: choose csv (spreadsheets), vcf (address "
            "books) or ics (calendars: open follow-ups)."
        )
    return fmt


def _insert(conn: Any, record: ExportRecord, decoys: list[Decoy]) -> None:
    conn.execute(
        "INSERT INTO exports (id, format, created_at, login, full_name, client_ids,"
        " client_count, description, sha256, file_name, decoy_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.export_id,
            record.format,
            record.created_at.isoformat(),
            record.login,
            record.full_name,
            json.dumps(record.client_ids),
            record.client_count,
            record.description,
            record.sha256,
            record.file_name,
            record.decoy_count,
        ),
    )
    conn.executemany(
        "INSERT INTO decoys (export_id, name, company, email, phone, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (record.export_id, d.name, d.company, d.email, d.phone, record.created_at.isoformat())
            for d in decoys
        ],
    )


def _strings(text: str) -> list[str]:
    """A stored JSON list of strings (emails, phones, tags), read quickly.

    Without a backslash the strings hold no quote (it would be escaped), so splitting
    on '","' is exact; that is several times faster than json.loads, which matters at a
    million lists per 100,000 clients. Anything else goes to json.loads.
    """
    if text == "[]":
        return []
    if "\\" not in text and text.startswith('["') and text.endswith('"]'):
        return text[2:-2].split('","')
    return json.loads(text)  # type: ignore[no-any-return]


def _todo(client: Client, task: Task, uid: str) -> CalendarTodo:
    """A follow-up with what is needed to act on it: who, and how to reach them."""
    contact = next((c for c in client.contacts if c.name == task.contact), None)
    if contact is None and client.contacts:
        contact = client.contacts[0]
    phones = (contact.phones if contact else []) or client.phones
    emails = (contact.emails if contact else []) or client.emails
    lines = [f"Client: {client.name}"]
    if task.contact or contact:
        lines.append(f"Contact: {task.contact or (contact.name if contact else '')}")
    if phones:
        lines.append(f"Phone: {phones[0]}")
    if emails:
        lines.append(f"Email: {emails[0]}")
    return CalendarTodo(uid, task.due, f"{task.title} — {client.name}", "\n".join(lines))


def _stable_uid(vault_id: str, what: str) -> str:
    """The same UID for the same record in every export from this vault (an address
    book or calendar then updates its entry instead of adding a second one)."""
    return hashlib.sha256(f"{vault_id}/{what}".encode()).hexdigest()[:32] + "@crmdesk"


def _random_uid() -> str:
    # Same shape as a stable UID: a decoy must not be told apart by its UID.
    return secrets.token_hex(16) + "@crmdesk"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # the original error matters more
        path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
