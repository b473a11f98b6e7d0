"""Signing in: a person's password opens their key slot; failures throttled and audited.

In a vault of several people nothing in the OS keyring opens it: whoever signs in
opens their own key slot with their password (Argon2id; a wrong login costs the same
time as a wrong password), and the keys their grants hold open the database and their
books. A single person may keep sign-in off (their slot opens with the OS keyring); a
lock screen then asks for their password only if they set one.

After five wrong passwords in a row for a login (known or not), sign-in for that login
waits 30 seconds, doubling with every further failure up to 15 minutes. Before anyone
has signed in there is no key to the database, so failures are counted in
``signin.json`` (:mod:`crmdesk.vault.signin_log`) and written into the audit trail by
the next person who signs in. Neither passwords nor keys are ever logged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crmdesk.domain.roles import Role
from crmdesk.errors import BadInput, SignInFailed, SignInThrottled, VaultDamaged
from crmdesk.services import key_access
from crmdesk.services.people import (
    MIN_PASSWORD_CHARS as MIN_PASSWORD_CHARS,  # re-exported for the lock screen
)
from crmdesk.services.people import (
    PASSWORD_KDF,
    User,
    check_new_password,
    load_user,
)
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault, people_keys, signin_log
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.keys.slots import PASSWORD, open_slot
from crmdesk.vault.keys.wrapping import WrongSecret
from crmdesk.vault.protection import Protection, protection
from crmdesk.vault.protection import has_password as slot_has_password
from crmdesk.vault.unlocked import Person

FREE_FAILURES = 5
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(minutes=15)

_WRONG = "The login or password is wrong. Check Caps Lock and try again."


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sign_in_required_at(folder: Path) -> bool:
    """True once the vault has more than one person with a key slot."""
    return protection(read_keyfile(folder)) is Protection.PEOPLE


def sign_in_required(vault: Vault) -> bool:
    return protection(vault.keyfile()) is Protection.PEOPLE


def wait_after(failures: int) -> dt.timedelta:
    """How long sign-in waits after ``failures`` wrong passwords in a row."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT)


def sign_in(
    folder: Path, login: str, password: str, *, now: Callable[[], dt.datetime] = _utcnow
) -> Session:
    """Open the vault in ``folder`` as ``login``: throttled, and audited once open."""
    login = login.strip()
    _check_not_blocked(folder, login, now())
    if people_keys.is_disabled(read_keyfile(folder), login):
        # Said whatever the password: checking it first would confirm a right guess.
        _failed(folder, login, now(), "account disabled", counts=False)
        raise SignInFailed(
            f"The account {login!r} is disabled. Ask the vault's owner if this is a mistake.",
            code="signin.disabled",
            login=login,
        )
    try:
        vault = Vault.sign_in(folder, login, password)
    except SignInFailed:
        _failed(folder, login, now(), "wrong password or unknown login")
        raise
    try:
        return start_session(vault, login, now=now)
    except BaseException:
        vault.close()
        raise


def start_session(vault: Vault, login: str, *, now: Callable[[], dt.datetime] = _utcnow) -> Session:
    """The session of the person whose slot opened ``vault``: their key and role checked
    against the owner's endorsements, queued failures recorded, ``signin.ok`` recorded."""
    with vault.reading() as conn:
        user = load_user(conn, login)
        if user is None or vault.person is None:
            raise VaultDamaged(
                f"{login!r} has a key slot but is no user of this vault: its files were "
                "changed by hand. Keep the vault as it is and restore from your latest backup.",
                code="key.tampered",
                login=login,
            )
        record = key_access.verified_key(vault, conn, user.login, vault.person.serial)
    if record.role is not user.role or record.public != vault.person.public:
        raise VaultDamaged(
            key_access.TAMPERED.format(login=login), code="key.tampered", login=login
        )
    if not user.enabled:
        raise SignInFailed(
            f"The account {user.login!r} is disabled. Ask the vault's owner if this is a mistake.",
            code="signin.disabled",
            login=user.login,
        )
    signin_log.clear(vault.folder, user.login)
    _record_signin(vault, user, now())
    return Session(vault=vault, user=user.principal, must_change_password=user.must_change_password)


def _record_signin(vault: Vault, user: User, moment: dt.datetime) -> None:
    queued = signin_log.queued(vault.folder)
    with vault.transaction() as conn:
        for failure in queued:
            # Recorded now, signed by the person signing in, naming the login typed then.
            vault.record_event(
                failure.login or "(none)",
                failure.action,
                object=failure.login,
                details={**failure.details, "at": failure.ts, "recorded_by": user.login},
            )
        conn.execute(
            "UPDATE users SET last_signin = ? WHERE login = ?", (moment.isoformat(), user.login)
        )
        vault.record_event(user.login, "signin.ok", object=user.login)
    if queued:
        signin_log.drop_queued(vault.folder, queued)


def _check_not_blocked(folder: Path, login: str, moment: dt.datetime) -> None:
    blocked = signin_log.blocked_until(folder, login)
    if blocked is not None and blocked > moment:
        seconds = max(1, int((blocked - moment).total_seconds() + 0.999))
        signin_log.count_failure(
            folder,
            login,
            moment,
            None,
            {"retry_after_seconds": seconds},
            action="signin.throttled",
        )
        raise SignInThrottled(
            f"Too many wrong passwords for {login!r}: wait {_duration(seconds)} and try "
            "again, or ask the vault's owner to reset the password.",
            code="signin.throttled",
            seconds=seconds,
            login=login,
            wait=_duration(seconds),
        )


def _failed(
    folder: Path, login: str, moment: dt.datetime, reason: str, *, counts: bool = True
) -> None:
    failures = signin_log.failures_in_a_row(folder, login) + (1 if counts else 0)
    wait = wait_after(failures)
    blocked = moment + wait if wait else None
    signin_log.count_failure(folder, login, moment, blocked, {"reason": reason})


# -- the signed-in person's own password ------------------------------------------------


def check_password(
    session: Session, password: str, *, now: Callable[[], dt.datetime] = _utcnow
) -> bool:
    """True if ``password`` opens the signed-in person's key slot (the lock screen, an
    owner's approval); throttled like sign-in, and every attempt audited. With no
    password set there is nothing to check."""
    vault = session.vault
    if not has_password(session):
        return True
    _check_not_blocked(vault.folder, session.actor, now())
    if people_keys.check_own_password(vault, password):
        signin_log.clear(vault.folder, session.actor)
        with vault.transaction():
            vault.record_event(session.actor, "signin.ok", object=session.actor)
        return True
    _failed(vault.folder, session.actor, now(), "wrong password")
    with vault.transaction():
        vault.record_event(
            session.actor,
            "signin.failed",
            object=session.actor,
            details={
                "reason": "wrong password",
                "failures_in_a_row": signin_log.failures_in_a_row(vault.folder, session.actor),
            },
        )
    signin_log.drop_queued(vault.folder, signin_log.queued(vault.folder)[-1:])
    return False


def authenticate_other(
    session: Session, login: str, password: str, *, now: Callable[[], dt.datetime] = _utcnow
) -> tuple[User, Person]:
    """Check another person's password while the vault is open (an owner approving on the
    spot): their own key slot must open with it, and the key in it must be the one the
    owner vouches for. Returns the user and their opened key, so that what they approve
    is signed by them. Throttled and audited like sign-in."""
    vault = session.vault
    login = login.strip()
    _check_not_blocked(vault.folder, login, now())
    slot = vault.keyfile().slot(login)
    person: Person | None = None
    if slot is not None and PASSWORD in slot.wraps:
        with contextlib.suppress(WrongSecret):
            secret = open_slot(slot, vault.meta.vault_id, PASSWORD, password=password)
            person = Person(slot.login, slot.serial, secret)
    user = None
    if person is not None:
        with vault.reading() as conn:
            user = load_user(conn, login)
            if user is not None:
                record = key_access.verified_key(vault, conn, user.login, person.serial)
                if record.public != person.public:
                    raise VaultDamaged(
                        key_access.TAMPERED.format(login=login), code="key.tampered", login=login
                    )
    if user is None or person is None or not user.enabled:
        _failed(vault.folder, login, now(), "wrong password or unknown login")
        record_queued_failures(session)
        raise SignInFailed(_WRONG, code="signin.wrong", login=login)
    signin_log.clear(vault.folder, login)
    return user, person


def record_queued_failures(session: Session) -> int:
    """Write the failed sign-ins waiting in ``signin.json`` into the audit trail; returns
    how many.

    Before anyone signs in there is no key to write the database with, so failures wait
    there until the next successful sign-in records them. Someone who stays signed in
    (the owner reading the Activity page) records them too, so that the page and its
    alerts show them: each entry names the login typed then, and is signed by the person
    who recorded it (``recorded_by``), as the audit check allows for these actions only.
    """
    queued = signin_log.queued(session.vault.folder)
    if not queued:
        return 0
    with session.vault.transaction():
        for failure in queued:
            session.vault.record_event(
                failure.login or "(none)",
                failure.action,
                object=failure.login,
                details={**failure.details, "at": failure.ts, "recorded_by": session.actor},
            )
    signin_log.drop_queued(session.vault.folder, queued)
    return len(queued)


def change_password(session: Session, old_password: str, new_password: str) -> None:
    """Replace the signed-in person's password (required after a first or reset one).

    After a first or reset password, which someone else chose, the person also gets new
    key pairs (endorsed by their previous key): from then on only they hold their keys.
    """
    if new_password == old_password:
        raise BadInput(
            "Choose a new password: it must differ from the one you have now.",
            code="password.unchanged",
        )
    check_new_password(new_password)
    vault = session.vault
    if has_password(session) and not people_keys.check_own_password(vault, old_password):
        _failed(vault.folder, session.actor, _utcnow(), "wrong password")
        record_queued_failures(session)
        raise SignInFailed(_WRONG, code="signin.wrong", login=session.actor)
    previous = vault.person
    roll_over = session.must_change_password
    public = people_keys.change_own_password(
        vault, new_password, roll_over=roll_over, kdf=PASSWORD_KDF
    )
    with vault.transaction() as conn:
        if roll_over:
            key_access.endorse(vault, conn, session.actor, session.role, public, signer=previous)
        conn.execute("UPDATE users SET must_change_password = 0 WHERE login = ?", (session.actor,))
        vault.record_event(
            session.actor,
            "user.password_changed",
            object=session.actor,
            details={"new_keys": roll_over},
        )
    session.must_change_password = False


def has_password(session: Session) -> bool:
    return slot_has_password(session.vault.keyfile(), session.actor)


def set_password(session: Session, password: str) -> None:
    """Set the signed-in person's first password (a single user turning a lock on)."""
    check_new_password(password)
    people_keys.set_passphrase(session.vault, password, kdf=PASSWORD_KDF)
    with session.vault.transaction() as conn:
        conn.execute("UPDATE users SET must_change_password = 0 WHERE login = ?", (session.actor,))
        session.vault.record_event(session.actor, "signin.password_set", object=session.actor)
    session.must_change_password = False


def owner_role(conn: Any) -> Role:
    return Role.OWNER


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
