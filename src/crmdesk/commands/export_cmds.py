"""``export`` (CSV, vCard, iCalendar files) and ``settings decoys`` (the owner's canaries)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.client_cmds import add_filters, query_from_args
from crmdesk.commands.io import print_json
from crmdesk.commands.progress import Progress
from crmdesk.commands.unlock import add_approve_as, approval, open_session
from crmdesk.domain.decoys import MAX_PER_EXPORT
from crmdesk.services.exports import FORMATS, ExportService
from crmdesk.services.settings import VaultSettings, change_decoys, settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export",
        help="write the clients matching a search and filters to a CSV, vCard or calendar file",
        description="Writes every client matching the search and filters (--limit and "
        "--offset are ignored) to FILE: csv for spreadsheets, vcf for address books, ics "
        "for calendars (the open follow-ups of those clients). The file is registered "
        "with an export ID and audited; above the owner's threshold the owner must approve.",
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="the kind of file")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--search", default="", metavar="TEXT", help="search words")
    add_approve_as(p)
    add_filters(p)
    p.set_defaults(handler=cmd_export)

    settings_parser = sub.add_parser("settings", help="the owner's settings kept in the vault")
    ssub = settings_parser.add_subparsers(dest="settings_command", required=True, metavar="SETTING")
    p = ssub.add_parser(
        "decoys",
        help="seed every export with made-up contacts that trace a leaked file (owner)",
        description="With --on, each export carries decoy contacts (a made-up business and "
        "person) whose email addresses are at DOMAIN, a domain you control: mail to one, "
        "or its name turning up, tells you which export leaked (crmdesk trace ADDRESS). "
        "Decoys are never stored as clients. Without options, shows the current setting.",
    )
    switch = p.add_mutually_exclusive_group()
    switch.add_argument("--on", action="store_true", help="seed exports with decoys")
    switch.add_argument("--off", action="store_true", help="stop seeding exports")
    p.add_argument("--domain", metavar="DOMAIN", help="the domain of the decoys' addresses")
    p.add_argument(
        "--per-export",
        type=int,
        metavar="N",
        help=f"decoys in each export, 1 to {MAX_PER_EXPORT} (default 1)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_settings_decoys)


class _Progress:
    """A progress line that starts once the export knows how many clients it holds."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = Progress(self._label, total)
        self._bar.update(done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def cmd_export(args: argparse.Namespace) -> int:
    query = query_from_args(args, args.search)
    bar = _Progress("Exporting clients")
    with open_session(args) as session:
        try:
            record = ExportService(session).export(
                args.format, query, args.output, approval=approval(args), progress=bar
            )
        finally:
            bar.close()
    print(f"Export ID: {record.export_id}")
    noun = "client" if record.client_count == 1 else "clients"
    print(f"Wrote {args.output} ({record.client_count} {noun})")
    return 0


def cmd_settings_decoys(args: argparse.Namespace) -> int:
    enabled = None if not (args.on or args.off) else bool(args.on)
    change = enabled is not None or args.domain is not None or args.per_export is not None
    with open_session(args) as session:
        if change:
            current = change_decoys(
                session, enabled=enabled, domain=args.domain, per_export=args.per_export
            )
        else:
            current = settings(session)
    _print_decoys(current, args.json)
    return 0


def _print_decoys(current: VaultSettings, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "decoys_enabled": current.decoys_enabled,
                "decoy_domain": current.decoy_domain,
                "decoys_per_export": current.decoys_per_export,
            }
        )
        return
    if current.decoys_enabled:
        print(
            f"Decoys are on: {current.decoys_per_export} in every export, with addresses "
            f"at {current.decoy_domain}."
        )
    elif current.decoy_domain:
        print(f"Decoys are off (domain kept: {current.decoy_domain}).")
    else:
        print("Decoys are off. Turn them on with: crmdesk settings decoys --on --domain DOMAIN")
