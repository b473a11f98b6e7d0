"""The options of ``export`` and ``settings`` (handlers: export_cmds, settings_cmds)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.common_args import add_approve_as, add_filters
from crmdesk.commands.lazy import handlers_in

_run = handlers_in("export_cmds")
_run_settings = handlers_in("settings_cmds")  # without the export writers

# services.exports.FORMATS and domain.decoys.MAX_PER_EXPORT (a test checks they match).
FORMATS = ("csv", "vcf", "json", "ics")
MAX_DECOYS_PER_EXPORT = 5


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export",
        help="write the clients matching a search and filters to a CSV, vCard, JSON Lines or "
        "calendar file",
        description="Writes every client matching the search and filters (--limit and "
        "--offset are ignored) to FILE: csv for spreadsheets (a row per contact person), "
        "vcf for address books (a card per client and per contact person), json for "
        "everything (JSON Lines of the client JSON, for another crmdesk vault or other "
        "tools), ics for calendars (the open follow-ups of those clients). The file is "
        "registered with an export ID and audited; above the owner's threshold the owner "
        "must approve.",
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="the kind of file")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--search", default="", metavar="TEXT", help="search words")
    add_approve_as(p)
    add_filters(p)
    p.set_defaults(handler=_run("cmd_export"))

    settings_parser = sub.add_parser("settings", help="the owner's settings kept in the vault")
    ssub = settings_parser.add_subparsers(dest="settings_command", required=True, metavar="SETTING")
    p = ssub.add_parser(
        "decoys",
        help="seed every export with made-up contacts that trace a leaked file (owner)",
        description="With --on, each export carries decoy contacts (a made-up business and "
        "person) whose email addresses are at DOMAIN, a domain you control: mail to one, "
        "or its name turning up, tells you who leaked it (crmdesk trace ADDRESS). Each "
        "person gets the same decoys in every export, so that comparing two exports shows "
        "nothing. Decoys are never stored as clients. Without options, shows the current "
        "setting.",
    )
    switch = p.add_mutually_exclusive_group()
    switch.add_argument("--on", action="store_true", help="seed exports with decoys")
    switch.add_argument("--off", action="store_true", help="stop seeding exports")
    p.add_argument("--domain", metavar="DOMAIN", help="the domain of the decoys' addresses")
    p.add_argument(
        "--more-domain",
        action="append",
        metavar="DOMAIN",
        help="another domain you control (repeat for several; each decoy then gets a domain, "
        "website and office address of its own); --more-domain '' clears them",
    )
    p.add_argument(
        "--address",
        action="append",
        metavar="EMAIL",
        help="an address you read to give a decoy (repeat for several; used first, once "
        "each); --address '' clears them",
    )
    p.add_argument(
        "--phone",
        action="append",
        metavar="NUMBER",
        help="a phone number you answer to give a decoy (repeat; used once each); "
        "--phone '' clears them",
    )
    p.add_argument(
        "--per-export",
        type=int,
        metavar="N",
        help=f"decoys in each export, 1 to {MAX_DECOYS_PER_EXPORT} (default 1)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run_settings("cmd_settings_decoys"))

    p = ssub.add_parser(
        "region",
        help="the country phone numbers without + belong to (owner to change)",
        description="Phone numbers written without + (0351 223344) are read as numbers of "
        "the vault's region, and its numbers are shown in national format, others in "
        "international format. A new vault takes the region of the computer's locale. "
        "Without REGION, shows it.",
    )
    p.add_argument("region", nargs="?", metavar="REGION", help="a two-letter code: US, DE, IN...")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run_settings("cmd_settings_region"))
