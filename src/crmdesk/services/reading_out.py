"""Client rows read out on the command line, counted per person per hour.

A page of ``client list`` or ``search`` printed on the command line can go straight into
a file, so paging (``--limit 100 --offset N`` in a loop) is an export sliced thin. Every
page is recorded (``clients.listed``: how many rows, their ids, the search words, and
``hour_total``, the rows this person read out within the hour so far); when the hour's
rows pass the owner's export threshold, the page is an export: the export permission
and the owner's approval on the spot (:mod:`crmdesk.services.egress`), or it is refused.
The refused page is recorded too, so that the alert (``bulk_reading``) shows the
attempt. The app's list is not counted: scrolling it is viewing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from crmdesk.domain.roles import Permission
from crmdesk.errors import NotAllowed
from crmdesk.services.egress import ApprovalRequired, OwnerApproval, authorize, limit
from crmdesk.services.session import Session

HOUR = dt.timedelta(hours=1)
LISTED = "clients.listed"


def rows_this_hour(session: Session, now: dt.datetime) -> int:
    """The client rows the signed-in person read out on the command line in the hour
    before ``now`` (refused pages not counted: they never left)."""
    since = (now - HOUR).astimezone(dt.UTC).isoformat(timespec="microseconds")
    with session.vault.reading() as conn:
        rows = conn.execute(
            "SELECT details FROM audit_events WHERE actor = ? AND action = ? AND ts > ?",
            (session.user.login, LISTED, since),
        ).fetchall()
    total = 0
    for (text,) in rows:
        details = json.loads(text or "{}")
        if isinstance(details, dict) and not details.get("refused"):
            count = details.get("clients")
            total += count if isinstance(count, int) and not isinstance(count, bool) else 0
    return total


def read_out(
    session: Session,
    client_ids: list[int],
    *,
    search: str = "",
    approval: OwnerApproval | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> None:
    """Count, check and record one page of client rows leaving through the command line;
    raises (after recording the attempt) when it is refused."""
    total = rows_this_hour(session, now()) + len(client_ids)
    details: dict[str, object] = {
        "format": "command-line list",
        "clients": len(client_ids),
        "hour_total": total,
        "client_ids": client_ids[:1000],
    }
    if search.strip():
        details["text"] = search.strip()[:200]
    vault = session.vault
    over = total > limit(session)
    if over:
        try:
            authorize(
                session, Permission.EXPORT, what="command-line list", count=total,
                approval=approval,
            )  # fmt: skip
        except NotAllowed as exc:
            with vault.transaction():
                vault.record_event(
                    session.actor, LISTED, object="command line",
                    details={**details, "refused": True},
                )  # fmt: skip
            if isinstance(exc, ApprovalRequired):
                raise ApprovalRequired(
                    f"With this page you would have read out {total} client rows within the "
                    f"hour, more than the {exc.limit} the owner allows without approval. Ask "
                    "the owner to approve it by signing in, or wait until the hour is over.",
                    code="egress.reading_approval_required",
                    count=total,
                    limit=exc.limit,
                ) from None
            raise
    with vault.transaction():
        vault.record_event(session.actor, LISTED, object="command line", details=details)
        if over:
            # Above the threshold the page is an export, as it always was.
            vault.record_event(
                session.actor,
                "clients.exported",
                object="command line",
                details={**details, "clients": len(client_ids)},
            )
