"""The options of ``report`` and ``trace`` (handlers: report_cmds)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.common_args import add_approve_as, add_filters, add_paper
from crmdesk.commands.lazy import handlers_in

_run = handlers_in("report_cmds")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = sub.add_parser("report", help="print watermarked PDF reports")
    rsub = report.add_subparsers(dest="report_command", required=True, metavar="KIND")

    p = rsub.add_parser("client", help="everything about one client, for a meeting")
    p.add_argument("id", type=int)
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=_run("cmd_client"))

    p = rsub.add_parser(
        "brief",
        help="one page to take into a meeting with a client",
        description="The people and what matters to them personally, what the client buys "
        "and when, pricing and preferences, open tasks and the last three interactions, on "
        "one page; what does not fit is summarised.",
    )
    p.add_argument("id", type=int)
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=_run("cmd_brief"))

    p = rsub.add_parser(
        "coverage",
        help="how much of the client list is value-added information, and since when",
    )
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=_run("cmd_coverage"))

    p = rsub.add_parser("list", help="the clients matching a search and filters")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--search", default="", metavar="TEXT", help="search words")
    add_filters(p)
    p.set_defaults(handler=_run("cmd_list"))

    p = rsub.add_parser(
        "calls",
        help="follow-ups due and next month's seasonal outlook",
        description="A Salesperson's call list covers their own clients (no approval "
        "needed); an Assistant's the follow-ups they may see; the Owner's and Managers' "
        "everyone's. Every follow-up due is listed unless --limit is given.",
    )
    p.add_argument(
        "--limit", type=int, metavar="N", help="list the first N follow-ups and say how many more"
    )
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=_run("cmd_calls"))

    p = rsub.add_parser(
        "measures",
        help="the reasonable measures in force and their history, for a lawyer (owner)",
    )
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--days", type=int, default=365, help="period of the use figures")
    p.set_defaults(handler=_run("cmd_measures"))

    for name in ("client", "brief", "coverage", "list", "calls"):
        add_approve_as(rsub.choices[name])
    for parser in rsub.choices.values():
        add_paper(parser)

    p = sub.add_parser(
        "trace",
        help="who printed or exported this: a report or export ID, or a decoy's address or name",
        description="Given a report ID, says who printed the report, when and what was in "
        "it; given an export ID, the same for an exported file; given the email address or "
        "the name of a decoy (case and accents do not matter), which export carried it. "
        "Owner only.",
    )
    p.add_argument("text", metavar="ID_OR_DECOY")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_trace"))
