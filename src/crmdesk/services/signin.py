"""Signing in: passwords checked against Argon2id hashes, failures throttled and audited.

With the key in the OS keyring anyone at the unlocked computer could reopen the vault,
so in a vault with several users everyone signs in at every unlock. A single user may
keep sign-in off; a lock screen then asks for their password only if they set one.

After five wrong passwords in a row for a login (known or not), sign-in for that login
waits 30 seconds, doubling with every further failure up to 15 minutes; the count lives
in the vault, so restarting the app or the command does not reset it. Neither passwords
nor hashes are ever logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError

from crmdesk.errors import BadInput, SignInFailed, SignInThrottled
from crmdesk.services.people import (
    MIN_PASSWORD_CHARS as MIN_PASSWORD_CHARS,  # re-exported for the lock screen
)
from crmdesk.services.people import (
    User,
    check_new_password,
    enabled_user_count,
    hasher,
    load_user,
)
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault

FREE_FAILURES = 5
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(minutes=15)
_dummy_hash: str | None = None


def _dummy() -> str:
    """Verified when the login is unknown, so that a wrong login takes as long as a wrong
    password (made on first use: hashing costs a fifth of a second)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hasher.hash("crmdesk: no such user")
    return _dummy_hash


_WRONG = "The login or password is wrong. Check Caps Lock and try again."


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sign_in_required(vault: Vault) -> bool:
    """True once the vault has more than one enabled user."""
    with vault.reading() as conn:
        return enabled_user_count(conn) > 1


def wait_after(failures: int) -> dt.timedelta:
    """How long sign-in waits after ``failures`` wrong passwords in a row."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT)


def sign_in(
    vault: Vault, login: str, password: str, *, now: Callable[[], dt.datetime] = _utcnow
) -> Session:
    """The session of ``login`` if the password is right; throttled and audited."""
    user = authenticate(vault, login, password, now=now)
    with vault.transaction() as conn:
        conn.execute(
            "UPDATE users SET last_signin = ? WHERE login = ?", (now().isoformat(), user.login)
        )
        vault.record_event(user.login, "signin.ok", object=user.login)
    return Session(vault=vault, user=user.principal, must_change_password=user.must_change_password)


def authenticate(
    vault: Vault, login: str, password: str, *, now: Callable[[], dt.datetime] = _utcnow
) -> User:
    """Check a login and password; returns the user or raises :class:`SignInFailed`."""
    login = login.strip()
    moment = now()
    with vault.reading() as conn:
        blocked = _blocked_until(conn, login)
        user = load_user(conn, login) if login else None
        stored = _password_hash(conn, login) if user else None
    if blocked is not None and blocked > moment:
        seconds = max(1, int((blocked - moment).total_seconds() + 0.999))
        _record(vault, login, "signin.throttled", {"retry_after_seconds": seconds})
        raise SignInThrottled(
            f"Too many wrong passwords for {login!r}: wait {_duration(seconds)} and try "
            "again, or ask the vault's owner to reset the password.",
            code="signin.throttled",
            seconds=seconds,
            login=login,
            wait=_duration(seconds),
        )
    ok = _verify(stored or _dummy(), password) and stored is not None
    if not ok:
        reason = "wrong password" if user else "unknown login"
        _count_failure(vault, login, moment, reason)
        raise SignInFailed(_WRONG, code="signin.wrong", login=login)
    assert user is not None
    if not user.enabled:
        _record(vault, login, "signin.failed", {"reason": "account disabled"})
        raise SignInFailed(
            f"The account {user.login!r} is disabled. Ask the vault's owner if this is a mistake.",
            code="signin.disabled",
            login=user.login,
        )
    with vault.transaction() as conn:
        conn.execute("DELETE FROM signin_failures WHERE login = ?", (login,))
    return user


def change_password(session: Session, old_password: str, new_password: str) -> None:
    """Replace the signed-in person's password (required after a first or reset one)."""
    if new_password == old_password:
        raise BadInput(
            "Choose a new password: it must differ from the one you have now.",
            code="password.unchanged",
        )
    if session.must_change_password or has_password(session):
        authenticate(session.vault, session.actor, old_password)
    _store_own_password(session, new_password, "user.password_changed")


def has_password(session: Session) -> bool:
    with session.vault.reading() as conn:
        return _password_hash(conn, session.actor) is not None


def set_password(session: Session, password: str) -> None:
    """Set the signed-in person's first password (a single user turning a lock on)."""
    _store_own_password(session, password, "signin.password_set")


def check_password(session: Session, password: str) -> bool:
    """True if ``password`` is the signed-in person's (for the lock screen); throttled.

    With no password set there is nothing to check. Every attempt is audited.
    """
    if not has_password(session):
        return True
    try:
        authenticate(session.vault, session.actor, password)
    except SignInThrottled:
        raise
    except SignInFailed:
        return False
    with session.vault.transaction():
        session.vault.record_event(session.actor, "signin.ok", object=session.actor)
    return True


def _store_own_password(session: Session, password: str, action: str) -> None:
    check_new_password(password)
    vault = session.vault
    with vault.transaction() as conn:
        conn.execute(
            "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE login = ?",
            (hasher.hash(password), session.actor),
        )
        vault.record_event(session.actor, action, object=session.actor)
    session.must_change_password = False


def _password_hash(conn: Any, login: str) -> str | None:
    row = conn.execute("SELECT password_hash FROM users WHERE login = ?", (login,)).fetchone()
    return row[0] if row else None


def _verify(stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _blocked_until(conn: Any, login: str) -> dt.datetime | None:
    row = conn.execute(
        "SELECT blocked_until FROM signin_failures WHERE login = ?", (login,)
    ).fetchone()
    return dt.datetime.fromisoformat(row[0]) if row and row[0] else None


def _count_failure(vault: Vault, login: str, moment: dt.datetime, reason: str) -> None:
    with vault.transaction() as conn:
        row = conn.execute(
            "SELECT failures FROM signin_failures WHERE login = ?", (login,)
        ).fetchone()
        failures = (int(row[0]) if row else 0) + 1
        wait = wait_after(failures)
        blocked = (moment + wait).isoformat() if wait else None
        conn.execute(
            "INSERT INTO signin_failures (login, failures, last_failure, blocked_until)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (login) DO UPDATE SET"
            " failures = excluded.failures, last_failure = excluded.last_failure,"
            " blocked_until = excluded.blocked_until",
            (login, failures, moment.isoformat(), blocked),
        )
        vault.record_event(
            login or "(none)",
            "signin.failed",
            object=login,
            details={"reason": reason, "failures_in_a_row": failures},
        )


def _record(vault: Vault, login: str, action: str, details: dict[str, Any]) -> None:
    with vault.transaction():
        vault.record_event(login or "(none)", action, object=login, details=details)


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
