"""The options of ``backup`` and ``restore`` (handlers: backup_cmds)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.lazy import handlers_in

_run = handlers_in("backup_cmds")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "backup",
        help="write a verified, encrypted copy of the vault to FILE (owner)",
        description="Copies every file of the vault (the database and each book) into one "
        "encrypted file, as one snapshot, while the app or other commands may keep "
        "working; checks the copy (every page, the audit trail, each book), signs it with "
        "your key and records the backup in the audit trail. The file holds the key slots "
        "of today: it opens with your password (or passphrase) of today, or with your "
        "recovery key. Never overwrites a file unless --force.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=_run("cmd_backup"))

    p = sub.add_parser(
        "restore",
        help="restore a backup file into a new vault folder (owner)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=RESTORE_HELP,
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file")
    p.add_argument("--to", required=True, type=Path, metavar="DIR", help="the new vault folder")
    p.add_argument(
        "--recovery-key-stdin",
        action="store_true",
        help="read the owner's recovery key from standard input (the line after your "
        "sign-in password, if you sign in)",
    )
    p.set_defaults(handler=_run("cmd_restore"))


RESTORE_HELP = """
Restores FILE into the new (or empty) folder DIR, never over a vault. Only the owner of
the backup's vault restores it.

Who: when the vault the backup was made from is at --vault (or $CRMDESK_VAULT) and has
several users, sign in to it with --user LOGIN and your password (--password-stdin, or
CRMDESK_PASSWORD): anyone but its owner is refused (exit 6), and the refusal is recorded
in it; the owner's restore is recorded in it too. Without that vault here (a new
computer), a backup of several users needs --user with the owner's login.

What opens a backup: what opened its owner's key slot on the day it was made.
  - the owner's password of that day (several users; signed in to the live vault, your
    password of today is tried first), or the master passphrase of that day (one user,
    passphrase: --passphrase-stdin or the prompt);
  - the owner's recovery key (--recovery-key-stdin). Rotating the data keys (offboarding,
    disabling a user) does not change it, so it opens backups from before a rotation;
    only a renewal of the owner's own keys (crmdesk rekey, adding the first colleague)
    makes a new one, and backups from before that need the recovery key of their day;
  - one user, key in the OS keyring: this computer's keyring entry, while it still opens
    the backup's owner slot (until the next rekey); otherwise the recovery key.

Afterwards the restored vault opens the usual way: several users, each with their own
password of the backup's day (the owner: the password that opened it, or after the
recovery key a new one: your sign-in password, or the next line with --password-stdin,
or the prompt); one user, the passphrase that opened it, or the keyring: the entry that
opened it, else a new one (never replacing this vault's entry in the keyring: then add
--passphrase-stdin, and the line after the recovery key becomes a new master passphrase).
""".strip()
