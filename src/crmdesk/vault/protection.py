"""How a vault is protected, read from its key file: one person with the OS keyring,
one person with a passphrase, or several people each with their own password."""

from __future__ import annotations

from enum import StrEnum

from crmdesk.vault.keys.keyfile import KeyFile
from crmdesk.vault.keys.keystore import SERVICE, entry_name
from crmdesk.vault.keys.slots import KEYRING, PASSWORD


class Protection(StrEnum):
    KEYRING = "keyring"  # one person; their slot opens with a secret in the OS keyring
    PASSPHRASE = "passphrase"  # one person; their slot opens with their passphrase
    PEOPLE = "people"  # several people; each slot opens only with its person's password


AWAITING = "awaiting"  # keys.json state: users waiting for a key slot (a new password)


def protection(keyfile: KeyFile) -> Protection:
    """Several slots, or users still waiting for theirs (an upgraded vault's colleagues,
    until the owner gives them new passwords): everyone signs in with their own password."""
    slots = list(keyfile.people.values())
    if len(slots) > 1 or keyfile.state.get(AWAITING):
        return Protection.PEOPLE
    if slots and KEYRING in slots[0].wraps:
        return Protection.KEYRING
    return Protection.PASSPHRASE


def describe(keyfile: KeyFile, source: str) -> str:
    """Where the keys are, in a sentence for status lines and ``crmdesk status``."""
    kind = protection(keyfile)
    if kind is Protection.KEYRING:
        return (
            f"in the {source}, service '{SERVICE}', entry '{entry_name(keyfile.vault_id)}' "
            "(one person: no password asked)"
        )
    if kind is Protection.PASSPHRASE:
        return "wrapped by the owner's passphrase (Argon2id, AES-256-GCM) in keys.json"
    # Slots, not people: an upgraded vault's colleagues have none until they get a password.
    slots = len(keyfile.people)
    books = sum(1 for k in keyfile.keys if k.startswith("book:"))
    return (
        f"in each person's own key slot in keys.json, opened only by their password "
        f"({slots} key {'slot' if slots == 1 else 'slots'}, {books} "
        f"{'book' if books == 1 else 'books'}); nothing in the OS keyring opens this vault"
    )


def has_password(keyfile: KeyFile, login: str) -> bool:
    slot = keyfile.slot(login)
    return slot is not None and PASSWORD in slot.wraps
