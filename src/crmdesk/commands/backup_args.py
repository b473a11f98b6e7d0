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
        description="Copies the vault into one encrypted file while the app or other "
        "commands may keep working, checks the copy (every page, the audit trail), and "
        "records the backup in the audit trail. The file opens only with this vault's key "
        "of today: keep the current recovery key. Never overwrites a file unless --force.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=_run("cmd_backup"))

    p = sub.add_parser(
        "restore",
        help="restore a backup file into a new vault folder",
        description="Restores FILE into the new (or empty) folder DIR, never over a vault. "
        "The key comes from this computer's keyring; with --recovery-key-stdin from the "
        "recovery key on the first line of standard input (at a terminal crmdesk asks for "
        "it when the keyring has no key that fits). A backup made before a key rotation "
        "needs the recovery key of its day. For a backup of a passphrase-protected vault, "
        "give that passphrase with --passphrase-stdin (or at the prompt). With "
        "--recovery-key-stdin, --passphrase-stdin makes the second line the restored "
        "vault's new master passphrase instead of storing the key in the keyring.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file")
    p.add_argument("--to", required=True, type=Path, metavar="DIR", help="the new vault folder")
    p.add_argument(
        "--recovery-key-stdin",
        action="store_true",
        help="read the recovery key from standard input (first line)",
    )
    p.set_defaults(handler=_run("cmd_restore"))
