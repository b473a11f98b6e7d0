"""The people of a vault: its users, their roles, and the owner's management of them.

Every vault has its owner as the first user (added the first time a vault is opened by
this version). The owner adds users with an initial password that must be changed at
first sign-in, resets passwords, changes roles and disables accounts; each change is one
transaction with its audit event. Passwords are stored only as Argon2id hashes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher

from crmdesk.domain.policy_text import default_policy, policy_hash
from crmdesk.domain.roles import Permission, Principal, Role, role_from_text
from crmdesk.errors import BadInput, NotFound
from crmdesk.services.access import require
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault

MIN_PASSWORD_CHARS = 10
_LEGACY_OWNER_HASH = "owner_password_hash"  # where schema 4 kept the owner's password
hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class User:
    """A user as the owner's user list shows them (no password hash)."""

    login: str
    full_name: str
    role: Role
    created_at: dt.datetime
    created_by: str
    has_password: bool
    must_change_password: bool
    disabled_at: dt.datetime | None
    last_signin: dt.datetime | None

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    @property
    def principal(self) -> Principal:
        return Principal(self.login, self.full_name, self.role)


_USER_COLUMNS = (
    "login, full_name, role, created_at, created_by, password_hash IS NOT NULL,"
    " must_change_password, disabled_at, last_signin"
)


def _ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _user(row: Any) -> User:
    return User(
        login=row[0],
        full_name=row[1],
        role=Role(row[2]),
        created_at=dt.datetime.fromisoformat(row[3]),
        created_by=row[4],
        has_password=bool(row[5]),
        must_change_password=bool(row[6]),
        disabled_at=_ts(row[7]),
        last_signin=_ts(row[8]),
    )


def load_user(conn: Any, login: str) -> User | None:
    row = conn.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE login = ?", (login,)).fetchone()
    return _user(row) if row else None


def enabled_user_count(conn: Any) -> int:
    return int(conn.execute("SELECT count(*) FROM users WHERE disabled_at IS NULL").fetchone()[0])


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadInput(
            f"The password must have at least {MIN_PASSWORD_CHARS} characters; "
            "a few unrelated words make a strong one.",
            code="password.too_short",
            least=MIN_PASSWORD_CHARS,
        )


# -- the owner, and the first policy --------------------------------------------------


def ensure_people(vault: Vault, *, now: Callable[[], dt.datetime] = _utcnow) -> None:
    """Make sure the owner is a user and a confidentiality policy is in force.

    A vault made by an earlier version (or just created) has neither: the owner becomes
    the first user (keeping the sign-in password they had set) and publishes the default
    policy, which counts as their acceptance.
    """
    with vault.reading() as conn:
        has_users = conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
        has_policy = conn.execute("SELECT 1 FROM policies LIMIT 1").fetchone() is not None
    if has_users and has_policy:
        return
    owner = vault.owner
    stamp = now().isoformat()
    with vault.transaction() as conn:
        if conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None:
            legacy = conn.execute(
                "SELECT value FROM vault_info WHERE key = ?", (_LEGACY_OWNER_HASH,)
            ).fetchone()
            conn.execute(
                "INSERT INTO users (login, full_name, role, password_hash, created_at,"
                " created_by) VALUES (?, ?, 'owner', ?, ?, ?)",
                (owner.login, owner.full_name, legacy[0] if legacy else None, stamp, owner.login),
            )
            conn.execute("DELETE FROM vault_info WHERE key = ?", (_LEGACY_OWNER_HASH,))
            vault.record_event(
                owner.login,
                "user.added",
                object=owner.login,
                details={"full_name": owner.full_name, "role": Role.OWNER.value},
            )
        if conn.execute("SELECT 1 FROM policies LIMIT 1").fetchone() is None:
            publish_policy_in(conn, vault, owner.login, default_policy(owner.business), stamp)


def publish_policy_in(conn: Any, vault: Vault, login: str, text: str, stamp: str) -> int:
    """Insert a new policy version, accepted by its publisher; returns the version."""
    row = conn.execute("SELECT coalesce(max(version), 0) FROM policies").fetchone()
    version = int(row[0]) + 1
    digest = policy_hash(text)
    conn.execute(
        "INSERT INTO policies (version, text, sha256, published_at, published_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (version, text, digest, stamp, login),
    )
    vault.record_event(
        login,
        "policy.published",
        object=f"policy:{version}",
        details={"version": version, "sha256": digest, "characters": len(text)},
    )
    record_acceptance_in(conn, vault, login, version, digest, stamp)
    return version


def record_acceptance_in(
    conn: Any, vault: Vault, login: str, version: int, digest: str, stamp: str
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO policy_acceptances (login, version, sha256, accepted_at)"
        " VALUES (?, ?, ?, ?)",
        (login, version, digest, stamp),
    )
    vault.record_event(
        login,
        "policy.accepted",
        object=f"policy:{version}",
        details={"version": version, "sha256": digest},
    )


def owner_principal(vault: Vault) -> Principal:
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT login, full_name FROM users WHERE role = 'owner' AND disabled_at IS NULL"
            " ORDER BY created_at LIMIT 1"
        ).fetchone()
    if row is None:
        owner = vault.owner
        return Principal(owner.login, owner.full_name, Role.OWNER)
    return Principal(row[0], row[1], Role.OWNER)


# -- the owner's user management ------------------------------------------------------


class UserService:
    """Adding, listing, resetting and disabling users: the owner's work."""

    def __init__(self, session: Session, *, now: Callable[[], dt.datetime] = _utcnow) -> None:
        self._session = session
        self._now = now

    @property
    def _vault(self) -> Vault:
        return self._session.vault

    def _require(self) -> None:
        require(self._session, Permission.MANAGE_USERS, what="users")

    def list(self) -> list[User]:
        self._require()
        with self._vault.reading() as conn:
            rows = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users ORDER BY disabled_at IS NOT NULL,"
                " role = 'owner' DESC, full_name COLLATE NOCASE"
            ).fetchall()
        return [_user(r) for r in rows]

    def get(self, login: str) -> User:
        self._require()
        with self._vault.reading() as conn:
            user = load_user(conn, login)
        if user is None:
            raise _no_such_user(login)
        return user

    def add(self, login: str, full_name: str, role: Role | str, initial_password: str) -> User:
        """A new user who must change ``initial_password`` at first sign-in."""
        self._require()
        role = role if isinstance(role, Role) else _role(role)
        login, full_name = login.strip(), " ".join(full_name.split())
        problems = []
        if not login or len(login) > 64 or any(ch.isspace() or ch == ":" for ch in login):
            problems.append("the login must be 1 to 64 characters without spaces or colons")
        if not full_name or len(full_name) > 200:
            problems.append("the full name must be 1 to 200 characters (it is printed on pages)")
        if role is Role.OWNER:
            problems.append("a vault has one owner; choose manager, salesperson or assistant")
        if problems:
            raise BadInput(
                "Cannot add the user: " + "; ".join(problems) + ".",
                code="user.add_invalid",
                problems=problems,
            )
        check_new_password(initial_password)
        with self._vault.transaction() as conn:
            if load_user(conn, login) is not None:
                raise BadInput(
                    f"There is already a user {login!r}; choose another login, or reset "
                    "that user's password.",
                    code="user.exists",
                    login=login,
                )
            owner = load_user(conn, self._session.actor)
            if owner is not None and not owner.has_password:
                raise BadInput(
                    "Set your own sign-in password first: once a second user exists, "
                    "everyone signs in at every unlock.",
                    code="user.owner_password_first",
                )
            conn.execute(
                "INSERT INTO users (login, full_name, role, password_hash,"
                " must_change_password, created_at, created_by) VALUES (?, ?, ?, ?, 1, ?, ?)",
                (
                    login,
                    full_name,
                    role.value,
                    hasher.hash(initial_password),
                    self._now().isoformat(),
                    self._session.actor,
                ),
            )
            self._vault.record_event(
                self._session.actor,
                "user.added",
                object=login,
                details={"full_name": full_name, "role": role.value},
            )
            user = load_user(conn, login)
        assert user is not None
        return user

    def reset_password(self, login: str, new_password: str) -> None:
        """Set a password the user must change at their next sign-in; clears throttling."""
        self._require()
        check_new_password(new_password)
        with self._vault.transaction() as conn:
            self._existing(conn, login)
            must_change = 0 if login.casefold() == self._session.actor.casefold() else 1
            conn.execute(
                "UPDATE users SET password_hash = ?, must_change_password = ? WHERE login = ?",
                (hasher.hash(new_password), must_change, login),
            )
            conn.execute("DELETE FROM signin_failures WHERE login = ?", (login,))
            self._vault.record_event(self._session.actor, "user.password_reset", object=login)

    def set_role(self, login: str, role: Role | str) -> None:
        self._require()
        role = role if isinstance(role, Role) else _role(role)
        with self._vault.transaction() as conn:
            user = self._existing(conn, login)
            if user.role is Role.OWNER or role is Role.OWNER:
                raise BadInput(
                    "The owner's role cannot be given or taken away.", code="user.owner_role"
                )
            if user.role is role:
                return
            conn.execute("UPDATE users SET role = ? WHERE login = ?", (role.value, login))
            self._vault.record_event(
                self._session.actor,
                "user.role_changed",
                object=login,
                details={"old": user.role.value, "new": role.value},
            )

    def disable(self, login: str, *, reason: str = "") -> None:
        """The account can no longer sign in; its history stays in the audit trail."""
        self._require()
        with self._vault.transaction() as conn:
            user = self._existing(conn, login)
            if user.role is Role.OWNER:
                raise BadInput("The owner's account cannot be disabled.", code="user.owner_disable")
            if not user.enabled:
                return
            conn.execute(
                "UPDATE users SET disabled_at = ?, disabled_by = ? WHERE login = ?",
                (self._now().isoformat(), self._session.actor, login),
            )
            self._vault.record_event(
                self._session.actor, "user.disabled", object=login, details={"reason": reason}
            )

    def enable(self, login: str) -> None:
        self._require()
        with self._vault.transaction() as conn:
            user = self._existing(conn, login)
            if user.enabled:
                return
            conn.execute(
                "UPDATE users SET disabled_at = NULL, disabled_by = NULL WHERE login = ?",
                (login,),
            )
            self._vault.record_event(self._session.actor, "user.enabled", object=login)

    def _existing(self, conn: Any, login: str) -> User:
        user = load_user(conn, login)
        if user is None:
            raise _no_such_user(login)
        return user


def _role(text: str) -> Role:
    try:
        return role_from_text(text)
    except ValueError as exc:
        raise BadInput(str(exc), code="role.unknown", value=text) from None


def _no_such_user(login: str) -> NotFound:
    return NotFound(
        f"There is no user {login!r} in this vault; check the login.",
        code="user.not_found",
        login=login,
    )
