"""Client records: every create, read, update, delete and search goes through here.

Each write runs in one transaction with its audit event, so a change and its record
commit together; invalid input is refused whole, with every bad field named.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from crmdesk.domain import (
    Client,
    ValidationError,
    apply_patch,
    client_from_json,
    client_to_json,
    compute_patterns,
    patterns_to_json,
)
from crmdesk.errors import EditConflict, InvalidRecord, NotFound
from crmdesk.services import client_store as store
from crmdesk.services.client_query import Birthday, ClientQuery, ClientRow, FollowUp, SortKey
from crmdesk.services.session import Session

_SPEND_AS_OF = "spend_12m_as_of"
_ALL = ClientQuery()


def _invalid(exc: ValidationError) -> InvalidRecord:
    lines = "\n".join(f"  {e}" for e in exc.errors)
    return InvalidRecord(
        f"Nothing was saved; fix these fields and try again:\n{lines}", list(exc.errors)
    )


class ClientService:
    """The client records of one vault, acted on by the session's person."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        phone_region: str = "US",
    ) -> None:
        self._session = session
        self._today = today
        self._now = now
        self._region = phone_region

    @property
    def _vault(self) -> Any:
        # Looked up on every call: after a lock and unlock the session holds a new vault.
        return self._session.vault

    # -- writing ----------------------------------------------------------------------

    def add(self, data: Mapping[str, Any]) -> int:
        """Create a client from JSON-shaped data; returns its id."""
        try:
            client = client_from_json(dict(data), default_region=self._region)
        except ValidationError as exc:
            raise _invalid(exc) from None
        return self.add_client(client)

    def add_client(self, client: Client) -> int:
        """Create an already validated client (the demo generator and GUI use this)."""
        with self._vault.transaction() as conn:
            (client_id,) = store.insert_clients(conn, [client], self._now(), self._today())
            self._vault.record_event(
                self._session.actor,
                "client.created",
                object=f"client:{client_id}",
                details={"fields": _filled_fields(client)},
            )
        return client_id

    def add_many(
        self,
        clients: Iterable[Client],
        *,
        source: str,
        batch_size: int = 2000,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """Create many validated clients, a batch per transaction; returns how many.

        Each batch commits with one audit event naming its source and id range. Between
        batches ``cancelled`` is asked, so long work stops promptly and keeps what is done.
        (A worker thread building the next batch meanwhile was tried: slower, because
        building rows and binding them both need the GIL.)
        """
        source_iter = iter(clients)
        now, today = self._now(), self._today()
        done = 0
        with self._vault.bulk_writes():
            while batch := list(itertools.islice(source_iter, batch_size)):
                if cancelled and cancelled():
                    break
                with self._vault.transaction() as conn:
                    ids = store.insert_clients(conn, batch, now, today)
                    self._vault.record_event(
                        self._session.actor,
                        "clients.created",
                        object=f"client:{ids[0]}..{ids[-1]}",
                        details={"count": len(ids), "source": source},
                    )
                done += len(ids)
                if progress:
                    progress(done)
        return done

    def update(
        self, client_id: int, patch: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Client:
        """Change the given top-level fields; child lists given are replaced whole.

        With ``expected_version`` (the version the editor read), a save over someone
        else's newer change is refused with :class:`EditConflict` instead of overwriting it.
        """
        with self._vault.transaction() as conn:
            current = self._load_for_write(conn, client_id, expected_version)
            try:
                changed = apply_patch(current, dict(patch), default_region=self._region)
            except ValidationError as exc:
                raise _invalid(exc) from None
            fields = _changed_fields(current, changed)
            if not fields:
                return current
            store.update_client(conn, changed, self._now(), self._today())
            self._vault.record_event(
                self._session.actor,
                "client.updated",
                object=f"client:{client_id}",
                details={"fields": fields},
            )
            result = store.load_client(conn, client_id)
        assert result is not None
        return result

    def delete(self, client_id: int, *, expected_version: int | None = None) -> None:
        with self._vault.transaction() as conn:
            current = self._load_for_write(conn, client_id, expected_version)
            store.delete_client(conn, client_id)
            self._vault.record_event(
                self._session.actor,
                "client.deleted",
                object=f"client:{client_id}",
                details={"name": current.name},
            )

    def _load_for_write(self, conn: Any, client_id: int, expected_version: int | None) -> Client:
        # Inside BEGIN IMMEDIATE: no other writer can slip in between this read and the write.
        current = store.load_client(conn, client_id)
        if current is None:
            raise _not_found(client_id)
        if expected_version is not None and current.version != expected_version:
            raise EditConflict(
                f"Client {client_id} was changed by someone else after you opened it "
                f"(you have version {expected_version}, the vault has {current.version}). "
                "Nothing was saved: reload the client and make your change again."
            )
        return current

    # -- reading ----------------------------------------------------------------------

    def get(self, client_id: int) -> Client:
        with self._vault.reading() as conn:
            client = store.load_client(conn, client_id)
        if client is None:
            raise _not_found(client_id)
        return client

    def get_json(self, client_id: int) -> dict[str, Any]:
        """Everything about a client as JSON-ready data, with its purchasing ``patterns``."""
        client = self.get(client_id)
        data = client_to_json(client)
        data["patterns"] = patterns_to_json(compute_patterns(client.purchases, self._today()))
        return data

    def list(self, query: ClientQuery = _ALL) -> list[ClientRow]:
        query = query.checked()
        if query.sort == SortKey.SPEND_12M:
            self._refresh_spend_if_stale()
        with self._vault.reading() as conn:
            return store.list_clients(conn, query, self._today())

    def count(self, query: ClientQuery = _ALL) -> int:
        with self._vault.reading() as conn:
            return store.count_clients(conn, query.checked(), self._today())

    def search(self, text: str, query: ClientQuery = _ALL) -> list[ClientRow]:
        """Ranked full-text search; the filters in ``query`` combine with it."""
        sort = query.sort if query.sort != SortKey.NAME else SortKey.RELEVANCE
        return self.list(replace(query, text=text, sort=sort))

    def followups(self, *, within_days: int = 0, limit: int = 500) -> list[FollowUp]:
        """Open tasks due today or earlier (or within the next ``within_days``)."""
        until = self._today() + dt.timedelta(days=within_days)
        with self._vault.reading() as conn:
            return store.open_tasks(conn, until, limit)

    def birthdays(self, *, within_days: int = 7, limit: int = 500) -> list[Birthday]:
        """Contacts with a birthday in the next ``within_days`` days, soonest first."""
        with self._vault.reading() as conn:
            return store.coming_birthdays(conn, self._today(), within_days, limit)

    def preferences_for(self, client_ids: list[int]) -> dict[int, list[str]]:
        with self._vault.reading() as conn:
            return store.preferences_for(conn, client_ids)

    def _refresh_spend_if_stale(self) -> None:
        """12-month spend moves with the calendar; recompute it once a day for sorting."""
        today = self._today().isoformat()
        with self._vault.reading() as conn:
            row = conn.execute(
                "SELECT value FROM vault_info WHERE key = ?", (_SPEND_AS_OF,)
            ).fetchone()
        if row and row[0] == today:
            return
        with self._vault.transaction() as conn:
            store.refresh_spend(conn, self._today())
            conn.execute(
                "INSERT INTO vault_info (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_SPEND_AS_OF, today),
            )


def _not_found(client_id: int) -> NotFound:
    return NotFound(f"There is no client with id {client_id}. Find it with 'crmdesk search'.")


# Every field a person edits: the dataclass's own list, so a new field is never missed.
_TOP_LEVEL = [
    f.name for f in fields(Client) if f.name not in {"id", "version", "created_at", "updated_at"}
]


def _filled_fields(client: Client) -> list[str]:
    return [f for f in _TOP_LEVEL if getattr(client, f)]


def _changed_fields(old: Client, new: Client) -> list[str]:
    def strip_ids(value: Any) -> Any:
        # Child ids are storage details: a list rewritten with equal content is unchanged.
        if isinstance(value, list):
            return [strip_ids(v) for v in value]
        if hasattr(value, "__dataclass_fields__") and hasattr(value, "id"):
            return replace(value, id=None)
        return value

    return [f for f in _TOP_LEVEL if strip_ids(getattr(old, f)) != strip_ids(getattr(new, f))]
