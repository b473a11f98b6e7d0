"""``init``, ``status``, ``recover`` and ``audit verify``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from crmdesk.commands.io import ask_secret, print_json
from crmdesk.commands.unlock import open_session
from crmdesk.commands.words import words
from crmdesk.errors import KeyringUnavailable
from crmdesk.services import session as sessions
from crmdesk.services.vault_state import security_state

RECOVERY_ADVICE = """\
Your RECOVERY KEY is shown this once. Print it or write it down, check it, and lock it
away (a safe, a locked drawer at another site). Anyone who has it can open this vault;
without it, a lost keyring, a lost passphrase or a new laptop means the data is lost.
"""


def cmd_init(args: argparse.Namespace) -> int:
    owner = sessions.Owner(args.name, args.login, args.company)
    passphrase = None
    if args.passphrase_stdin:
        passphrase = args.stdin.next("passphrase")
    try:
        session, recovery_key = sessions.create_vault(args.vault, owner, passphrase=passphrase)
    except KeyringUnavailable as exc:
        if not sys.stdin.isatty():
            raise
        print(f"{words(exc)}\n", file=sys.stderr)
        passphrase = ask_secret(
            "Choose a master passphrase: ", what="master passphrase", confirm=True
        )
        session, recovery_key = sessions.create_vault(args.vault, owner, passphrase=passphrase)
    with session:
        state = security_state(session)
        print(f"Created vault {state.vault_id} in {args.vault}")
        print(f"Owner: {session.full_name} ({session.actor})")
        print(f"Key: {state.key_location}")
        print()
        print(RECOVERY_ADVICE)
        print(f"    {recovery_key}")
        print()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with open_session(args) as session:
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


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        report = sessions.verify_audit(session)
    print(f"Audit trail intact: {report.length} entries, head {report.head}")
    return 0
