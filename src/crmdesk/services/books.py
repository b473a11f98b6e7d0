"""Books: which book holds each client's value-added information, and making them.

The rule: a client's book is the book of its salesperson when the salesperson is an
enabled user with the Salesperson role (matched by login or full name, as
:mod:`crmdesk.domain.roles` matches a Salesperson's own clients); every other client is
in the house book. Owners and Managers hold every book, so which book a client of
theirs is in does not change who reads it.
"""

from __future__ import annotations

import datetime as dt

from crmdesk.domain.roles import Role
from crmdesk.errors import BadInput
from crmdesk.services import key_access
from crmdesk.services.client_store import move_clients_to_their_books
from crmdesk.services.user_session import Session
from crmdesk.vault import people_keys
from crmdesk.vault.books import HOUSE, MAX_ATTACHED_BOOKS, new_book_id


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def ensure_book(session: Session, login: str) -> str:
    """The book of ``login`` (a Salesperson), made now if they have none."""
    vault = session.vault
    with vault.reading() as conn:
        existing = key_access.book_of(conn, login)
        if existing is not None:
            return existing
        (count,) = conn.execute("SELECT count(*) FROM books").fetchone()
        if count >= MAX_ATTACHED_BOOKS:
            # One connection attaches at most ten files besides the main one (sqlcipher3
            # is built with SQLITE_MAX_ATTACHED = 10): the house book and nine others.
            raise BadInput(
                f"This vault already has {count} client books (the house book and one per "
                f"salesperson), the most this version of crmdesk can open at once. Give "
                f"{login!r} another role, or let a former salesperson's clients go to the "
                "house book first.",
                code="books.too_many",
                count=count,
                login=login,
            )
        managers = [
            r[0]
            for r in conn.execute(
                "SELECT login FROM users WHERE role IN ('owner', 'manager')"
                " AND disabled_at IS NULL AND key_serial IS NOT NULL"
            )
        ]
        holders = []
        for name in [*managers, login]:
            record = key_access.current_key(vault, conn, name)
            if record is not None:
                holders.append(record.public)
    book_id = new_book_id()
    people_keys.create_book(vault, book_id, holders)
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO books (id, login, created_at) VALUES (?, ?, ?)", (book_id, login, _now())
        )
        vault.record_event(
            session.actor, "book.created", object=f"book:{book_id}", details={"login": login}
        )
    return book_id


def rehouse_clients_of(session: Session, login: str) -> int:
    """Move the clients of ``login`` to the book the rule gives them now (after a role
    change, a disabled or enabled account); returns how many moved."""
    return move_clients_to_their_books(session.vault, login)


def house_book() -> str:
    return HOUSE


def is_seller(role: Role) -> bool:
    return role is Role.SALESPERSON
