"""The people of a vault: its users, their roles, and the owner's management of them.

Every vault has its owner as the first user. The owner adds users with an initial
password that must be changed at first sign-in, resets passwords, changes roles and
disables accounts; each change is one transaction with its audit event.

A user is a key slot (vault/keys): their password opens it, and nothing about the
password is stored anywhere else. What they can read is what their role's keys open
(:mod:`crmdesk.services.key_access`): adding, changing and disabling a user gives and
takes back keys, and taking keys back rotates them, because a key once held may have
been copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.policy_text import default_policy, policy_hash
from crmdesk.domain.roles import Permission, Principal, Role, role_from_text
from crmdesk.errors import BadInput, NotFound, VaultInUse
from crmdesk.services import audit_keys, key_access
from crmdesk.services.access import require
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault, people_keys
from crmdesk.vault.keys.passphrase import DEFAULT_KDF, KdfParams
from crmdesk.vault.protection import has_password as slot_has_password

MIN_PASSWORD_CHARS = 10
# How a password wraps a key slot: Argon2id at today's parameters (tests make it cheap).
PASSWORD_KDF: KdfParams = DEFAULT_KDF


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
    has_password: bool  # their key slot opens with a password
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
    "login, full_name, role, created_at, created_by, key_serial IS NOT NULL,"
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
    """Make sure the owner is a user with their endorsed key, and a policy is in force.

    A vault just created has neither: the owner becomes the first user (their first key,
    pinned in vault.json, vouches for itself) and publishes the default policy, which
    counts as their acceptance.
    """
    with vault.reading() as conn:
        has_users = conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
        has_policy = conn.execute("SELECT 1 FROM policies LIMIT 1").fetchone() is not None
    if has_users and has_policy:
        return
    owner = vault.owner
    stamp = now().isoformat()
    person = vault.person
    with vault.transaction() as conn:
        if conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None:
            conn.execute(
                "INSERT INTO users (login, full_name, role, created_at, created_by)"
                " VALUES (?, ?, 'owner', ?, ?)",
                (owner.login, owner.full_name, stamp, owner.login),
            )
            if person is not None:
                key_access.endorse(vault, conn, owner.login, Role.OWNER, person.public)
                audit_keys.endorse_held(vault, conn)  # the audit key made with the vault
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
        # A laptop of an office: its owner acts in their role in the office
        # (services/replication/directory.py keeps it).
        office_role = conn.execute(
            "SELECT value FROM vault_info WHERE key = 'sync.own_role'"
        ).fetchone()
    role = Role.OWNER if office_role is None else Role(str(office_role[0]))
    if row is None:
        owner = vault.owner
        return Principal(owner.login, owner.full_name, role)
    return Principal(row[0], row[1], role)


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

    def add(
        self,
        login: str,
        full_name: str,
        role: Role | str,
        initial_password: str,
        *,
        owner_password: str | None = None,
    ) -> User:
        """A new user who must change ``initial_password`` at first sign-in.

        They get a key slot opened by that password and the keys of their role (a
        Salesperson their own book, made now). The second person of a vault whose owner's
        slot opens with the OS keyring ends the keyring's part
        (:func:`~crmdesk.services.key_access.leave_the_keyring`): that needs the owner's
        password (``owner_password``), and makes a new recovery key, shown once.
        """
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
        with self._vault.reading() as conn:
            if load_user(conn, login) is not None:
                raise BadInput(
                    f"There is already a user {login!r}; choose another login, or reset "
                    "that user's password.",
                    code="user.exists",
                    login=login,
                )
        keyfile = self._vault.keyfile()
        if not slot_has_password(keyfile, self._session.actor):
            raise BadInput(
                "Set your own sign-in password first: once a second user exists, "
                "everyone signs in at every unlock.",
                code="user.owner_password_first",
            )
        shared_now = keyring_opens(keyfile)
        if shared_now:
            if owner_password is None:
                raise OwnerPasswordNeeded(
                    "Adding the first colleague locks the vault to passwords: confirm your "
                    "own password.",
                    code="user.owner_password_needed",
                )
            if not people_keys.check_own_password(self._vault, owner_password):
                raise BadInput(
                    "That is not your password; the user was not added.",
                    code="signin.wrong",
                    login=self._session.actor,
                )
        from crmdesk.services.books import ensure_book

        if role is Role.SALESPERSON:
            ensure_book(self._session, login)
        with self._vault.reading() as conn:
            held = key_access.holdings(conn, role, login)
        public = people_keys.add_person(
            self._vault, login, initial_password, held, kdf=PASSWORD_KDF
        )
        with self._vault.transaction() as conn:
            conn.execute(
                "INSERT INTO users (login, full_name, role, must_change_password, created_at,"
                " created_by) VALUES (?, ?, ?, 1, ?, ?)",
                (login, full_name, role.value, self._now().isoformat(), self._session.actor),
            )
            key_access.endorse(self._vault, conn, login, role, public)
            self._vault.record_event(
                self._session.actor,
                "user.added",
                object=login,
                details={"full_name": full_name, "role": role.value},
            )
            user = load_user(conn, login)
        assert user is not None
        if shared_now:
            assert owner_password is not None
            recovery_key = key_access.leave_the_keyring(
                self._vault, self._session.actor, owner_password, PASSWORD_KDF
            )
            self._vault.show_recovery_key_once(recovery_key)
        return user

    def reset_password(self, login: str, new_password: str) -> None:
        """Set a password the user must change at their next sign-in; clears throttling.

        The user gets a new key slot (new key pairs) opened by it: the owner, who knows
        the password, knows those keys until the user chooses their own password.
        """
        self._require()
        check_new_password(new_password)
        from crmdesk.vault import signin_log

        if login.casefold() == self._session.actor.casefold():
            people_keys.set_passphrase(self._vault, new_password, kdf=PASSWORD_KDF)
            signin_log.clear(self._vault.folder, login)
            with self._vault.transaction():
                self._vault.record_event(self._session.actor, "user.password_reset", object=login)
            return
        with self._vault.reading() as conn:
            user = self._existing(conn, login)
            held = key_access.holdings(conn, user.role, user.login)
        if not user.enabled:
            raise BadInput(
                f"{user.full_name}'s account is disabled; enable it first.",
                code="user.disabled",
                user=user.full_name,
            )
        public = people_keys.add_person(
            self._vault, user.login, new_password, held, kdf=PASSWORD_KDF
        )
        with self._vault.transaction() as conn:
            key_access.endorse(self._vault, conn, user.login, user.role, public)
            conn.execute("UPDATE users SET must_change_password = 1 WHERE login = ?", (user.login,))
            self._vault.record_event(self._session.actor, "user.password_reset", object=login)
        signin_log.clear(self._vault.folder, login)

    def set_role(self, login: str, role: Role | str) -> str | None:
        """Change a role: the keys of the new role are given, those of the old one taken
        back and rotated. Returns a warning when the rotation has to wait."""
        self._require()
        role = role if isinstance(role, Role) else _role(role)
        with self._vault.reading() as conn:
            user = self._existing(conn, login)
        if user.role is Role.OWNER or role is Role.OWNER:
            raise BadInput(
                "The owner's role cannot be given or taken away.", code="user.owner_role"
            )
        if user.role is role:
            return None
        from crmdesk.services.books import ensure_book, rehouse_clients_of

        if role is Role.SALESPERSON:
            ensure_book(self._session, user.login)
        with self._vault.transaction() as conn:
            conn.execute("UPDATE users SET role = ? WHERE login = ?", (role.value, user.login))
            record = key_access.current_key(self._vault, conn, user.login)
            if record is not None:
                key_access.endorse(self._vault, conn, user.login, role, record.public)
            self._vault.record_event(
                self._session.actor,
                "user.role_changed",
                object=login,
                details={"old": user.role.value, "new": role.value},
            )
            held = key_access.holdings(conn, role, user.login)
        taken: set[str] = set()
        if record is not None and user.enabled:
            _granted, taken = people_keys.set_grants(self._vault, user.login, held, record.public)
        rehouse_clients_of(self._session, user.login)
        return self._rotate(taken, f"role of {user.login} changed to {role.value}")

    def disable(self, login: str, *, reason: str = "") -> str | None:
        """The account can no longer sign in: its key slot is deleted, and the keys it held
        are rotated. Its history stays in the audit trail. Returns a warning when the
        rotation has to wait for the vault to be closed elsewhere."""
        self._require()
        with self._vault.reading() as conn:
            user = self._existing(conn, login)
        if user.role is Role.OWNER:
            raise BadInput("The owner's account cannot be disabled.", code="user.owner_disable")
        if not user.enabled:
            return None
        held = people_keys.remove_person(self._vault, user.login)
        people_keys.mark_disabled(self._vault, user.login, True)
        with self._vault.transaction() as conn:
            conn.execute(
                "UPDATE users SET disabled_at = ?, disabled_by = ? WHERE login = ?",
                (self._now().isoformat(), self._session.actor, user.login),
            )
            self._vault.record_event(
                self._session.actor, "user.disabled", object=login, details={"reason": reason}
            )
            # Their laptops too: no key of the generations the rotation below makes.
            from crmdesk.services.replication.devices import revoke_devices_of

            revoke_devices_of(self._vault, self._session.actor, user.login)
        from crmdesk.services.books import rehouse_clients_of

        rehouse_clients_of(self._session, user.login)
        return self._rotate(held, f"{user.login} disabled")

    def enable(self, login: str, new_password: str) -> None:
        """Sign-in again, with a new key slot opened by ``new_password`` (to be changed
        at first sign-in): the old slot was deleted when the account was disabled."""
        self._require()
        check_new_password(new_password)
        with self._vault.reading() as conn:
            user = self._existing(conn, login)
        if user.enabled:
            return
        with self._vault.transaction() as conn:
            conn.execute(
                "UPDATE users SET disabled_at = NULL, disabled_by = NULL,"
                " must_change_password = 1 WHERE login = ?",
                (user.login,),
            )
            self._vault.record_event(self._session.actor, "user.enabled", object=login)
        people_keys.mark_disabled(self._vault, user.login, False)
        if user.role is Role.SALESPERSON:
            from crmdesk.services.books import ensure_book

            ensure_book(self._session, user.login)
        with self._vault.reading() as conn:
            held = key_access.holdings(conn, user.role, user.login)
        public = people_keys.add_person(
            self._vault, user.login, new_password, held, kdf=PASSWORD_KDF
        )
        with self._vault.transaction() as conn:
            key_access.endorse(self._vault, conn, user.login, user.role, public)
        from crmdesk.services.books import rehouse_clients_of

        rehouse_clients_of(self._session, user.login)

    def _rotate(self, key_ids: set[str], reason: str) -> str | None:
        try:
            key_access.rotate_keys(self._vault, self._session.actor, key_ids, reason)
        except VaultInUse:
            return (
                "The keys this person held could not be changed yet: crmdesk has the vault "
                "open in another window or command. Close it there; the keys are changed "
                "the next time you open the vault alone."
            )
        return None

    def _existing(self, conn: Any, login: str) -> User:
        user = load_user(conn, login)
        if user is None:
            raise _no_such_user(login)
        return user


class OwnerPasswordNeeded(BadInput):
    """Adding the second person needs the owner's password (to re-key their slot)."""


def keyring_opens(keyfile: Any) -> bool:
    from crmdesk.vault.keys.slots import KEYRING

    return any(KEYRING in slot.wraps for slot in keyfile.people.values())


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
