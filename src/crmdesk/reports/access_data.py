"""The facts behind the Access report, and the words and times it shows them in.

Shared by the report's layout (:mod:`crmdesk.reports.access_report`) and its summary
(:mod:`crmdesk.reports.access_summary`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from crmdesk.domain.action_words import action_words as said
from crmdesk.domain.alerts import ActivityEvent
from crmdesk.reports.layout import day
from crmdesk.reports.measures import UserFacts

# Audit actions in words. An action not listed is shown as recorded.
SEARCH_ACTIONS = frozenset({"clients.searched", "client.searched", "search"})


# The person the report is about: the facts the measures report gives of each person.
AccessUser = UserFacts


@dataclass(frozen=True)
class ChainStatus:
    """The audit chain as checked when the report was made."""

    ok: bool
    length: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class HeldDevice:
    """One of the person's devices in an office of laptops: what it could read, from when
    and until when (UTC ISO times; ``revoked_at`` None while it still syncs)."""

    device: str
    held: Sequence[str]  # e.g. "basic information of every client", "Sam Reed's book"
    joined_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class AccessReportData:
    """Everything the access report shows; times are aware (UTC)."""

    user: AccessUser
    period_start: datetime
    period_end: datetime
    events: Sequence[ActivityEvent]  # the user's audit entries in the period, any order
    chain: ChainStatus
    alerts: Sequence[str] = ()  # the alerts raised for the user, as sentences
    # "client:42" -> "Zoë's Bakery": names for the object column (optional)
    object_names: Mapping[str, str] = field(default_factory=dict)
    tz: tzinfo | None = None  # the zone times are shown in; None: this computer's
    # For each alert (same order), the sequence numbers of the entries that show it,
    # when it was raised and its kind (crmdesk.domain.alerts.ALERT_KINDS).
    alert_entries: Sequence[Sequence[int]] = ()
    alert_times: Sequence[datetime] = ()
    alert_kinds: Sequence[str] = ()
    devices: Sequence[HeldDevice] = ()  # their laptops, when the vault is an office

    def alerts_by_entry(self) -> dict[int, list[str]]:
        """Entry -> the sentences of the alerts that cite it."""
        cited: dict[int, list[str]] = {}
        for message, seqs in zip(self.alerts, self.alert_entries, strict=False):
            for seq in seqs:
                cited.setdefault(seq, []).append(message)
        return cited

    @property
    def days(self) -> int:
        """The length of the period in whole days (at least 1)."""
        return max(1, round((self.period_end - self.period_start).total_seconds() / 86_400))


@dataclass(frozen=True)
class Companion:
    """The CSV of every entry that goes with the report, registered with its hash."""

    file_name: str
    report_id: str
    sha256: str
    entries: int


def action_words(event: ActivityEvent) -> str:
    """The action in words (:mod:`crmdesk.domain.action_words`)."""
    return said(event.action, event.details)


def object_words(obj: str, names: Mapping[str, str]) -> str:
    kind, _, ident = obj.partition(":")
    name = names.get(obj, "")
    if kind == "client" and ident:
        return f"{name} (client {ident})" if name else f"Client {ident}"
    if kind == "report" and ident:
        return f"Report {ident}" + (f"\n{name}" if name else "")
    if kind == "policy" and ident:
        return f"Policy version {ident}"
    return name or obj


# ---------------------------------------------------------------------------- time


def local(ts: datetime, tz: tzinfo | None) -> datetime:
    return ts.astimezone(tz) if tz is not None else ts.astimezone()


def when(ts: datetime | None, tz: tzinfo | None) -> str:
    """``3 Mar 2026 14:02`` in the report's zone; empty for None."""
    if ts is None:
        return ""
    shown = local(ts, tz)
    return f"{day(shown)} {shown:%H:%M}"


def zone(tz: tzinfo | None, at: datetime, *, names: bool = True) -> str:
    """``UTC-05:00 (EST)``: the zone times are shown in, as of ``at``."""
    shown = local(at, tz)
    offset = shown.strftime("%z")
    label = f"UTC{offset[:3]}:{offset[3:]}"
    name = shown.tzname() or ""
    if names and name and name not in (label, "UTC"):
        return f"{label} ({name})"
    return label
