"""``report client|list|calls`` and ``trace``: watermarked PDFs, and who printed one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmdesk.commands.client_cmds import add_filters, query_from_args
from crmdesk.commands.io import ask_secret, print_json
from crmdesk.commands.progress import Progress
from crmdesk.commands.vault_cmds import open_session
from crmdesk.services.clients import ClientService
from crmdesk.services.egress import OwnerApproval
from crmdesk.services.reports import PrintedReport, ReportService


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = sub.add_parser("report", help="print watermarked PDF reports")
    rsub = report.add_subparsers(dest="report_command", required=True, metavar="KIND")

    p = rsub.add_parser("client", help="everything about one client, for a meeting")
    p.add_argument("id", type=int)
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_client)

    p = rsub.add_parser("list", help="the clients matching a search and filters")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--search", default="", metavar="TEXT", help="search words")
    add_filters(p)
    p.set_defaults(handler=cmd_list)

    p = rsub.add_parser("calls", help="follow-ups due and next month's seasonal outlook")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_calls)

    p = rsub.add_parser(
        "measures",
        help="the reasonable measures in force and their history, for a lawyer (owner)",
    )
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--days", type=int, default=365, help="period of the use figures")
    p.set_defaults(handler=cmd_measures)

    for name in ("client", "list", "calls"):
        rsub.choices[name].add_argument(
            "--approve-as",
            metavar="OWNER_LOGIN",
            help="the owner approves a report above their threshold: their password is "
            "read from standard input (after your own, if --password-stdin)",
        )

    p = sub.add_parser("trace", help="who printed the report with this ID, and when")
    p.add_argument("report_id", metavar="REPORT_ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_trace)


def _done(report: PrintedReport, output: Path) -> int:
    print(f"Report ID: {report.record.report_id}")
    print(f"Wrote {output} ({report.record.page_count} pages)")
    return 0


def approval(args: argparse.Namespace) -> OwnerApproval | None:
    """The owner's on-the-spot approval, when ``--approve-as`` was given."""
    login = getattr(args, "approve_as", None)
    if not login:
        return None
    if sys.stdin.isatty():
        password = ask_secret(f"Password of {login} (approving): ", what="owner's password")
    else:
        password = args.stdin.next("owner's password")
    return OwnerApproval(login, password)


def cmd_client(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = ReportService(session).client_summary(
            args.id, args.output, approval=approval(args)
        )
    return _done(record, args.output)


def cmd_list(args: argparse.Namespace) -> int:
    query = query_from_args(args, args.search)
    with open_session(args) as session:
        total = ClientService(session).count(query)
        with Progress("Building the client list", max(1, total)) as bar:
            record = ReportService(session).client_list(
                query, args.output, progress=bar.update, approval=approval(args)
            )
    return _done(record, args.output)


def cmd_calls(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = ReportService(session).call_list(args.output, approval=approval(args))
    return _done(record, args.output)


def cmd_measures(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = ReportService(session).measures(args.output, days=args.days)
    return _done(record, args.output)


def cmd_trace(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = ReportService(session).trace(args.report_id)
    if args.json:
        print_json(record.to_json())
        return 0
    local = record.created_at.astimezone()
    print(f"Report {record.report_id}: {record.title}")
    print(f"  printed by {record.full_name} ({record.login})")
    print(f"  on {local:%Y-%m-%d %H:%M %Z} ({record.created_at.isoformat()})")
    print(f"  {record.page_count} pages; {len(record.client_ids)} clients: {record.description}")
    print(f"  SHA-256 of the file: {record.sha256}")
    return 0
