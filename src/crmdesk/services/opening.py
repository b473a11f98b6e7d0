"""What every open of a vault by a person ends with: the owner's session on a vault
without sign-in, and what an open finishes (a rotation that waited, a recovery key
nobody has seen)."""

from __future__ import annotations

import contextlib

from crmdesk.errors import VaultInUse
from crmdesk.services import client_store, key_access, people
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault, people_keys
from crmdesk.vault.keys import recovery as recovery_codec


def owner_session(vault: Vault) -> Session:
    """The owner's session on a vault without sign-in (one user, or just created)."""
    people.ensure_people(vault)
    session = Session(vault=vault, user=people.owner_principal(vault))
    settle(session)
    return session


def settle(session: Session) -> None:
    """What an open by this person finishes: changes of the books they hold that a crash
    left half written, a rotation that waited for the vault alone (Owners and Managers
    hold the keys to do it), and an owner's recovery key nobody has seen (made again, to
    show once)."""
    vault = session.vault
    # Books first: a change a crash left half written, rows of clients that left a book.
    client_store.settle_books(vault)
    # Clients a role change cut short left in their old book: Owners and Managers hold
    # every book to move them.
    if session.user.role.value in ("owner", "manager"):
        with contextlib.suppress(client_store.NotHeld):
            client_store.finish_rehousing(vault)
    keyfile = vault.keyfile()
    if session.user.role.value == "owner" and people_keys.needs_new_recovery_key(
        keyfile, session.actor
    ):
        secret = people_keys.new_recovery_key(vault)
        vault.show_recovery_key_once(recovery_codec.encode(secret))
        with vault.transaction():
            vault.record_event(
                session.actor,
                "key.recovery_replaced",
                object=session.actor,
                details={"reason": "the owner had no recovery key they had seen"},
            )
    waiting = key_access.waiting_rotations(vault)
    if waiting and session.user.role.value in ("owner", "manager"):
        with contextlib.suppress(VaultInUse):
            key_access.rotate_keys(
                vault, session.actor, waiting, "a rotation that waited for the vault alone"
            )


def pending_recovery_key(session: Session) -> str | None:
    """A recovery key made for the owner that nobody has seen yet, once; show it."""
    return session.vault.unshown_recovery_key()
