"""Who printed a report, when, and which report it is: shown on every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class ReportCancelled(Exception):
    """The person cancelled a report while it was being built."""


@dataclass(frozen=True)
class ReportContext:
    """What every page of a report says about itself (see ``watermark``)."""

    report_id: str
    kind: str
    title: str
    printed_by: str  # the full name of the person printing
    login: str
    business: str
    printed_at: datetime  # tz-aware
    audit_head: str = ""
    paper: str = "a4"  # or "letter": see reports/paper.py
    # The vault's region: its numbers print national ("0351 223344"), others international,
    # as the screens show them; "" prints them as stored.
    phone_region: str = ""

    def __post_init__(self) -> None:
        if self.printed_at.tzinfo is None or self.printed_at.utcoffset() is None:
            raise ValueError("printed_at must be timezone-aware")
        if self.paper not in ("a4", "letter"):
            raise ValueError(f"unknown paper {self.paper!r}")

    def phone(self, stored: object) -> str:
        """A stored phone number as the vault's screens show it."""
        if not stored:
            return ""
        if not self.phone_region:
            return str(stored)
        from crmdesk.domain.phones import display_phone  # phonenumbers: loaded when printing

        return display_phone(str(stored), self.phone_region)

    @property
    def printed_local(self) -> datetime:
        """The time of printing in this computer's local time zone."""
        return self.printed_at.astimezone()

    @property
    def printed_text(self) -> str:
        """Local date and time with the UTC offset, e.g. ``2026-11-29 15:03 UTC+01:00``."""
        local = self.printed_local
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"
