"""An employee is leaving: the owner's exit procedure, as one step.

1. The account is disabled at once (nothing else can be done under it).
2. The vault key is rotated, so that a key or recovery key the employee may have copied
   opens no later copy of the vault.
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
from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.services import keys
from crmdesk.services.access import require
from crmdesk.services.people import UserService
from crmdesk.services.reports import PrintedReport, ReportService
from crmdesk.services.session import Session
from crmdesk.vault.keys.keystore import KeyStore


@dataclass(frozen=True, slots=True)
class OffboardingResult:
    access_report: PrintedReport
    certificate: PrintedReport
    recovery_key: str | None  # the new one, to show once; None if the key was not rotated


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
        users.disable(user.login, reason="offboarding")
        recovery_key = None
        if rotate_key:
            try:
                recovery_key = keys.rotate_key(
                    self._session,
                    reason=f"offboarding {user.login}",
                    passphrase=passphrase,
                    keystore=self._keystore,
                )
            except CrmdeskError as exc:
                raise type(exc)(
                    f"{user.full_name}'s account is disabled, but the vault key was not "
                    f"rotated: {exc.message} Then run the offboarding again (it continues "
                    "where it stopped).",
                    code="offboard.rotation_failed",
                    cause=exc,
                    user=user.full_name,
                ) from None
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
                    "key_rotated": recovery_key is not None,
                },
            )
        return OffboardingResult(access, certificate, recovery_key)
