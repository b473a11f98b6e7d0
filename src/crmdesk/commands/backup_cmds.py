"""``backup`` and ``restore``: an encrypted copy of the vault in one file, and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmdesk.commands.io import ask_secret
from crmdesk.commands.unlock import open_session
from crmdesk.errors import BadInput, KeyMissing, WrongKey
from crmdesk.services import backup as backups


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
    p.set_defaults(handler=cmd_backup)

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
    p.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        made = backups.backup(session, args.file, force=args.force)
    print(f"Wrote {made.path} ({made.size:,} bytes), encrypted with this vault's key.")
    print(f"SHA-256: {made.sha256}")
    print(f"Verified: every page, and the audit trail ({made.audit_length} entries).")
    print(
        "It opens only with today's vault key: keep today's recovery key with it (after a "
        "key rotation, this backup still needs the old one)."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    summary = backups.inspect(args.file)  # a damaged file is refused before any question
    recovery_key = passphrase = new_passphrase = None
    if args.recovery_key_stdin:
        recovery_key = args.stdin.next("recovery key")
        if args.passphrase_stdin:
            new_passphrase = args.stdin.next("new master passphrase")
    elif summary.key_storage == "passphrase":
        if args.passphrase_stdin:
            passphrase = args.stdin.next("passphrase")
        else:
            passphrase = ask_secret(
                "Master passphrase of the backup's vault: ", what="vault passphrase"
            )
    elif args.passphrase_stdin:
        raise BadInput(
            "This backup's key is kept in the keyring, so there is no passphrase to give. "
            "To protect the restored vault with a new master passphrase, give the recovery "
            "key too: --recovery-key-stdin (first line) with --passphrase-stdin (second)."
        )

    def restore(recovery: str | None) -> backups.RestoreInfo:
        return backups.restore(
            args.file,
            args.to,
            recovery_key=recovery,
            passphrase=passphrase,
            new_passphrase=new_passphrase,
        )

    try:
        info = restore(recovery_key)
    except (KeyMissing, WrongKey) as exc:
        # The keyring has no key that fits: at a terminal, ask for the recovery key.
        if recovery_key is not None or passphrase is not None or not sys.stdin.isatty():
            raise
        print(f"crmdesk: {exc.message}", file=sys.stderr)
        info = restore(ask_secret("Recovery key: ", what="recovery key"))
    print(f"Restored vault {info.vault_id} into {info.folder}")
    print(f"From: {summary.path} (made {info.backup_made_at}), SHA-256 {info.sha256}")
    print(f"Key: {info.key_location}")
    print(f"Audit trail: {info.audit_length} entries, verified; the restore is recorded.")
    return 0
