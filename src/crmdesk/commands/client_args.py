"""The options of ``client``, ``search``, ``coverage`` and ``demo`` (handlers: client_cmds,
coverage_cmds)."""

from __future__ import annotations

import argparse

from crmdesk.commands.common_args import add_approve_as, add_filters
from crmdesk.commands.lazy import handlers_in

_run = handlers_in("client_cmds")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    client = sub.add_parser("client", help="add, show, update, delete and list clients")
    csub = client.add_subparsers(dest="client_command", required=True, metavar="COMMAND")

    p = csub.add_parser("add", help="add a client from JSON on standard input; prints its id")
    p.set_defaults(handler=_run("cmd_add"))

    p = csub.add_parser("show", help="everything about one client, with purchasing patterns")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_show"))

    p = csub.add_parser(
        "update",
        help="change fields given as JSON on standard input",
        description="Each top-level key given replaces that field; lists are replaced whole. "
        'A "version" key (or --expected-version) refuses the change if someone saved the '
        "client since that version was read.",
    )
    p.add_argument("id", type=int)
    p.add_argument("--expected-version", type=int, metavar="N")
    p.set_defaults(handler=_run("cmd_update"))

    p = csub.add_parser("delete", help="delete a client and all its records")
    p.add_argument("id", type=int)
    p.add_argument("--expected-version", type=int, metavar="N")
    p.set_defaults(handler=_run("cmd_delete"))

    p = csub.add_parser("list", help="list clients (sorted, filtered)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_filters(p)
    add_approve_as(p)
    p.set_defaults(handler=_run("cmd_list"))

    p = sub.add_parser("search", help="full-text search over every client record")
    p.add_argument("text", help="words to find; each word also matches as a prefix")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_filters(p, default_sort="relevance")
    add_approve_as(p)
    p.set_defaults(handler=_run("cmd_search"))

    p = sub.add_parser(
        "coverage",
        help="how much of the client list is value-added information, and since when",
        description="The share of clients holding each kind of value-added information "
        "(personal profiles, purchases, pricing, preferences, seasonal needs, specifications, "
        "interaction history), by salesperson and month by month, and the clients with the "
        "most business and the least on file. A Salesperson gets their own clients.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=handlers_in("coverage_cmds")("cmd_coverage"))

    p = sub.add_parser("demo", help="fill the vault with realistic demo clients")
    p.add_argument("--clients", type=int, default=200, metavar="N", help="how many (default 200)")
    p.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    p.set_defaults(handler=_run("cmd_demo"))
