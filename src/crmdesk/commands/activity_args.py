"""The options of ``audit log`` (handler: activity_cmds)."""

from __future__ import annotations

import argparse

from crmdesk.commands.lazy import handlers_in

_run = handlers_in("activity_cmds")


def register_audit_log(audit_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = audit_sub.add_parser(
        "log",
        help="the audit trail: views, edits, searches, prints, exports, sign-ins (owner)",
        description="Shows audit entries, oldest first, in local time. Dates are local "
        "(YYYY-MM-DD, or YYYY-MM-DDTHH:MM).",
    )
    p.add_argument("--user", dest="log_user", metavar="LOGIN", help="only this person")
    p.add_argument("--action", metavar="ACTION", help="an action or family, e.g. report")
    p.add_argument("--since", metavar="DATE", help="from this local date/time (inclusive)")
    p.add_argument("--until", metavar="DATE", help="up to this local date/time (exclusive)")
    p.add_argument("--limit", type=int, default=1000, help="newest N entries (default 1000)")
    p.add_argument("--alerts", action="store_true", help="also list unusual-access alerts")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_audit_log"))
