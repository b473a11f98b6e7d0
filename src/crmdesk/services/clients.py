"""Client records: every create, read, update, delete and search goes through here.

Each write runs in one transaction with its audit event, so a change and its record
commit together; invalid input is refused whole, with every bad field named. Every
method first checks the signed-in person's role (:mod:`crmdesk.services.access`); who
sees which client in full follows :class:`crmdesk.domain.roles.Principal`, and someone
limited to basics gets records with the value-added values withheld, and cannot change
them. Views of value-added information and searches are recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
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
from crmdesk.domain.changes import (
    changed_fields,
    filled_fields,
    value_added_changes,
    value_added_sections,
)
from crmdesk.domain.classification import redact_value_added
from crmdesk.domain.coverage import Coverage, categories_added, client_coverage
from crmdesk.domain.need_to_know import keep_child_ids, merge_withheld, redact_client
from crmdesk.domain.roles import Permission, Principal, Visibility
from crmdesk.errors import EditConflict, InvalidRecord, NotFound
from crmdesk.services import audit_sealing, basic_views, withheld
from crmdesk.services import client_store as store
from crmdesk.services.access import deny, require
from crmdesk.services.client_query import (
    Birthday,
    ClientQuery,
    ClientRow,
    FollowUp,
    Scope,
    SortKey,
)
from crmdesk.services.session import Session
from crmdesk.services.settings import phone_region

_ALL = ClientQuery()


def _invalid(exc: ValidationError) -> InvalidRecord:
    lines = "\n".join(f"  {e}" for e in exc.errors)
    return InvalidRecord(
        f"Nothing was saved; fix these fields and try again:\n{lines}",
        list(exc.errors),
        code="record.invalid",
    )


class ClientService:
    """The client records of one vault, acted on by the session's person."""

    def __init__(
        self,
        session: Session,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        phone_region: str | None = None,
    ) -> None:
        self._session = session
        self._today = today
        self._now = now
        # None: the vault's region (services/settings.py), looked up when a number is read.
        self._region = phone_region

    def _phone_region(self) -> str:
        return self._region or phone_region(self._vault)

    def region_for_phones(self) -> str:
        """The region numbers are read in and shown national for ("DE"): the screens
        show a stored number with domain.phones.display_phone in it."""
        return self._phone_region()

    @property
    def _vault(self) -> Any:
        # Looked up on every call: after a lock and unlock the session holds a new vault.
        return self._session.vault

    # -- writing ----------------------------------------------------------------------

    def add(self, data: Mapping[str, Any]) -> int:
        """Create a client from JSON-shaped data; returns its id."""
        require(self._session, Permission.CREATE_CLIENT, what="client")
        try:
            client = client_from_json(dict(data), default_region=self._phone_region())
        except ValidationError as exc:
            raise _invalid(exc) from None
        return self.add_client(client)

    def add_client(self, client: Client) -> int:
        """Create an already validated client (the demo generator and GUI use this).

        A Salesperson's new client is assigned to them unless they name someone; naming
        someone else, or giving value-added details for a client they would not see in
        full, is refused.
        """
        user = require(self._session, Permission.CREATE_CLIENT, what="client")
        if user.visibility is Visibility.ASSIGNED and not client.salesperson.strip():
            client = replace(client, salesperson=user.full_name)
        if (
            client.salesperson.strip()
            and user.visibility is not Visibility.ALL
            and not user.is_assigned(client.salesperson)
        ):
            deny(self._session, Permission.ASSIGN_CLIENT, what="new client")
        if not user.sees_value_added(client.salesperson) and redact_client(client) != client:
            deny(self._session, Permission.EDIT_VALUE_ADDED, what="new client")
        with self._vault.transaction():
            (client_id,) = store.insert_clients(self._vault, [client], self._now(), self._today())
            self._vault.record_event(
                self._session.actor,
                "client.created",
                object=f"client:{client_id}",
                # Coverage at creation: since when each kind of information is on file.
                details={
                    "fields": filled_fields(client),
                    "coverage": sorted(client_coverage(client).held),
                },
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
        user = require(self._session, Permission.CREATE_CLIENT, what=source)
        if user.visibility is not Visibility.ALL:
            # Bulk records carry value-added details and salespeople of all kinds.
            deny(self._session, Permission.ASSIGN_CLIENT, what=source)
        source_iter = iter(clients)
        now, today = self._now(), self._today()
        done = 0
        with self._vault.bulk_writes():
            while batch := list(itertools.islice(source_iter, batch_size)):
                if cancelled and cancelled():
                    break
                with self._vault.transaction():
                    ids = store.insert_clients(self._vault, batch, now, today)
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
        """:meth:`update_changed` without saying whether anything changed."""
        return self.update_changed(client_id, patch, expected_version=expected_version)[0]

    def update_changed(
        self, client_id: int, patch: Mapping[str, Any], *, expected_version: int | None = None
    ) -> tuple[Client, bool]:
        """Change the given top-level fields; child lists given are replaced whole.

        With ``expected_version`` (the version the editor read), a save over someone
        else's newer change is refused with :class:`EditConflict` instead of overwriting it.
        Someone limited to basics may send back the record as they saw it: the values
        withheld from them are kept.
        """
        user = require(self._session, Permission.EDIT_BASIC, what=f"client:{client_id}")
        patch = {
            k: v
            for k, v in patch.items()
            if k not in ("redacted", "withheld", "patterns", "coverage")
        }
        refused: Permission | None = None
        region = self._phone_region()
        moved = False
        with self._vault.transaction() as conn:
            current = self._load_for_write(client_id, expected_version)
            refused, patch = _limit_patch(user, current, patch)
            if refused is None:
                try:
                    changed = apply_patch(current, patch, default_region=region)
                    changed = keep_child_ids(current, changed)
                except ValidationError as exc:
                    raise _invalid(exc) from None
                fields = changed_fields(current, changed)
                if not fields:
                    return self._as_seen(user, current), False
                now = self._now()
                version = store.update_client(self._vault, changed, now, self._today())
                changes = value_added_changes(current, changed, fields)
                details: dict[str, Any] = {"fields": fields, **changes}
                if added := categories_added(changes.get("value_added_changes")):
                    # Which kinds a change added, never what they say: coverage's
                    # "since when" reads it without the audit key.
                    details["coverage_added"] = added
                self._vault.record_event(
                    self._session.actor,
                    "client.updated",
                    object=f"client:{client_id}",
                    # Old and new value-added values: sealed to the Owner and Managers.
                    details=audit_sealing.seal_details(self._vault, conn, details),
                )
                moved = changed.salesperson != current.salesperson
        if refused is not None:  # recorded in its own transaction, after the rollback
            deny(self._session, refused, what=f"client:{client_id}")
        if moved:  # another book: the rows left in the old one go, in a later transaction
            store.finish_moves(self._vault)
        # What was written, not read back: the client was loaded once, for the checks
        # above. (Its lists' rows get new ids in the store; no caller and no JSON uses them.)
        return self._as_seen(user, replace(changed, version=version, updated_at=now)), True

    def delete(self, client_id: int, *, expected_version: int | None = None) -> str:
        """Delete a client and everything hanging off it; returns its name."""
        require(self._session, Permission.DELETE_CLIENT, what=f"client:{client_id}")
        with self._vault.transaction():
            current = self._load_for_write(client_id, expected_version)
            store.delete_client(self._vault, client_id)
            self._vault.record_event(
                self._session.actor,
                "client.deleted",
                object=f"client:{client_id}",
                details={"name": current.name},
            )
        return current.name

    def _load_for_write(self, client_id: int, expected_version: int | None) -> Client:
        # Inside BEGIN IMMEDIATE: no other writer can slip in between this read and the write.
        current = store.load_client(self._vault, client_id)
        if current is None:
            raise _not_found(client_id)
        if expected_version is not None and current.version != expected_version:
            raise EditConflict(
                f"Client {client_id} was changed by someone else after you opened it "
                f"(you have version {expected_version}, the vault has {current.version}). "
                "Nothing was saved: reload the client and make your change again.",
                code="record.conflict",
                client_id=client_id,
                yours=expected_version,
                theirs=current.version,
            )
        return current

    # -- reading ----------------------------------------------------------------------

    def sees_value_added(self, salesperson: str) -> bool:
        """Whether the signed-in person sees a client assigned so in full (for the GUI)."""
        return self._session.user.sees_value_added(salesperson)

    def get(self, client_id: int, *, record_view: bool = True) -> Client:
        """The client as the signed-in person may see it.

        A view that shows value-added information is recorded (``client.viewed``), so
        that the owner can see who looked at what; a view of basic information only is
        recorded once per person, client and day (:mod:`.basic_views`);
        ``record_view=False`` is for callers that record their own event (printing).
        """
        user = require(self._session, Permission.VIEW_BASIC, what=f"client:{client_id}")
        with self._vault.reading():
            client = store.load_client(self._vault, client_id)
        if client is None:
            raise _not_found(client_id)
        sees = user.sees_value_added(client.salesperson)
        sections = value_added_sections(client) if record_view and sees else []
        if sections:  # a record with nothing value-added in it shows no trade secret
            with self._vault.transaction():
                self._vault.record_event(
                    user.login,
                    "client.viewed",
                    object=f"client:{client_id}",
                    details={"value_added": True, "sections": sections},
                )
        elif record_view:
            basic_views.record(self._vault, user.login, client_id, self._now())
        return client if sees else redact_client(client)

    def get_json(self, client_id: int, *, record_view: bool = True) -> dict[str, Any]:
        """Everything about a client the person may see as JSON-ready data, with its
        purchasing ``patterns``; withheld values are emptied, and ``redacted`` and
        ``withheld`` (why, and whom to ask) come first."""
        return self.as_json(self.get(client_id, record_view=record_view))

    def as_json(self, client: Client) -> dict[str, Any]:
        """A client this person was given (by :meth:`get` or :meth:`update`) as
        :meth:`get_json` shows it: JSON-ready, with its purchasing patterns."""
        data = client_to_json(client)
        if not self.sees_value_added(client.salesperson):
            redacted = redact_value_added({**data, "patterns": None, "coverage": None})
            # Said as withheld, category by category: never "missing".
            redacted["coverage"] = Coverage.hidden().to_json()
            return withheld.mark(self._session, redacted)
        data["patterns"] = patterns_to_json(compute_patterns(client.purchases, self._today()))
        coverage = self.coverage([client.id]).get(client.id) if client.id is not None else None
        data["coverage"] = (coverage or Coverage()).to_json()
        return data

    def list(
        self, query: ClientQuery = _ALL, *, record_search: bool = True, with_coverage: bool = True
    ) -> list[ClientRow]:
        """A page of clients; the first page of a search is recorded in the audit trail
        (``record_search=False`` for callers that record their own event, as the desktop
        app does once typing stops: :meth:`record_search`). ``with_coverage=False`` for
        callers that do not show it (the printed list): each row's coverage is then left
        withheld, and the books' records are not read for it."""
        query = query.checked()
        user = self._require_for(query)
        if query.sort == SortKey.SPEND_12M:
            self._refresh_spend_if_stale()
        if query.sort == SortKey.COVERAGE:
            require(self._session, Permission.VIEW_VALUE_ADDED, what="client list")
        with self._vault.reading():
            rows = store.list_clients(
                self._vault, query, self._today(), _scope(user), with_coverage=with_coverage
            )
        if record_search and query.text.strip() and query.offset == 0:
            # The first page of a search is its record; scrolling on is the same search.
            self._record_search(user, query.text, len(rows))
        return rows

    def record_search(self, text: str, first_page: int) -> None:
        """Record a search the caller ran with ``record_search=False``: ``first_page`` is
        how many results its first page showed. The app calls this once per search,
        when typing stops, not once per prefix typed on the way."""
        if not text.strip():
            return
        user = require(self._session, Permission.SEARCH, what="client list")
        self._record_search(user, text, first_page)

    def _record_search(self, user: Principal, text: str, first_page: int) -> None:
        with self._vault.transaction():
            self._vault.record_event(
                user.login,
                "clients.searched",
                object="clients",
                details={"text": text.strip()[:200], "first_page": first_page},
            )

    def position(self, query: ClientQuery, client_id: int) -> int | None:
        """Where a client is in the list ``query`` describes (0 is the first row), or
        None when the list does not hold it; ``query``'s page is ignored. Not recorded
        as a search: it is where to show a client already open."""
        replace(query, limit=1, offset=0).checked()
        user = self._require_for(query)
        with self._vault.reading():
            return store.position_of(self._vault, query, self._today(), _scope(user), client_id)

    def keep_spend_current(self) -> None:
        """Work out 12-month spends for today if they were worked out for another day
        (they drift as days pass). The desktop app runs this in the background when a
        vault opens, so that sorting by spend never waits for it."""
        require(self._session, Permission.VIEW_BASIC, what="client list")
        self._refresh_spend_if_stale()

    def list_ids(self, query: ClientQuery = _ALL) -> list[tuple[int, str]]:
        """The id and name of every client of the list, in its order, as the person may
        list them (``query``'s page is ignored); not recorded as a search (for callers
        that record their own event: exports)."""
        replace(query, limit=1, offset=0).checked()
        user = self._require_for(query)
        if query.sort == SortKey.SPEND_12M:
            self._refresh_spend_if_stale()
        with self._vault.reading():
            return store.list_ids(self._vault, query, self._today(), _scope(user))

    def count(self, query: ClientQuery = _ALL) -> int:
        query = query.checked()
        user = self._require_for(query)
        with self._vault.reading():
            return store.count_clients(self._vault, query, self._today(), _scope(user))

    def search(self, text: str, query: ClientQuery = _ALL) -> list[ClientRow]:
        """Ranked full-text search; the filters in ``query`` combine with it."""
        sort = query.sort if query.sort != SortKey.NAME else SortKey.RELEVANCE
        return self.list(replace(query, text=text, sort=sort))

    def followups(
        self, *, within_days: int = 0, limit: int | None = 500, own: bool = False
    ) -> list[FollowUp]:
        """Open tasks due today or earlier (or within the next ``within_days``); the
        first ``limit`` of them (None: all). ``own``: a Salesperson's of their own
        clients only (their calls to make); everyone else's are all they may see."""
        user = require(self._session, Permission.VIEW_BASIC, what="follow-ups")
        until = self._today() + dt.timedelta(days=within_days)
        scope = _scope(user) if own and user.visibility is Visibility.ASSIGNED else Scope()
        with self._vault.reading() as conn:
            return store.open_tasks(conn, until, limit, scope)

    def birthdays(self, *, within_days: int = 7, limit: int = 500) -> list[Birthday]:
        """Contacts with a birthday in the next ``within_days`` days, soonest first.

        Birthdays are personal information (value-added): a Salesperson sees those of
        their own clients.
        """
        user = require(self._session, Permission.VIEW_VALUE_ADDED, what="birthdays")
        with self._vault.reading():
            return store.coming_birthdays(
                self._vault, self._today(), within_days, limit, _scope(user)
            )

    def coverage(self, client_ids: list[int]) -> dict[int, Coverage]:
        """Which kinds of value-added information the clients hold, as the person may
        see it: withheld for the clients they do not see in full (an Assistant: all)."""
        user = require(self._session, Permission.VIEW_BASIC, what="coverage")
        with self._vault.reading():
            return store.coverage_of(self._vault, client_ids, _scope(user))

    def preferences_for(self, client_ids: list[int]) -> dict[int, list[str]]:
        """Preferences of the clients the person sees in full (for call lists)."""
        user = require(self._session, Permission.VIEW_BASIC, what="preferences")
        with self._vault.reading():
            return store.preferences_for(self._vault, client_ids, _scope(user))

    def _require_for(self, query: ClientQuery) -> Principal:
        permission = Permission.SEARCH if query.text.strip() else Permission.VIEW_BASIC
        if query.buys_in_month or query.birthday_within_days is not None or query.missing:
            # Seasons, birthdays and coverage are value-added.
            permission = Permission.VIEW_VALUE_ADDED
        return require(self._session, permission, what="client list")

    def _as_seen(self, user: Principal, client: Client) -> Client:
        return client if user.sees_value_added(client.salesperson) else redact_client(client)

    def refresh_spend(self) -> None:
        """Bring the 12-month spends up to today, for figures that read them."""
        self._refresh_spend_if_stale()

    def _refresh_spend_if_stale(self) -> None:
        """12-month spend moves with the calendar; recompute it once a day for sorting."""
        today = self._today()
        with self._vault.reading():
            if store.spend_is_current(self._vault, today):
                return
        with self._vault.transaction():
            store.refresh_spend(self._vault, today)


def _scope(user: Principal) -> Scope:
    return Scope(user.visibility, user.assignment_names())


def _limit_patch(
    user: Principal, current: Client, patch: dict[str, Any]
) -> tuple[Permission | None, dict[str, Any]]:
    """The patch this person may apply, or the permission it would need."""
    if (
        "salesperson" in patch
        and str(patch["salesperson"] or "").strip() != current.salesperson
        and user.visibility is not Visibility.ALL
    ):
        return Permission.ASSIGN_CLIENT, patch
    if user.sees_value_added(current.salesperson):
        return None, patch
    merged, refused = merge_withheld(client_to_json(current), patch)
    if refused:
        return Permission.EDIT_VALUE_ADDED, patch
    return None, merged


def _not_found(client_id: int) -> NotFound:
    return NotFound(
        f"There is no client with id {client_id}. Search for it by name.",
        code="client.not_found",
        client_id=client_id,
    )
