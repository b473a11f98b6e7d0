"""Opening the vault named on the command line and signing in, for every command."""

from __future__ import annotations

import argparse
import os
import sys

from crmdesk.commands.io import ask_secret
from crmdesk.commands.words import words
from crmdesk.errors import Notice, SignInRequired
from crmdesk.services import session as sessions
from crmdesk.services.egress import OwnerApproval
from crmdesk.services.opening import pending_recovery_key
from crmdesk.services.session import Session


def open_session(args: argparse.Namespace) -> Session:
    """Unlock the vault named on the command line and sign in.

    The passphrase (if the vault has one) and then the sign-in password are read from
    standard input or asked for; with one user and sign-in off, no password is needed.
    """
    if args.user is not None and not args.passphrase_stdin:
        # Signing in: the person's password opens their key slot (in a one-person
        # passphrase vault, the password is the passphrase).
        args.sign_in_password = read_password(args, f"Password for {args.user}: ")
        args.vault_passphrase = None
        warn_if_shared(sessions.sharing_warning(args.vault))
        session = sessions.sign_in_at(args.vault, args.user, args.sign_in_password)
        show_unseen_recovery_key(pending_recovery_key(session))
        return session
    passphrase = read_passphrase(args)
    args.vault_passphrase = passphrase  # kept for rekey, which re-wraps the new key with it
    unlocked = sessions.open_vault(args.vault, passphrase=passphrase)
    try:
        warn_if_shared(sessions.sharing_warning(args.vault))
        show_unseen_recovery_key(unlocked.unshown_recovery_key())
        if args.user is None and not unlocked.sign_in_required():
            session = unlocked.sole_user()
        else:
            if args.user is None:
                raise SignInRequired(
                    "This vault has several users: sign in with --user LOGIN, and give "
                    "your password with --password-stdin or the CRMDESK_PASSWORD variable.",
                    code="cli.signin_required",
                )
            args.sign_in_password = read_password(args, f"Password for {args.user}: ")
            session = unlocked.sign_in(args.user, args.sign_in_password)
        show_unseen_recovery_key(pending_recovery_key(session))
        return session
    except BaseException:
        unlocked.close()
        raise


def read_passphrase(args: argparse.Namespace) -> str | None:
    if not sessions.needs_passphrase(args.vault):
        return None
    if args.passphrase_stdin:
        return args.stdin.next("passphrase")
    return ask_secret("Vault passphrase: ", what="vault passphrase")


def read_password(args: argparse.Namespace, prompt: str) -> str:
    """The sign-in password: standard input, then $CRMDESK_PASSWORD, then a prompt."""
    if getattr(args, "password_stdin", False):
        return args.stdin.next("sign-in password")
    from_env = os.environ.get("CRMDESK_PASSWORD")
    if from_env is not None:
        return from_env
    return ask_secret(prompt, what="sign-in password", hint="--password-stdin or CRMDESK_PASSWORD")


def show_unseen_recovery_key(key: str | None, why: str = "") -> None:
    """A recovery key nobody has seen yet (a change of the owner's keys made it)."""
    if key:
        reason = why or (
            "Your recovery key was replaced (a change of your keys was interrupted, or "
            "its recovery key was never shown); the old one no longer works."
        )
        print(
            f"crmdesk: {reason} This is the NEW RECOVERY KEY, shown once: print it or write "
            f"it down and lock it away.\n\n    {key}\n",
            file=sys.stderr,
        )


def warn_if_shared(warning: Notice | None) -> None:
    if warning:
        print(f"crmdesk: warning: {words(warning)}", file=sys.stderr)


def approval(args: argparse.Namespace) -> OwnerApproval | None:
    """The owner's on-the-spot approval, when ``--approve-as`` was given."""
    login = getattr(args, "approve_as", None)
    if not login:
        return None
    if sys.stdin.isatty():
        password = ask_secret(f"Password of {login} (approving): ", what="owner's password")
    else:
        password = args.stdin.next("owner's password")
    return OwnerApproval(login, password)
