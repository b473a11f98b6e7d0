"""The confidentiality policy: versions the owner publishes, acceptances by every user.

Telling employees that client information is confidential, and having them acknowledge
it, is one of the "reasonable measures" a court looks for. Each published text is a new
version with its SHA-256; each user accepts the current version before any record is
shown (see :mod:`crmdesk.services.access`), and each acceptance is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from crmdesk.domain.policy_text import check_policy_text, policy_hash
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput, NotFound
from crmdesk.services.access import require
from crmdesk.services.people import publish_policy_in, record_acceptance_in
from crmdesk.services.session import Session


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: int
    text: str
    sha256: str
    published_at: dt.datetime
    published_by: str


@dataclass(frozen=True, slots=True)
class Acceptance:
    login: str
    full_name: str
    version: int
    sha256: str
    accepted_at: dt.datetime


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PolicyService:
    def __init__(self, session: Session, *, now: Callable[[], dt.datetime] = _utcnow) -> None:
        self._session = session
        self._now = now

    def current(self) -> PolicyVersion:
        """The policy in force. Anyone signed in may read it (they must, to accept it)."""
        with self._session.vault.reading() as conn:
            row = conn.execute(
                "SELECT version, text, sha256, published_at, published_by FROM policies"
                " ORDER BY version DESC LIMIT 1"
            ).fetchone()
        if row is None:
            raise NotFound(
                "This vault has no confidentiality policy yet; the owner publishes one.",
                code="policy.none",
            )
        return _version(row)

    def history(self) -> list[PolicyVersion]:
        require(self._session, Permission.EDIT_POLICY, what="policy history")
        with self._session.vault.reading() as conn:
            rows = conn.execute(
                "SELECT version, text, sha256, published_at, published_by FROM policies"
                " ORDER BY version"
            ).fetchall()
        return [_version(r) for r in rows]

    def acceptances(self) -> list[Acceptance]:
        require(self._session, Permission.EDIT_POLICY, what="policy acceptances")
        with self._session.vault.reading() as conn:
            rows = conn.execute(
                "SELECT a.login, coalesce(u.full_name, a.login), a.version, a.sha256,"
                " a.accepted_at FROM policy_acceptances a LEFT JOIN users u ON u.login = a.login"
                " ORDER BY a.version, a.accepted_at"
            ).fetchall()
        return [
            Acceptance(r[0], r[1], int(r[2]), r[3], dt.datetime.fromisoformat(r[4])) for r in rows
        ]

    def publish(self, text: str) -> PolicyVersion:
        """A new version; everyone else must accept it at their next action."""
        require(self._session, Permission.EDIT_POLICY, what="policy")
        try:
            cleaned = check_policy_text(text)
        except ValueError as exc:
            raise BadInput(str(exc), code="policy.text_invalid") from None
        current = self.current()
        if policy_hash(cleaned) == current.sha256:
            return current
        vault = self._session.vault
        with vault.transaction() as conn:
            publish_policy_in(conn, vault, self._session.actor, cleaned, self._now().isoformat())
        return self.current()

    def accept(self, version: int | None = None) -> PolicyVersion:
        """Record that the signed-in person read and accepted the current version.

        ``version`` is the one they were shown: accepting a text that has since changed
        is refused, so nobody accepts words they did not see.
        """
        if self._session.must_change_password:
            require(self._session, Permission.VIEW_BASIC)  # raises the password message
        current = self.current()
        if version is not None and version > current.version:
            raise BadInput(
                f"There is no version {version} of the policy: the current one is version "
                f"{current.version}. Read it, then accept it.",
                code="policy.no_such_version",
                version=version,
                current=current.version,
            )
        if version is not None and version != current.version:
            raise BadInput(
                f"The policy changed to version {current.version} after you read version "
                f"{version}. Read the current text, then accept it.",
                code="policy.changed",
                version=version,
                current=current.version,
            )
        vault = self._session.vault
        with vault.transaction() as conn:
            done = conn.execute(
                "SELECT 1 FROM policy_acceptances WHERE login = ? AND version = ?",
                (self._session.actor, current.version),
            ).fetchone()
            if done is None:
                record_acceptance_in(
                    conn,
                    vault,
                    self._session.actor,
                    current.version,
                    current.sha256,
                    self._now().isoformat(),
                )
        return current


def _version(row: tuple) -> PolicyVersion:  # type: ignore[type-arg]
    return PolicyVersion(int(row[0]), row[1], row[2], dt.datetime.fromisoformat(row[3]), row[4])
