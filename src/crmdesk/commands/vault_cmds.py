"""``init``, ``status``, ``recover`` and ``audit verify``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from crmdesk.commands.io import ask_secret, print_json
from crmdesk.commands.unlock import open_session
from crmdesk.commands.words import words
from crmdesk.errors import CannotUnlock, KeyringUnavailable, SignInRequired
from crmdesk.services import session as sessions
from crmdesk.services.vault_state import security_state

RECOVERY_ADVICE = """\
Your RECOVERY KEY is shown this once. Print it or write it down, check it, and lock it
away (a safe, a locked drawer at another site). Anyone who has it can open this vault;
without it, a lost keyring, a lost passphrase or a new laptop means the data is lost.
"""


def cmd_init(args: argparse.Namespace) -> int:
    owner = sessions.Owner(args.name, args.login, args.company)
    session, recovery_key = new_vault(args, owner)
    with session:
        print_new_vault(args, session, recovery_key)
    return 0


def new_vault(args: argparse.Namespace, owner: sessions.Owner) -> tuple[sessions.Session, str]:
    """A new vault in ``--vault`` for ``owner`` (``init``, ``join``): its key in the OS
    keyring, or under a master passphrase (``--passphrase-stdin``, or asked for at a
    terminal when no keyring is usable)."""
    passphrase = None
    if args.passphrase_stdin:
        passphrase = args.stdin.next("passphrase")
    try:
        return sessions.create_vault(args.vault, owner, passphrase=passphrase)
    except KeyringUnavailable as exc:
        if not sys.stdin.isatty():
            raise
        print(f"{words(exc)}\n", file=sys.stderr)
        passphrase = ask_secret(
            "Choose a master passphrase: ", what="master passphrase", confirm=True
        )
        return sessions.create_vault(args.vault, owner, passphrase=passphrase)


def print_new_vault(args: argparse.Namespace, session: sessions.Session, recovery_key: str) -> None:
    state = security_state(session)
    print(f"Created vault {state.vault_id} in {args.vault}")
    print(f"Owner: {session.full_name} ({session.actor})")
    print(f"Key: {state.key_location}")
    print_recovery_key(recovery_key)


def print_recovery_key(key: str, lead: str = "") -> None:
    """A new recovery key on standard output, to its owner at the terminal, once: the one
    place the command line prints a secret, on purpose (the key is never stored or
    logged; without this moment nobody would ever have it)."""
    print()
    if lead:
        print(lead)
    print(RECOVERY_ADVICE)
    print(f"    {key}")
    print()


def cmd_status(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        # The counts are exact: every record table is read (its smallest index), a
        # moment for a large vault. Said on standard error; standard output stays as it is.
        print("Counting the records of every table ...", file=sys.stderr, flush=True)
        st = sessions.status(session)
    if args.json:
        data = asdict(st)
        data["folder"] = str(st.folder)
        if st.sharing_warning is not None:
            data["sharing_warning"] = words(st.sharing_warning)
        print_json(data)
        return 0
    print(f"Vault:          {st.folder}")
    print(f"Vault id:       {st.vault_id}")
    print(f"Format:         vault format {st.format_version}, schema {st.schema_version}")
    print(f"Encryption:     SQLCipher 4, AES-256, key {st.key_location}")
    business = f", {st.owner.business}" if st.owner.business else ""
    print(f"Owner:          {st.owner.full_name} ({st.owner.login}){business}")
    print(f"Created:        {st.created_at}")
    print(f"Database size:  {st.database_bytes:,} bytes")
    print(f"Audit trail:    {st.audit_length} entries, head {st.audit_head[:16]}")
    print("Records:")
    for table, count in st.table_counts.items():
        print(f"  {table:<22}{count:>10,}")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    if sessions.several_people_at(args.vault):
        return _recover_several(args)
    if sys.stdin.isatty() and not args.passphrase_stdin:
        recovery_key = ask_secret("Recovery key: ", what="recovery key")
    else:
        recovery_key = args.stdin.next("recovery key")
    new_passphrase = args.stdin.next("new passphrase") if args.passphrase_stdin else None
    with sessions.recover(args.vault, recovery_key, new_passphrase=new_passphrase) as session:
        state = security_state(session)
        print(f"Recovered vault {state.vault_id} in {args.vault}")
        print(f"Key: {state.key_location}")
    return 0


def _recover_several(args: argparse.Namespace) -> int:
    """Only the owner recovers a vault of several people: their login, the recovery key
    and a new password. Anyone else signs in with their own password and is refused
    (recorded under their name)."""
    if args.user is None:
        raise SignInRequired(
            "This vault has several users: only its owner recovers it. Give the owner's "
            "login: crmdesk --user OWNER recover (the recovery key on the first line of "
            "standard input, the owner's new password on the second).",
            code="cli.recover.owner_needed",
        )
    owner = sessions.recovery_login(args.vault)
    if owner is None or args.user.strip().casefold() != owner.casefold():
        with open_session(args) as session:  # their own password: the refusal is theirs
            sessions.check_may_recover(session)
        raise CannotUnlock(
            "Your key slot holds no recovery key: the vault's recovery key is its owner's. "
            "Sign in with your password instead.",
            code="cli.recover.not_owner",
        )
    at_terminal = sys.stdin.isatty() and not (args.passphrase_stdin or args.password_stdin)
    if at_terminal:
        recovery_key = ask_secret("Recovery key: ", what="recovery key")
        new_password = ask_secret(
            f"New password for {args.user}: ", what="new password", confirm=True
        )
    else:
        recovery_key = args.stdin.next("recovery key")
        new_password = args.stdin.next("new password")
    with sessions.recover(
        args.vault, recovery_key, login=args.user, new_password=new_password
    ) as session:
        state = security_state(session)
        print(f"Recovered vault {state.vault_id} in {args.vault} as its owner {session.actor}")
        print(f"Key: {state.key_location}")
        print("Sign in with your new password from now on.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        report = sessions.verify_audit(session, full=args.full)
    print(f"Audit trail intact: {report.length} entries, head {report.head}")
    if report.signed is not None:
        older = (
            f"; {report.unsigned:,} written before the vault's upgrade are unsigned"
            if report.unsigned
            else ""
        )
        print(f"Signatures: {report.signed:,} entries signed by who made them{older}")
    if report.checkpoint_seq is not None:
        print(
            f"Signatures of entries 1 to {report.checkpoint_seq:,} were checked by an "
            "earlier check (its signed checkpoint matches the rehashed trail); "
            "--full checks them again"
        )
    return 0
