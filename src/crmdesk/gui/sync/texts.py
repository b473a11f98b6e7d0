"""How the app says the state of an office's sync: the status bar's short line, its
tooltip, times in local time, a field's value, and what a failed exchange means.

The facts come from the services (``SyncStatus``, ``SyncReport``, ``FieldConflict``);
only their wording is here. A failure is said by its error code's words
(:mod:`crmdesk.gui.words`); a shared folder that cannot be reached (an unplugged drive, a
network share gone) is an ``OSError``, said here by its kind, never by reading words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QLocale, QTime

from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.formats import format_datetime
from crmdesk.services.replication.exchange import SyncReport
from crmdesk.services.replication.status import SyncStatus


def moment(text: str | None) -> dt.datetime | None:
    """A UTC ISO time from the services, as a datetime (None when there is none)."""
    if not text:
        return None
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def local_time(text: str | None, *, today: dt.date | None = None) -> str:
    """A UTC moment as local time: "14:02" today, the short date and time before."""
    found = moment(text)
    if found is None:
        return ""
    local = found.astimezone()
    if local.date() == (today or dt.date.today()):
        return QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return format_datetime(found)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def short_device(device: str) -> str:
    """A device id as people compare it: its first eight characters."""
    return device[:8]


def failure_text(exc: BaseException, folder: str = "") -> str:
    """What a failed exchange means, and what to do next."""
    if isinstance(exc, OSError):
        where = folder or "the shared folder"
        reason = exc.strerror or type(exc).__name__
        return (
            f"The shared folder {where} cannot be reached ({reason}). Connect the drive or "
            "network share it is on (or start Syncthing), then choose File › Sync now."
        )
    return error_text(exc)


def indicator(
    status: SyncStatus | None,
    *,
    failed: str = "",
    failed_at: dt.datetime | None = None,
    syncing: bool = False,
    own_device: bool = True,
) -> tuple[str, str]:
    """The status bar's line and its tooltip; ("", "") when the vault is not an office."""
    if status is None:
        return "", ""
    parts: list[str] = []
    if syncing:
        parts.append("Syncing…")
    elif failed:
        at = local_time(failed_at.isoformat()) if failed_at else ""
        parts.append(f"Sync failed {at}".strip())
    elif status.waiting_for_grant:
        parts.append("Waiting for the owner")
    elif status.last_sync:
        parts.append(f"Synced {local_time(status.last_sync)}")
    else:
        parts.append("Not synced yet")
    if status.changes_waiting:
        parts.append(f"{status.changes_waiting:,} waiting")
    if status.conflicts:
        parts.append(plural(status.conflicts, "conflict"))
    tip = [f"Office: {status.office_name or short_device(status.office)}"]
    if status.waiting_for_grant:
        tip.append(
            "This laptop has joined the office; it receives the clients after the owner's "
            "vault has synced once. Ask the owner to choose File › Sync now."
        )
    if not own_device:
        tip.append(
            f"This vault syncs while {status.login} is signed in (the office's device is theirs)."
        )
    if status.last_sync:
        tip.append(f"Last sync: {local_time(status.last_sync)}")
    if status.changes_waiting:
        tip.append(f"{plural(status.changes_waiting, 'change')} made here not yet sent")
    if status.conflicts:
        tip.append(
            f"{plural(status.conflicts, 'client')} with fields changed on two devices: "
            "Clients › Conflicts… to settle them"
        )
    if failed:
        tip.append(failed)
    tip.append("Open the Sync page for the office's devices (File › Sync now to sync now).")
    return " · ".join(parts), "\n".join(tip)


def report_text(report: SyncReport) -> str:
    """One line on what an exchange did, for the status bar's message."""
    if report.waiting_for_grant:
        return "Synced: this laptop waits for the owner's vault to sync once and send its keys."
    done: list[str] = []
    if report.sent_changes:
        done.append(f"sent {plural(report.sent_changes, 'change')}")
    if report.received_changes:
        done.append(f"received {plural(report.received_changes, 'change')}")
    if report.joined:
        done.append("welcomed the laptop of " + ", ".join(report.joined))
    if report.new_conflicts:
        done.append(plural(report.new_conflicts, "new conflict"))
    if report.rejected:
        done.append(f"refused {plural(len(report.rejected), 'file')} (see the Sync page)")
    return "Synced: " + (", ".join(done) if done else "nothing new") + "."


def changed_clients(report: SyncReport) -> bool:
    """Whether the exchange changed clients here (the views then read them again)."""
    return bool(
        report.created
        or report.updated
        or report.deleted
        or report.new_conflicts
        or report.received_changes
    )


FIELD_NAMES = {"*": "the record itself"}


def field_name(column: str) -> str:
    return FIELD_NAMES.get(column, column.replace("_", " "))


def value_text(value: Any) -> str:
    """A field's value as one line (long notes are cut; the tooltip has it whole)."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "(empty)"
    text = str(value).replace("\n", " ⏎ ")
    return text if len(text) <= 80 else text[:79] + "…"
