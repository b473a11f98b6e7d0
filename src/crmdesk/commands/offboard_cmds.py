"""``offboard`` and ``rekey``: an employee leaves, the vault key is rotated."""

from __future__ import annotations

import argparse

from crmdesk.commands.unlock import open_session
from crmdesk.commands.vault_cmds import print_recovery_key
from crmdesk.errors import BadInput
from crmdesk.services import keys
from crmdesk.services.offboarding import OffboardingService


def cmd_offboard(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= 3660:
        raise BadInput("--days must be 1 to 3660.", code="cli.days_out_of_range")
    certificate = args.certificate or args.output.with_name(
        f"{args.output.stem}-exit-certification.pdf"
    )
    with open_session(args) as session:
        result = OffboardingService(session).offboard(
            args.login,
            days=args.days,
            rotate_key=not args.no_rekey,
            passphrase=args.vault_passphrase,
            access_report_path=args.output,
            certificate_path=certificate,
            paper=args.paper,
        )
    print(f"Disabled {args.login}.")
    print(f"Access report ID: {result.access_report.record.report_id}")
    print(f"Wrote {args.output} ({result.access_report.record.page_count} pages)")
    entries = result.access_report.companion
    if entries is not None:
        print(
            f"Wrote {args.output.with_name(entries.name)}: every entry, CSV "
            f"(report {entries.record.report_id}, SHA-256 {entries.record.sha256}; "
            "the Access report prints the same hash)"
        )
    print(f"Exit certification ID: {result.certificate.record.report_id}")
    print(f"Wrote {certificate}: print it and have {args.login} sign it.")
    if result.rotated:
        print(
            f"Every key {args.login} held was changed and given again to everyone else; "
            "the owner's recovery key stays as it is (they never had it)."
        )
    else:
        print("The keys were NOT rotated (--no-rekey).")
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        password = args.vault_passphrase or getattr(args, "sign_in_password", None)
        new_key = keys.rotate_key(session, reason=args.reason, passphrase=password)
    print_recovery_key(
        new_key, "The vault key was rotated: old keys and old recovery kits no longer open it."
    )
    return 0
