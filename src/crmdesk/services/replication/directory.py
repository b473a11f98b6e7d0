"""The office's people, books and devices, as the owner's device sends them.

A member device needs to know who the office's salespeople are (a client's book follows
its salesperson: :func:`crmdesk.services.client_store.books.book_for`), which book is
whose, and which devices' files to trust. Only the office's own device speaks for the
directory; a member takes it from the owner device's files and from nobody else's.

On a member device its own person stays the local owner of that vault (their keys and
sign-in work as on any vault); their office book is named in ``sync.own_book`` so that
their clients go into it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict
from typing import Any

from crmdesk.vault import people_keys

from . import ledger, state, trails

OWN_BOOK_KEY = "sync.own_book"
# The person's role in the office: on their laptop they act in it (services/people.py's
# owner_principal), so the office's rules hold there too (a Salesperson exports nothing).
OWN_ROLE_KEY = "sync.own_role"
SENT_KEY = "sync.directory_sent"


def snapshot(vault: Any) -> dict[str, Any]:
    """What the owner device says the office is now."""
    conn = vault.connection
    people = [
        {"login": r[0], "full_name": r[1], "role": r[2], "disabled": r[3] is not None}
        for r in conn.execute(
            "SELECT login, full_name, role, disabled_at FROM users ORDER BY login"
        )
    ]
    books = [
        {"id": r[0], "login": r[1]} for r in conn.execute("SELECT id, login FROM books ORDER BY id")
    ]
    devices = {k: asdict(v) for k, v in sorted(state.devices(vault).items())}
    return {
        "people": people,
        "books": books,
        "devices": devices,
        "audit": trails.directory_entry(vault),
    }


def changed_since_sent(vault: Any) -> dict[str, Any] | None:
    """The directory, if it differs from the one last written into a change file."""
    found = snapshot(vault)
    digest = hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()
    if ledger.info(vault, SENT_KEY) == digest:
        return None
    ledger.set_info(vault, SENT_KEY, digest)  # in the transaction that writes the file
    return found


def take(
    vault: Any, office: state.Office, directory: dict[str, Any], keys: dict[str, bytes]
) -> None:
    """A member device takes the owner device's directory (in the caller's transaction)."""
    conn = vault.connection
    me = office.login.casefold()
    now = dt.datetime.now(dt.UTC).isoformat()
    for person in directory.get("people", []):
        login = str(person["login"])
        if login.casefold() == me:
            # The local owner of this vault: their row and keys stay as they are; they
            # act in their office role.
            ledger.set_info(vault, OWN_ROLE_KEY, str(person["role"]))
            continue
        role = str(person["role"])
        role = "manager" if role == "owner" else role  # one owner per vault: this one's
        conn.execute(
            "INSERT INTO users (login, full_name, role, created_at, created_by, disabled_at)"
            " VALUES (?, ?, ?, ?, 'office', ?) ON CONFLICT (login) DO UPDATE SET"
            " full_name = excluded.full_name, role = excluded.role,"
            " disabled_at = excluded.disabled_at",
            (login, str(person["full_name"]), role, now, now if person.get("disabled") else None),
        )
    held_books = {
        k.rpartition("@")[0][len(ledger.BOOK_PREFIX) :]
        for k in keys
        if k.startswith(ledger.BOOK_PREFIX)
    }
    for book in directory.get("books", []):
        book_id, login = str(book["id"]), book.get("login")
        conn.execute(
            "INSERT INTO books (id, login, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET login = excluded.login",
            (book_id, login, now),
        )
        if login is not None and str(login).casefold() == me and book_id in held_books:
            ledger.set_info(vault, OWN_BOOK_KEY, book_id)
    trails.take_directory_entry(vault, directory.get("audit"))
    devices = {k: state.Device(**v) for k, v in dict(directory.get("devices", {})).items()}
    state.save_devices(vault, devices)


def make_held_books(vault: Any, keys: dict[str, bytes]) -> list[str]:
    """Local book files for the books whose sections this device may read (outside a
    transaction: a book file is made with its key first, like any new book)."""
    made = []
    for section_id in keys:
        base = section_id.rpartition("@")[0]
        if not base.startswith(ledger.BOOK_PREFIX):
            continue
        book_id = base[len(ledger.BOOK_PREFIX) :]
        if vault.book_schema(book_id) is None and vault.person is not None:
            people_keys.create_book(vault, book_id, [vault.person.public])
            made.append(book_id)
    return made
