"""``report client|brief|coverage|list|calls|measures`` and ``trace``: watermarked PDFs,
and who printed or exported a file (by its ID, or by a decoy's address or name)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from crmdesk.commands.client_cmds import query_from_args
from crmdesk.commands.io import print_json
from crmdesk.commands.progress import Progress
from crmdesk.commands.unlock import approval, open_session
from crmdesk.services.clients import ClientService
from crmdesk.services.exports import ExportRecord, trace
from crmdesk.services.reports import PrintedReport, ReportRecord, ReportService


def _done(report: PrintedReport, output: Path) -> int:
    print(f"Report ID: {report.record.report_id}")
    print(f"Wrote {output} ({report.record.page_count} pages)")
    return 0


def _reports(session: object, args: argparse.Namespace) -> ReportService:
    return ReportService(session, paper=args.paper)  # type: ignore[arg-type]


def cmd_client(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = _reports(session, args).client_summary(
            args.id, args.output, approval=approval(args)
        )
    return _done(record, args.output)


def cmd_brief(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = _reports(session, args).meeting_brief(
            args.id, args.output, approval=approval(args)
        )
    return _done(record, args.output)


def cmd_coverage(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = _reports(session, args).coverage(args.output, approval=approval(args))
    return _done(record, args.output)


def cmd_list(args: argparse.Namespace) -> int:
    query = query_from_args(args, args.search)
    with open_session(args) as session:
        total = ClientService(session).count(query)
        with Progress("Building the client list", max(1, total)) as bar:
            record = _reports(session, args).client_list(
                query, args.output, progress=bar.update, approval=approval(args)
            )
    return _done(record, args.output)


def cmd_calls(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = _reports(session, args).call_list(
            args.output, approval=approval(args), limit=args.limit
        )
    return _done(record, args.output)


def cmd_measures(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        record = _reports(session, args).measures(args.output, days=args.days)
    return _done(record, args.output)


def cmd_trace(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        found = trace(session, args.text)
    if args.json:
        print_json(found.to_json())
        return 0
    if found.report is not None:
        _print_report(found.report)
    elif found.export is not None:
        _print_export(found.export)
    else:
        for n, decoy in enumerate(found.decoys):
            if n:
                print()
            print(f"Decoy {decoy.name} ({decoy.company}, {decoy.email}, {decoy.phone})")
            print(f"  was handed out in export {decoy.export.export_id}:")
            _print_export(decoy.export, indent="  ")
    return 0


def _when(moment: dt.datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z} ({moment.isoformat()})"


def _print_report(record: ReportRecord) -> None:
    print(f"Report {record.report_id}: {record.title}")
    print(f"  printed by {record.full_name} ({record.login})")
    print(f"  on {_when(record.created_at)}")
    print(f"  {record.page_count} pages; {len(record.client_ids)} clients: {record.description}")
    print(f"  SHA-256 of the file: {record.sha256}")


def _print_export(record: ExportRecord, indent: str = "") -> None:
    print(f"{indent}Export {record.export_id}: {record.format.upper()} file {record.file_name}")
    print(f"{indent}  exported by {record.full_name} ({record.login})")
    print(f"{indent}  on {_when(record.created_at)}")
    print(f"{indent}  {record.client_count} clients: {record.description}")
    if record.decoy_count:
        print(f"{indent}  {record.decoy_count} decoys seeded")
    print(f"{indent}  SHA-256 of the file: {record.sha256}")
