"""An employee is leaving: the owner's exit procedure, as one step.

1. The account is disabled at once (nothing else can be done under it): their key slot
   is deleted.
2. Every key they held is rotated (the main database's, their book's, and for a Manager
   every book's and the audit key) and granted again to everyone else, without asking
   anyone's password: a key the employee may have copied opens nothing written after.
3. A watermarked Access report records everything they viewed, changed, printed,
   exported and copied in the last N days: evidence for a lawyer.
4. An exit certification lists the reports they printed and the statements they sign
   (they hold no copies of client information).

Each step is audited; ``user.offboarded`` ties them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput, VaultInUse
from crmdesk.services import key_access
from crmdesk.services.access import require
from crmdesk.services.people import UserService
from crmdesk.services.reports import PrintedReport, ReportService
from crmdesk.services.session import Session
from crmdesk.vault.keys.keystore import KeyStore


@dataclass(frozen=True, slots=True)
class OffboardingResult:
    access_report: PrintedReport
    certificate: PrintedReport
    # Kept for the app and the command line: the owner's recovery key is never rotated by
    # an offboarding (the employee never had it), so this is always None now.
    recovery_key: str | None
    rotated: bool = True


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OffboardingService:
    def __init__(
        self,
        session: Session,
        *,
        keystore: KeyStore | None = None,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._session = session
        self._keystore = keystore
        self._now = now

    def offboard(
        self,
        login: str,
        *,
        days: int = 90,
        rotate_key: bool = True,
        passphrase: str | None = None,
        access_report_path: Path | None = None,
        certificate_path: Path | None = None,
        paper: str | None = None,
    ) -> OffboardingResult:
        require(self._session, Permission.OFFBOARD, what=f"user:{login}")
        if not 1 <= days <= 3660:
            raise BadInput("The number of days must be 1 to 3660.", code="days.out_of_range")
        users = UserService(self._session, now=self._now)
        user = users.get(login)
        if user.login.casefold() == self._session.actor.casefold():
            raise BadInput("You cannot offboard yourself.", code="offboard.self")
        waiting = users.disable(user.login, reason="offboarding") if user.enabled else None
        if waiting is None and not user.enabled:
            waiting = self._rotate_waiting()
        if waiting is not None and rotate_key:
            raise VaultInUse(
                f"{user.full_name}'s account is disabled, but the keys they held were not "
                f"changed yet: {waiting} Then run the offboarding again (it continues "
                "where it stopped).",
                code="offboard.keys_waiting",
                user=user.full_name,
            )
        reports = ReportService(self._session, now=self._now, paper=paper)
        access = reports.access_report(user.login, days, access_report_path)
        certificate = reports.exit_certificate(user.login, certificate_path)
        vault = self._session.vault
        with vault.transaction():
            vault.record_event(
                self._session.actor,
                "user.offboarded",
                object=user.login,
                details={
                    "days": days,
                    "access_report": access.record.report_id,
                    "exit_certification": certificate.record.report_id,
                    "keys_rotated": waiting is None,
                },
            )
        return OffboardingResult(access, certificate, None, waiting is None)

    def _rotate_waiting(self) -> str | None:
        """An offboarding run again: rotate what waited for the vault alone."""
        vault = self._session.vault
        waiting = key_access.waiting_rotations(vault)
        if not waiting:
            return None
        try:
            key_access.rotate_keys(vault, self._session.actor, waiting, "offboarding")
        except VaultInUse as exc:
            return exc.message
        return None
