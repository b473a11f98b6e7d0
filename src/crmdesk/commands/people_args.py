"""The options of ``user``, ``policy``, ``offboard`` and ``rekey``.

Handlers: people_cmds (users, policy) and offboard_cmds (offboard, rekey).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.common_args import add_paper
from crmdesk.commands.lazy import handlers_in

_run = handlers_in("people_cmds")
_run_offboard = handlers_in("offboard_cmds")  # loads the reports (reportlab): apart


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = sub.add_parser("user", help="the vault's users and their roles (owner)")
    usub = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")

    p = usub.add_parser(
        "add",
        help="add a user; the initial password (stdin or prompt) must be changed at first sign-in",
    )
    p.add_argument("login")
    p.add_argument("--name", required=True, help="full name (printed on watermarks)")
    p.add_argument("--role", required=True, help="manager, salesperson or assistant")
    p.set_defaults(handler=_run("cmd_user_add"))

    p = usub.add_parser("list", help="users, roles, status and last sign-in")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_user_list"))

    p = usub.add_parser("disable", help="stop a user from signing in (history is kept)")
    p.add_argument("login")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p.set_defaults(handler=_run("cmd_user_disable"))

    p = usub.add_parser(
        "enable",
        help="let a disabled user sign in again, with a new initial password (read from "
        "standard input, or asked twice)",
    )
    p.add_argument("login")
    p.set_defaults(handler=_run("cmd_user_enable"))

    p = usub.add_parser(
        "reset-password", help="set a new password (stdin or prompt) to change at next sign-in"
    )
    p.add_argument("login")
    p.set_defaults(handler=_run("cmd_user_reset"))

    p = usub.add_parser("role", help="change a user's role")
    p.add_argument("login")
    p.add_argument("role", help="manager, salesperson or assistant")
    p.set_defaults(handler=_run("cmd_user_role"))

    p = usub.add_parser(
        "passwd", help="change your own password (new password from stdin or a prompt)"
    )
    p.set_defaults(handler=_run("cmd_user_passwd"))

    policy = sub.add_parser("policy", help="the confidentiality policy everyone accepts")
    psub = policy.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    p = psub.add_parser("show", help="print the current policy")
    p.set_defaults(handler=_run("cmd_policy_show"))
    p = psub.add_parser("accept", help="accept the current policy after reading it")
    p.add_argument(
        "--version",
        type=int,
        dest="policy_version",
        help="the version you read (required when not asked on a terminal)",
    )
    p.set_defaults(handler=_run("cmd_policy_accept"))
    p = psub.add_parser("set", help="publish a new version from a text file (owner)")
    p.add_argument("file", type=Path, help="UTF-8 text; - for standard input")
    p.set_defaults(handler=_run("cmd_policy_set"))
    p = psub.add_parser("status", help="who accepted which version, when (owner)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_policy_status"))

    p = sub.add_parser(
        "offboard",
        help="an employee is leaving: disable, access report, key rotation, exit form",
        description="Disables LOGIN, writes the watermarked Access report of everything "
        "they viewed, printed and exported in the last N days to FILE, rotates the vault "
        "key (printing the new recovery key once) and writes the exit certification for "
        "them to sign.",
    )
    p.add_argument("login")
    p.add_argument("--days", type=int, default=90, help="how far back (default 90)")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument(
        "--certificate",
        type=Path,
        metavar="FILE",
        help="where to write the exit certification (default: next to FILE)",
    )
    p.add_argument(
        "--no-rekey", action="store_true", help="skip the key rotation (not recommended)"
    )
    add_paper(p)
    p.set_defaults(handler=_run_offboard("cmd_offboard"))

    p = sub.add_parser(
        "rekey",
        help="rotate the vault key: old keys and recovery keys stop working (owner)",
        description="Re-encrypts the vault under a new key, updates the keyring (or the "
        "passphrase wrapping) and prints the new recovery key once. Close crmdesk "
        "everywhere else first.",
    )
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p.set_defaults(handler=_run_offboard("cmd_rekey"))
