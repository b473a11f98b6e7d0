"""``user``, ``policy``, ``offboard`` and ``rekey``: the owner's people and key work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmdesk.commands.io import ask_secret, print_json
from crmdesk.commands.unlock import open_session, read_password
from crmdesk.commands.vault_cmds import RECOVERY_ADVICE
from crmdesk.errors import BadInput
from crmdesk.services import keys, signin
from crmdesk.services.offboarding import OffboardingService
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService


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
    p.set_defaults(handler=cmd_user_add)

    p = usub.add_parser("list", help="users, roles, status and last sign-in")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_user_list)

    p = usub.add_parser("disable", help="stop a user from signing in (history is kept)")
    p.add_argument("login")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p.set_defaults(handler=cmd_user_disable)

    p = usub.add_parser("enable", help="let a disabled user sign in again")
    p.add_argument("login")
    p.set_defaults(handler=cmd_user_enable)

    p = usub.add_parser(
        "reset-password", help="set a new password (stdin or prompt) to change at next sign-in"
    )
    p.add_argument("login")
    p.set_defaults(handler=cmd_user_reset)

    p = usub.add_parser("role", help="change a user's role")
    p.add_argument("login")
    p.add_argument("role", help="manager, salesperson or assistant")
    p.set_defaults(handler=cmd_user_role)

    p = usub.add_parser(
        "passwd", help="change your own password (new password from stdin or a prompt)"
    )
    p.set_defaults(handler=cmd_user_passwd)

    policy = sub.add_parser("policy", help="the confidentiality policy everyone accepts")
    psub = policy.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    p = psub.add_parser("show", help="print the current policy")
    p.set_defaults(handler=cmd_policy_show)
    p = psub.add_parser("accept", help="accept the current policy after reading it")
    p.add_argument(
        "--version",
        type=int,
        dest="policy_version",
        help="the version you read (required when not asked on a terminal)",
    )
    p.set_defaults(handler=cmd_policy_accept)
    p = psub.add_parser("set", help="publish a new version from a text file (owner)")
    p.add_argument("file", type=Path, help="UTF-8 text; - for standard input")
    p.set_defaults(handler=cmd_policy_set)
    p = psub.add_parser("status", help="who accepted which version, when (owner)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_policy_status)

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
    p.set_defaults(handler=cmd_offboard)

    p = sub.add_parser(
        "rekey",
        help="rotate the vault key: old keys and recovery keys stop working (owner)",
        description="Re-encrypts the vault under a new key, updates the keyring (or the "
        "passphrase wrapping) and prints the new recovery key once. Close crmdesk "
        "everywhere else first.",
    )
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p.set_defaults(handler=cmd_rekey)


# -- users ----------------------------------------------------------------------------


def _new_password(args: argparse.Namespace, what: str) -> str:
    if sys.stdin.isatty() and not args.password_stdin and not args.passphrase_stdin:
        return ask_secret(f"{what}: ", what=what.lower(), confirm=True)
    return args.stdin.next(what.lower())


def cmd_user_add(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = UserService(session)
        password = _new_password(args, "Initial password")
        user = service.add(args.login, args.name, args.role, password)
    print(f"Added {user.full_name} ({user.login}) as {user.role.title}.")
    print("Give them the initial password in person; they must change it at first sign-in.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        users = UserService(session).list()
    if args.json:
        print_json(
            [
                {
                    "login": u.login,
                    "full_name": u.full_name,
                    "role": u.role.value,
                    "enabled": u.enabled,
                    "must_change_password": u.must_change_password,
                    "created_at": u.created_at.isoformat(),
                    "disabled_at": u.disabled_at.isoformat() if u.disabled_at else None,
                    "last_signin": u.last_signin.isoformat() if u.last_signin else None,
                }
                for u in users
            ]
        )
        return 0
    print(f"{'LOGIN':<16} {'NAME':<28} {'ROLE':<12} {'STATUS':<10} LAST SIGN-IN")
    for u in users:
        status = "active" if u.enabled else "disabled"
        last = u.last_signin.astimezone().strftime("%Y-%m-%d %H:%M") if u.last_signin else "never"
        print(f"{u.login:<16} {u.full_name[:28]:<28} {u.role.value:<12} {status:<10} {last}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        UserService(session).disable(args.login, reason=args.reason)
    print(f"{args.login} can no longer sign in. Their history stays in the audit trail.")
    print("If they are leaving, consider: crmdesk offboard " + args.login + " -o FILE")
    return 0


def cmd_user_enable(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        UserService(session).enable(args.login)
    print(f"{args.login} can sign in again.")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = UserService(session)
        password = _new_password(args, "New password")
        service.reset_password(args.login, password)
    print(f"New password set for {args.login}; they must change it at their next sign-in.")
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        UserService(session).set_role(args.login, args.role)
    print(f"{args.login} is now {args.role}.")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        old = getattr(args, "sign_in_password", None)
        if old is None and signin.has_password(session):
            old = read_password(args, "Current password: ")
        new = _new_password(args, "New password")
        signin.change_password(session, old or "", new)
    print("Your password was changed.")
    return 0


# -- policy ---------------------------------------------------------------------------


def cmd_policy_show(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        policy = PolicyService(session).current()
        pending = session.pending_policy_version()
    print(f"Confidentiality policy, version {policy.version}")
    print(f"Published {policy.published_at.astimezone():%Y-%m-%d} by {policy.published_by}")
    print(f"SHA-256 {policy.sha256}")
    print()
    print(policy.text)
    print()
    if pending is not None:
        print(f"You have not accepted it yet: crmdesk policy accept --version {policy.version}")
    return 0


def cmd_policy_accept(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = PolicyService(session)
        current = service.current()
        version = args.policy_version
        if version is None:
            if not sys.stdin.isatty():
                raise BadInput(
                    "Read the policy first (crmdesk policy show), then accept the version "
                    f"you read: crmdesk policy accept --version {current.version}"
                )
            print(current.text)
            print()
            answer = input(f'Type "I accept" to accept version {current.version}: ')
            if answer.strip().casefold() != "i accept":
                raise BadInput("The policy was not accepted; nothing is shown until it is.")
            version = current.version
        accepted = service.accept(version)
    print(f"You accepted the confidentiality policy, version {accepted.version}.")
    return 0


def cmd_policy_set(args: argparse.Namespace) -> int:
    if str(args.file) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"Cannot read {args.file} as UTF-8 text: {exc}.") from None
    with open_session(args) as session:
        before = PolicyService(session).current().version
        policy = PolicyService(session).publish(text)
    if policy.version == before:
        print(f"The text is the same as version {policy.version}; nothing was published.")
    else:
        print(f"Published version {policy.version}; everyone else accepts it at next use.")
    return 0


def cmd_policy_status(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = PolicyService(session)
        versions = service.history()
        accepted = service.acceptances()
        users = UserService(session).list()
    current = versions[-1]
    if args.json:
        print_json(
            {
                "current_version": current.version,
                "acceptances": [
                    {
                        "login": a.login,
                        "version": a.version,
                        "sha256": a.sha256,
                        "accepted_at": a.accepted_at.isoformat(),
                    }
                    for a in accepted
                ],
            }
        )
        return 0
    print(f"Current version {current.version} ({current.sha256[:16]})")
    done = {a.login.casefold(): a for a in accepted if a.version == current.version}
    for u in users:
        a = done.get(u.login.casefold())
        when = a.accepted_at.astimezone().strftime("%Y-%m-%d %H:%M") if a else "NOT ACCEPTED"
        state = "" if u.enabled else " (disabled)"
        print(f"  {u.login:<16} {u.full_name[:28]:<28} {when}{state}")
    return 0


# -- leaving and keys -----------------------------------------------------------------


def _print_recovery_key(key: str) -> None:
    print()
    print("The vault key was rotated: old keys and old recovery kits no longer open it.")
    print(RECOVERY_ADVICE)
    print(f"    {key}")
    print()


def cmd_offboard(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= 3660:
        raise BadInput("--days must be 1 to 3660.")
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
        )
    print(f"Disabled {args.login}.")
    print(f"Access report ID: {result.access_report.record.report_id}")
    print(f"Wrote {args.output} ({result.access_report.record.page_count} pages)")
    print(f"Exit certification ID: {result.certificate.record.report_id}")
    print(f"Wrote {certificate}: print it and have {args.login} sign it.")
    if result.recovery_key:
        _print_recovery_key(result.recovery_key)
    else:
        print("The vault key was NOT rotated (--no-rekey).")
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        new_key = keys.rotate_key(session, reason=args.reason, passphrase=args.vault_passphrase)
    _print_recovery_key(new_key)
    return 0
