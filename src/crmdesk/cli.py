"""The ``crmdesk`` command. Run with no command, it opens the desktop app.

Exit codes: 0 ok, 1 bad input, 2 usage, 3 cannot unlock or sign in, 4 vault damaged or
tampered, 5 edit conflict, 6 not allowed for your role.

This module and the ``commands/*_args`` modules it builds the parser from import nothing
heavy (no services, vault, Qt, reportlab, keyring...): ``--version`` and ``--help`` answer
at once, and a command loads only what it needs when it runs (``commands/lazy.py``).
tests/integration/test_cli_startup.py checks it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from crmdesk import __version__
from crmdesk.commands import (
    backup_args,
    client_args,
    export_args,
    import_args,
    office_args,
    people_args,
    report_args,
    vault_args,
)
from crmdesk.commands.io import StdinLines
from crmdesk.commands.output_files import add_force, check_outputs
from crmdesk.commands.words import words
from crmdesk.errors import CrmdeskError, ExitCode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmdesk",
        description="An offline CRM whose client records stay encrypted and attributable.",
        epilog="Exit codes: 0 ok, 1 bad input, 2 usage, 3 cannot unlock or sign in, "
        "4 vault damaged, 5 edit conflict, 6 not allowed for your role.",
    )
    parser.add_argument("--version", action="version", version=f"crmdesk {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation without a screen: make a throw-away vault, write "
        "and read a record, print a watermarked report, verify the audit trail",
    )
    parser.add_argument(
        "--expect-keyring",
        action="store_true",
        help="with --self-test: fail unless the vault key can be kept in the OS keyring "
        "(instead of falling back to a passphrase)",
    )
    parser.add_argument(
        "--vault",
        metavar="DIR",
        help="the vault folder (default: $CRMDESK_VAULT, else your user data folder)",
    )
    parser.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the vault's master passphrase from standard input (first line)",
    )
    parser.add_argument(
        "--user",
        metavar="LOGIN",
        default=os.environ.get("CRMDESK_USER"),
        help="sign in as LOGIN (required once a vault has several users; default "
        "$CRMDESK_USER); the password comes from --password-stdin, $CRMDESK_PASSWORD "
        "or a prompt",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read your sign-in password from standard input (the line after the "
        "passphrase, if --passphrase-stdin is given too)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in (
        vault_args,
        client_args,
        report_args,
        people_args,
        export_args,
        backup_args,
        import_args,
        office_args,
    ):
        group.register(sub)
    _global_options_anywhere(sub)
    add_force(sub)
    return parser


# Options that may come before or after the command: ``crmdesk restore F --to D
# --passphrase-stdin`` means what ``crmdesk --passphrase-stdin restore F --to D`` does.
_GLOBAL = (
    ("--vault", {"metavar": "DIR", "help": "the vault folder (also before the command)"}),
    ("--user", {"metavar": "LOGIN", "help": "sign in as LOGIN (also before the command)"}),
    ("--passphrase-stdin", {"action": "store_true", "help": "see crmdesk --help"}),
    ("--password-stdin", {"action": "store_true", "help": "see crmdesk --help"}),
)


def _global_options_anywhere(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Give every command the global options too. Their default is "not given"
    (SUPPRESS), so one given before the command is kept; a command with an option of
    the same name (``audit log --user``, a filter) keeps its own meaning."""
    for command in dict.fromkeys(sub.choices.values()):
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        for inner in nested:
            _global_options_anywhere(inner)
        if nested and all(inner.required for inner in nested):
            continue  # only its commands run: they take the options
        # (``crmdesk sync``, ``crmdesk conflicts``: the group runs too, without a command)
        own = {flag for action in command._actions for flag in action.option_strings}
        for flag, options in _GLOBAL:
            if flag not in own:
                command.add_argument(flag, default=argparse.SUPPRESS, **options)  # type: ignore[arg-type]


def _run_gui(args: argparse.Namespace) -> int:
    try:
        from crmdesk.gui.app import run_gui
    except ImportError as exc:
        raise CrmdeskError(
            f"The desktop app cannot start ({exc}). Reinstall crmdesk with its Qt "
            "dependencies, or use the commands listed by 'crmdesk --help'.",
            code="cli.gui_unavailable",
        ) from None
    return run_gui(args.vault)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # --version and --help end here, having loaded nothing
    if args.expect_keyring and not args.self_test:
        parser.error("--expect-keyring goes with --self-test")
    from crmdesk.services.session import resolve_vault_dir

    args.vault = resolve_vault_dir(args.vault)
    args.stdin = StdinLines()
    try:
        if args.self_test:
            from crmdesk.selftest import run_self_test

            return run_self_test(expect_keyring=args.expect_keyring)
        if args.command is None:
            return _run_gui(args)
        check_outputs(args)
        return int(args.handler(args))
    except CrmdeskError as exc:
        print(f"crmdesk: {words(exc)}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("crmdesk: interrupted; nothing was half-saved.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for users
        if os.environ.get("CRMDESK_DEBUG"):
            import traceback  # only here: every command would pay for it otherwise

            traceback.print_exc()
        print(
            f"crmdesk: an unexpected error ({type(exc).__name__}) stopped the command. "
            "Nothing was half-saved. Run again with CRMDESK_DEBUG=1 for details to report.",
            file=sys.stderr,
        )
        return int(ExitCode.BAD_INPUT)
