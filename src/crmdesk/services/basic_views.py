"""Views of basic contact information: counted without flooding the audit trail.

A view of value-added information is recorded every time (it is what the owner's alerts
read). A view of basic information only is recorded once per person, client and day
(UTC), as ``client.viewed`` with ``value_added: false``, so that the Access report can
count who looked at which clients without an entry for every click.
"""

from __future__ import annotations

import datetime as dt

from crmdesk.vault import Vault


def record(vault: Vault, login: str, client_id: int, now: dt.datetime) -> None:
    """Record the view unless this person already viewed this client today."""
    day = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = day.isoformat(timespec="microseconds")
    target = f"client:{client_id}"
    query = (
        "SELECT 1 FROM audit_events WHERE actor = ? AND action = 'client.viewed'"
        " AND object = ? AND ts >= ? LIMIT 1"
    )
    with vault.reading() as conn:  # most views: already recorded today, no write
        if conn.execute(query, (login, target, since)).fetchone() is not None:
            return
    with vault.transaction() as conn:
        if conn.execute(query, (login, target, since)).fetchone() is None:
            vault.record_event(
                login, "client.viewed", object=target, details={"value_added": False}
            )
