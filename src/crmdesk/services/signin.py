"""The sign-in password of the vault's owner: what a lock screen asks for.

With the key in the OS keyring anyone at the unlocked computer could reopen the vault,
so a lock stops only a passer-by until a password is set. Passwords are hashed with
Argon2id (argon2-cffi's defaults, RFC 9106's low-memory setting); the hash lives inside
the encrypted vault, and neither the password nor the hash is ever logged.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crmdesk.errors import BadInput
from crmdesk.services.session import Session

_KEY = "owner_password_hash"
MIN_PASSWORD_CHARS = 10
_hasher = PasswordHasher()


def has_password(session: Session) -> bool:
    with session.vault.reading() as conn:
        row = conn.execute("SELECT 1 FROM vault_info WHERE key = ?", (_KEY,)).fetchone()
    return row is not None


def set_password(session: Session, password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadInput(
            f"The password must have at least {MIN_PASSWORD_CHARS} characters; "
            "a few unrelated words make a strong one."
        )
    digest = _hasher.hash(password)
    with session.vault.transaction() as conn:
        conn.execute(
            "INSERT INTO vault_info (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_KEY, digest),
        )
        session.vault.record_event(session.actor, "signin.password_set", object=session.actor)


def check_password(session: Session, password: str) -> bool:
    """True if ``password`` is right; every attempt is recorded in the audit trail."""
    with session.vault.reading() as conn:
        row = conn.execute("SELECT value FROM vault_info WHERE key = ?", (_KEY,)).fetchone()
    if row is None:
        return True
    try:
        ok = _hasher.verify(row[0], password)
    except (VerificationError, InvalidHashError):
        ok = False
    with session.vault.transaction():
        session.vault.record_event(
            session.actor, "signin.ok" if ok else "signin.failed", object=session.actor
        )
    return ok
