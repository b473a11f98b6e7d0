"""``audit log``: who did what, when; with the owner's alerts."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from crmdesk.commands.io import print_json
from crmdesk.commands.unlock import open_session
from crmdesk.domain.alerts import ActivityEvent
from crmdesk.errors import BadInput
from crmdesk.services.activity import ActivityFilter, ActivityService, local_zone


def parse_local(text: str | None, what: str) -> dt.datetime | None:
    """A local date or date-time typed by a person, as an aware time."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            f"Cannot read the {what} date {text!r}; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM.",
            code="cli.date_unreadable",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=local_zone())


def _summary(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False)
            if len(value) > 60:
                value = value[:57] + "..."
        parts.append(f"{key}={value}")
    return " ".join(parts)


def _json(event: ActivityEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "ts": event.ts.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "object": event.object,
        "details": dict(event.details),
    }


def cmd_audit_log(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 100_000:
        raise BadInput("--limit must be 1 to 100000.", code="cli.limit_out_of_range")
    query = ActivityFilter(
        login=args.log_user,
        action=args.action,
        since=parse_local(args.since, "--since"),
        until=parse_local(args.until, "--until"),
        limit=args.limit,
    )
    with open_session(args) as session:
        service = ActivityService(session)
        events = list(reversed(service.log(query)))
        # The newest --limit entries: said so when there are more (never cut silently),
        # counted from the entries (the output may be kept: not from the day counts).
        total = service.count(query, exact=True) if len(events) >= query.limit else len(events)
        alerts = service.alerts(query) if args.alerts else []
    if args.json:
        data: dict[str, Any] = {"events": [_json(e) for e in events], "matching": total}
        if args.alerts:
            data["alerts"] = [
                {"kind": a.kind, "actor": a.actor, "ts": a.ts.isoformat(), "message": a.message,
                 "seqs": list(a.seqs)}
                for a in alerts
            ]  # fmt: skip
        print_json(data)
        return 0
    if not events:
        print("No audit entries match.")
    for e in events:
        local = e.ts.astimezone()
        obj = f" {e.object}" if e.object else ""
        details = _summary(dict(e.details))
        print(f"{e.seq:>7}  {local:%Y-%m-%d %H:%M:%S}  {e.actor:<12} {e.action}{obj}  {details}")
    if total > len(events):
        print(
            f"(the newest {len(events):,} of {total:,} matching entries; give --limit, "
            "--since or --until to see others)"
        )
    if args.alerts:
        print()
        print(f"Alerts ({len(alerts)}):" if alerts else "No alerts.")
        for a in alerts:
            print(f"  [{a.kind}] {a.message}")
    return 0
