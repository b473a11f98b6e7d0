"""Exporting clients to CSV, vCard, JSON Lines and iCalendar files: through the egress
gate, registered and audited, optionally seeded with decoys; and tracing a leaked file
back to its export.

An export passes the same gate as printing and copying (:mod:`crmdesk.services.egress`):
the role check and the owner's threshold come before a byte is written. The file is
written to a private temporary file (mode 0600) beside the destination and takes its
place only inside the transaction that registers it (who, when, which clients, filters,
SHA-256) together with the ``clients.exported`` audit event; any failure removes it.

When the owner has turned decoys on (:func:`crmdesk.services.settings.change_decoys`),
each export carries made-up contacts with addresses at the owner's domain, at random
places in the file, registered in ``decoys`` and never stored as clients. Mail to one, or
its name turning up, leads through :func:`trace` to the export it came from.

The file formats are written by exports_files.py; the register and tracing are in
exports_register.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from crmdesk.domain.decoys import (
    Decoy,
    decoy_positions,
    positions_by_key,
    resemble,
)
from crmdesk.domain.entities import Client
from crmdesk.domain.need_to_know import redact_client
from crmdesk.domain.report_ids import new_report_id, normalise_report_id
from crmdesk.domain.roles import Permission
from crmdesk.domain.text import fold
from crmdesk.errors import BadInput, NotFound
from crmdesk.files import PrivateFile
from crmdesk.services import client_store as store
from crmdesk.services.access import require
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.decoy_sets import decoys_for, keep_set, seeded, stored_set
from crmdesk.services.egress import OwnerApproval, authorize
from crmdesk.services.exports_files import FORMATS, Item, export_format, task_items, write_file
from crmdesk.services.exports_register import (
    DecoyRecord,
    ExportRecord,
    TraceResult,
    export_by_id,
    recent_exports,
    register,
    trace,
)
from crmdesk.services.reports import describe_query
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

_BATCH = 500  # records loaded and written at a time
_BUFFER = 1 << 20


class ExportCancelled(BadInput):
    """The person cancelled an export while it was being written."""

    code = "export.cancelled"


def _unwritable(output: Path, exc: OSError) -> BadInput:
    return BadInput(
        f"Cannot write the export to {output}: {exc.strerror or exc}.",
        code="export.unwritable",
        path=output,
    )


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

        ``format`` is "csv", "vcf", "json" (JSON Lines of the client contract, value-added
        information as the person may see it) or "ics" (the open follow-ups of those
        clients). Every matching client is exported (``query``'s page is ignored). ``progress(done,
        total)`` counts clients; ``cancelled()`` is asked between batches.
        """
        fmt = export_format(format)
        require(self._session, Permission.EXPORT, what="export")
        output = Path(output)
        if output.is_dir():
            raise BadInput(
                f"{output} is a folder; give the name of the file to write.",
                code="export.is_folder",
                path=output,
            )
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
        listed = self._clients.list_ids(query)
        ids = list(dict.fromkeys(i for i, _ in listed))
        names = dict(listed)
        items, client_ids = self._items(fmt, ids)
        if not client_ids:
            if fmt == "ics":
                raise BadInput(
                    "None of the matching clients has an open follow-up; nothing was exported.",
                    code="export.no_followups",
                )
            raise BadInput(
                "No clients match these filters; nothing was exported.", code="export.no_clients"
            )
        # The gate comes before anything is written.
        count = len(client_ids)
        authorize(self._session, Permission.EXPORT, what="export", count=count, approval=approval)
        created = self._now()
        # The same export of the same list: the same decoys, resembling the same clients,
        # in the same places (decoy_sets.py): comparing two files reveals nothing.
        seed = (self._session.actor.casefold(), fmt, query.sort, query.descending, client_ids)
        decoys, new_decoys = self._new_decoys(client_ids, seed)
        description = describe_query(query)
        if fmt == "ics":
            description = f"Open follow-ups ({description})"
        decoys, after = self._place(query, items, names, decoys, seeded(*seed, "places"))
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            private = PrivateFile(output)
        except OSError as exc:
            raise _unwritable(output, exc) from None
        written: list[int] = []  # a client deleted meanwhile is left out, and not counted
        redacted: set[int] = set()
        records = self._records(items, count, written, progress, cancelled, fmt, redacted)
        addresses = 1
        if fmt == "csv":
            with self._session.vault.reading() as conn:
                addresses = store.most_addresses(conn)
        try:
            with private:
                with private.open("w", encoding="utf-8", newline="", buffering=_BUFFER) as out:
                    write_file(
                        fmt,
                        out,
                        records,
                        decoys,
                        after,
                        vault_id=self._session.vault.meta.vault_id,
                        now=self._now(),
                        today=self._today(),
                        addresses=addresses,
                        redacted=redacted,
                    )
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
                    sha256=_sha256(private.temporary),
                    file_name=output.name,
                    decoy_count=len(decoys),
                )
                vault = self._session.vault
                with vault.transaction() as conn:
                    register(conn, record, decoys)
                    if new_decoys:
                        keep_set(conn, self._session, stored_set(self._session) + new_decoys)
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
                    # file left behind when registering fails (leaving the `with private`
                    # by an error removes it, in place or not).
                    private.put_in_place()
        except OSError as exc:
            raise _unwritable(output, exc) from None
        with contextlib.suppress(OSError):  # committed and in place; durability is a bonus
            private.sync_folder()
        return record

    def _place(
        self,
        query: ClientQuery,
        items: list[Item],
        names: dict[int, str],
        decoys: list[Decoy],
        rng: random.Random,
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
            return decoys, decoy_positions(len(items), len(decoys), rng)
        keys = [fold(names.get(item.client_id, "")) for item in items]
        decoy_keys = [fold(d.company) for d in decoys]
        after = positions_by_key(keys, decoy_keys, descending=query.descending)
        # Decoys sharing a gap are in order among themselves too (a stable sort by place).
        order = sorted(range(len(decoys)), key=lambda i: decoy_keys[i], reverse=query.descending)
        order.sort(key=lambda i: after[i])
        return [decoys[i] for i in order], [after[i] for i in order]

    def _items(self, fmt: str, ids: list[int]) -> tuple[list[Item], list[int]]:
        """What goes into the file, and the clients it carries."""
        if fmt != "ics":
            return [Item(i) for i in ids], ids
        with self._session.vault.reading() as conn:
            tasks = store.open_tasks_of(conn, ids)
        return task_items(ids, tasks, self._session.vault.meta.vault_id)

    def _new_decoys(
        self, client_ids: list[int], seed: tuple[object, ...]
    ) -> tuple[list[Decoy], list[Decoy]]:
        """The person's decoys for this export, and those among them made just now."""
        settings = load_settings(self._session.vault)
        if not settings.decoys_enabled or not (settings.decoy_domain or settings.decoy_addresses):
            return [], []
        count = settings.decoys_per_export
        try:
            decoys, made = decoys_for(
                self._session, count, settings.decoy_domain, settings.decoy_points,
                today=self._today(), rng=self._rng,
            )  # fmt: skip
        except ValueError as exc:
            raise BadInput(
                f"{exc} Nothing was exported.", code="export.decoys_failed", problem=str(exc)
            ) from None
        # Each decoy resembles a real client of this export, so that it fits the filters
        # (a list of prospects tagged VIP holds only such), seen as the person sees it;
        # which one, from the seed: the same list, the same look.
        user = self._session.user
        chosen = seeded(*seed, "models")
        picked = sorted(set(chosen.choices(sorted(client_ids), k=count)))
        loaded = self._load(set(picked))
        models = [
            client if user.sees_value_added(client.salesperson) else redact_client(client)
            for _, client in sorted(loaded.items())
        ]
        if not models:  # deleted meanwhile
            return decoys, made
        return [
            resemble(d, seeded(*seed, d.email).choice(models), seeded(*seed, d.email, "look"))
            for d in decoys
        ], made

    def _records(
        self,
        items: list[Item],
        total: int,
        written: list[int],
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
        fmt: str,
        redacted: set[int],
    ) -> Iterator[tuple[Item, Client]]:
        """Each item with its client as the person may see it, loaded a batch at a time;
        the ids of the clients yielded go to ``written``, of those seen in part to
        ``redacted``."""
        user = self._session.user
        done: set[int] = set()
        for start in range(0, len(items), _BATCH):
            if cancelled and cancelled():
                raise ExportCancelled(
                    "The export was cancelled; nothing was saved.", code="export.cancelled"
                )
            batch = items[start : start + _BATCH]
            ids = {i.client_id for i in batch}
            loaded = self._load_whole(ids) if fmt == "json" else self._load(ids)
            for item in batch:
                client = loaded.get(item.client_id)
                if client is None:
                    continue  # deleted meanwhile
                if not user.sees_value_added(client.salesperson):
                    client = redact_client(client)
                    redacted.add(item.client_id)
                written.append(item.client_id)
                yield item, client
            done.update(ids)
            if progress:
                progress(min(len(done), total), total)

    def _load(self, ids: set[int]) -> dict[int, Client]:
        """The exported parts of some clients: basic information, notes and contacts."""
        vault = self._session.vault
        with vault.reading():
            return store.load_cards(vault, ids)

    def _load_whole(self, ids: set[int]) -> dict[int, Client]:
        """Some clients with everything they hold (for JSON Lines)."""
        vault = self._session.vault
        with vault.reading():
            return store.load_clients(vault, ids)

    # -- the register -------------------------------------------------------------------

    def trace(self, text: str) -> TraceResult:
        """Whose report or export this ID, decoy address or decoy name leads to."""
        return trace(self._session, text)

    def get(self, export_id: str) -> ExportRecord:
        """One export by its ID. Owner only."""
        require(self._session, Permission.VIEW_ACTIVITY, what="export register")
        try:
            code = normalise_report_id(export_id, kind="export")
        except ValueError as exc:
            raise BadInput(str(exc), code="export_id.typo", value=export_id) from None
        record = export_by_id(self._session, code)
        if record is None:
            raise NotFound(
                f"No export with ID {code} was made from this vault.",
                code="export.not_found",
                export_id=code,
            )
        return record

    def recent(self, limit: int = 100) -> list[ExportRecord]:
        """The newest exports first. Owner only."""
        require(self._session, Permission.VIEW_ACTIVITY, what="export register")
        return recent_exports(self._session, limit)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()
