"""``user`` and ``policy``: the vault's people and the confidentiality policy."""

from __future__ import annotations

import argparse
import sys

from crmdesk.commands.io import ask_secret, print_json
from crmdesk.commands.unlock import open_session, read_password, show_unseen_recovery_key
from crmdesk.errors import BadInput
from crmdesk.services import signin
from crmdesk.services.opening import pending_recovery_key
from crmdesk.services.people import OwnerPasswordNeeded, UserService
from crmdesk.services.policy import PolicyService

# -- users ----------------------------------------------------------------------------


def _new_password(args: argparse.Namespace, what: str) -> str:
    if sys.stdin.isatty() and not args.password_stdin and not args.passphrase_stdin:
        return ask_secret(f"{what}: ", what=what.lower(), confirm=True)
    return args.stdin.next(what.lower())


def _own_password(args: argparse.Namespace) -> str:
    """The owner's password, when adding the first colleague (the line after the initial
    password on standard input, or asked for)."""
    if sys.stdin.isatty() and not args.password_stdin and not args.passphrase_stdin:
        return ask_secret(
            "Your own password (from now on the vault opens only with passwords): ",
            what="your password",
        )
    return args.stdin.next("your own password")


def cmd_user_add(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = UserService(session)
        password = _new_password(args, "Initial password")
        try:
            user = service.add(args.login, args.name, args.role, password)
        except OwnerPasswordNeeded:
            # The first colleague: the vault stops opening with the OS keyring, and the
            # owner's keys are made again under their password.
            own = getattr(args, "sign_in_password", None) or _own_password(args)
            user = service.add(args.login, args.name, args.role, password, owner_password=own)
        recovery_key = pending_recovery_key(session)
    print(f"Added {user.full_name} ({user.login}) as {user.role.title}.")
    print("Give them the initial password in person; they must change it at first sign-in.")
    if recovery_key:
        show_unseen_recovery_key(
            recovery_key,
            "This vault has several users now: nothing in the OS keyring opens it any more, "
            "its keys were changed, and the old recovery key no longer works.",
        )
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
        waiting = UserService(session).disable(args.login, reason=args.reason)
    print(f"{args.login} can no longer sign in. Their history stays in the audit trail.")
    if waiting:
        print(f"crmdesk: {waiting}", file=sys.stderr)
    print("If they are leaving, consider: crmdesk offboard " + args.login + " -o FILE")
    return 0


def cmd_user_enable(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = UserService(session)
        password = _new_password(args, "New initial password")
        service.enable(args.login, password)
    print(
        f"{args.login} can sign in again, with the new password; they must change it at "
        "their first sign-in."
    )
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
        waiting = UserService(session).set_role(args.login, args.role)
    print(f"{args.login} is now {args.role}.")
    if waiting:
        print(f"crmdesk: {waiting}", file=sys.stderr)
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
                    f"you read: crmdesk policy accept --version {current.version}",
                    code="cli.policy.read_first",
                )
            print(current.text)
            print()
            answer = input(f'Type "I accept" to accept version {current.version}: ')
            if answer.strip().casefold() != "i accept":
                raise BadInput(
                    "The policy was not accepted; nothing is shown until it is.",
                    code="cli.policy.not_accepted",
                )
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
            raise BadInput(
                f"Cannot read {args.file} as UTF-8 text: {exc}.", code="cli.policy.file_unreadable"
            ) from None
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
