"""``backup`` and ``restore``: an encrypted copy of the vault in one file, and back."""

from __future__ import annotations

import argparse
import sys

from crmdesk.commands.io import ask_secret
from crmdesk.commands.unlock import open_session
from crmdesk.commands.words import words
from crmdesk.errors import BadInput, KeyMissing, WrongKey
from crmdesk.services import backup as backups


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
            "key too: --recovery-key-stdin (first line) with --passphrase-stdin (second).",
            code="cli.restore.keyring_backup_passphrase",
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
        print(f"crmdesk: {words(exc)}", file=sys.stderr)
        info = restore(ask_secret("Recovery key: ", what="recovery key"))
    print(f"Restored vault {info.vault_id} into {info.folder}")
    print(f"From: {summary.path} (made {info.backup_made_at}), SHA-256 {info.sha256}")
    print(f"Key: {info.key_location}")
    print(f"Audit trail: {info.audit_length} entries, verified; the restore is recorded.")
    return 0
