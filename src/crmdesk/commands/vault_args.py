"""The options of ``init``, ``status``, ``recover`` and ``audit`` (handlers: vault_cmds)."""

from __future__ import annotations

import argparse

from crmdesk.commands.activity_args import register_audit_log
from crmdesk.commands.lazy import handlers_in

_run = handlers_in("vault_cmds")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create a new vault and print its recovery key")
    p.add_argument("--name", required=True, help="the owner's full name (shown on watermarks)")
    p.add_argument("--login", required=True, help="the owner's login (recorded in the audit)")
    p.add_argument("--company", default="", help="the business's name")
    p.set_defaults(handler=_run("cmd_init"))

    p = sub.add_parser("status", help="where the vault is, how its key is held, counts")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_status"))

    p = sub.add_parser(
        "recover",
        help="open the vault again with the owner's recovery key (owner)",
        description="The recovery key opens the owner's key slot. One user: reads the "
        "recovery key from standard input (first line) or asks for it, and puts a new "
        "secret for the vault into this computer's keyring; with --passphrase-stdin the "
        "vault is protected by the passphrase on the second line instead. Several users: "
        "only the owner recovers, with --user OWNER: the recovery key on the first line, "
        "the owner's new password on the second (or both asked at a terminal). Anyone "
        "else who tries signs in with their own password and is refused (exit 6), and the "
        "refusal is recorded.",
    )
    p.set_defaults(handler=_run("cmd_recover"))

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    p = audit_sub.add_parser("verify", help="check that no audit entry was altered or removed")
    p.add_argument(
        "--full",
        action="store_true",
        help="check every entry's signature again, also those a checkpoint of an earlier "
        "check vouches for (about a minute a million entries)",
    )
    p.set_defaults(handler=_run("cmd_audit_verify"))
    register_audit_log(audit_sub)
