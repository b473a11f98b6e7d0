"""``backup`` and ``restore``: an encrypted copy of the vault in one file, and back."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from crmdesk.commands.io import ask_secret
from crmdesk.commands.unlock import open_session, read_password
from crmdesk.errors import (
    BadInput,
    CrmdeskError,
    KeyMissing,
    SignInRequired,
    VaultDamaged,
    WrongKey,
    WrongPassphrase,
)
from crmdesk.services import backup as backups
from crmdesk.services import session as sessions
from crmdesk.services.session import Session


def cmd_backup(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        made = backups.backup(session, args.file, force=args.force)
    print(f"Wrote {made.path} ({made.size:,} bytes), encrypted, signed by you.")
    print(f"SHA-256: {made.sha256}")
    print(
        f"Verified: every page of the database and of each book, and the audit trail "
        f"({made.audit_length} entries)."
    )
    print(
        "It opens with what opens your key slot today (your password or passphrase, or "
        "this keyring's entry), or with your recovery key, which stays valid until your "
        "own keys are renewed (crmdesk rekey)."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    summary = backups.inspect(args.file)  # a damaged file is refused before any question
    live = _live_vault(args, summary)
    try:
        request = _secrets(args, summary, live)
        if live is None and request.password is not None and not summary.several_people:
            live = _open_live_by_passphrase(args, summary, request.password)
        info = _restore(args, summary, live, request)
    finally:
        if live is not None:
            live.close()
    print(f"Restored vault {info.vault_id} into {info.folder}")
    print(f"From: {summary.path} (made {info.backup_made_at}), SHA-256 {info.sha256}")
    print(f"Owner: {info.owner} (their key slot opened with the {info.opened_with})")
    print(f"Key: {info.key_location}")
    print(f"Audit trail: {info.audit_length} entries, verified; the restore is recorded.")
    if live is not None:
        print(f"Recorded in the vault at {args.vault} too (vault.restored_elsewhere).")
    return 0


# -- who restores -------------------------------------------------------------------------


def _live_vault(args: argparse.Namespace, summary: backups.BackupSummary) -> Session | None:
    """The session of the vault the backup came from, when it is at --vault: a vault of
    several people needs its owner signed in (anyone else is refused there, and the
    refusal recorded); a one-person vault is opened if it opens without a question (the
    OS keyring), to record the restore in it too."""
    folder = args.vault
    if not _same_vault(folder, summary.vault_id) or sessions.is_legacy_at(folder):
        return None  # not this backup's vault; or an old one, upgraded by its owner's open
    if sessions.several_people_at(folder):
        if args.user is None:
            raise SignInRequired(
                f"This backup is of the vault at {folder}, which has several users: only its "
                "owner restores it. Sign in: crmdesk --user LOGIN restore ..., with your "
                "password (--password-stdin or CRMDESK_PASSWORD).",
                code="cli.restore.sign_in_live",
            )
        try:
            return open_session(args)
        except VaultDamaged as exc:
            raise VaultDamaged(
                f"{exc.message} (The vault at {folder} is where this restore would be "
                "recorded. To restore without it, as on a new computer, give --vault "
                "another folder: the owner's password of the backup's day, or the "
                "recovery key, opens the backup.)",
                code="cli.restore.live_damaged",
                cause=exc,
            ) from None
    if sessions.needs_passphrase(folder):
        return None  # opened after the passphrase is read (cmd_restore)
    with contextlib.suppress(CrmdeskError):  # a damaged or locked-out vault records nothing
        return sessions.unlock(folder)
    return None


def _same_vault(folder: Path, vault_id: str) -> bool:
    """True when ``folder`` holds the vault ``vault_id`` (an unreadable vault.json: no)."""
    try:
        return sessions.vault_exists(folder) and sessions.vault_id_at(folder) == vault_id
    except CrmdeskError:
        return False


class _Request:
    """What the restore is given: who, and which secrets."""

    def __init__(self) -> None:
        self.login: str | None = None
        self.password: str | None = None
        self.recovery_key: str | None = None
        self.new_passphrase: str | None = None
        self.new_password: str | None = None


def _secrets(
    args: argparse.Namespace, summary: backups.BackupSummary, live: Session | None
) -> _Request:
    """Read the secrets the backup's kind needs, in the order the help describes."""
    request = _Request()
    signed_in = getattr(args, "sign_in_password", None) if live is not None else None
    if summary.version == 1:
        return _legacy_secrets(args, summary, request)
    if summary.several_people:
        if live is None:
            if args.user is None:
                raise SignInRequired(
                    "This backup is of a vault with several users: only its owner restores "
                    "it. Give the owner's login (crmdesk --user LOGIN restore ...) with their "
                    "password of the backup's day, or with --recovery-key-stdin.",
                    code="cli.restore.owner_needed",
                )
            request.login = args.user
        if args.recovery_key_stdin:
            request.recovery_key = args.stdin.next("recovery key")
            request.new_password = signed_in or _new_password(args)
        else:
            request.password = signed_in or read_password(
                args, f"Password of {args.user} on the day of the backup: "
            )
        return request
    if args.recovery_key_stdin:
        request.recovery_key = args.stdin.next("recovery key")
        if args.passphrase_stdin:
            request.new_passphrase = args.stdin.next("new master passphrase")
    elif summary.key_storage == "passphrase":
        request.password = _backup_passphrase(args)
    elif args.passphrase_stdin:
        raise BadInput(_NO_PASSPHRASE, code="cli.restore.no_passphrase")
    return request


def _legacy_secrets(
    args: argparse.Namespace, summary: backups.BackupSummary, request: _Request
) -> _Request:
    """A backup made before key slots: its vault key of the day, as then."""
    if args.recovery_key_stdin:
        request.recovery_key = args.stdin.next("recovery key")
        if args.passphrase_stdin:
            request.new_passphrase = args.stdin.next("new master passphrase")
    elif summary.key_storage == "passphrase":
        request.password = _backup_passphrase(args)
    elif args.passphrase_stdin:
        raise BadInput(_NO_PASSPHRASE, code="cli.restore.no_passphrase")
    return request


_NO_PASSPHRASE = (
    "This backup's vault kept its key in the keyring, so there is no passphrase to give. "
    "To protect the restored vault with a new master passphrase, give the recovery key "
    "too: --recovery-key-stdin (first line) with --passphrase-stdin (second)."
)


def _backup_passphrase(args: argparse.Namespace) -> str:
    if args.passphrase_stdin:
        return args.stdin.next("passphrase")
    return ask_secret("Master passphrase of the backup's vault: ", what="vault passphrase")


def _restore(
    args: argparse.Namespace,
    summary: backups.BackupSummary,
    live: Session | None,
    request: _Request,
) -> backups.RestoreInfo:
    def restore() -> backups.RestoreInfo:
        return backups.restore(
            args.file,
            args.to,
            by=live,
            login=request.login,
            password=request.password,
            recovery_key=request.recovery_key,
            new_passphrase=request.new_passphrase,
            new_password=request.new_password,
        )

    try:
        return restore()
    except (KeyMissing, WrongKey, WrongPassphrase) as exc:
        # At a terminal, ask for what may open it instead.
        if not sys.stdin.isatty() or request.recovery_key is not None:
            raise
        if summary.several_people and live is not None and isinstance(exc, WrongPassphrase):
            # Today's password did not open it: the owner's password of its day may.
            print(f"crmdesk: {exc.message}", file=sys.stderr)
            request.new_password = request.password
            request.password = ask_secret(
                "Your password on the day of the backup: ", what="password"
            )
        elif isinstance(exc, WrongPassphrase):
            raise
        else:
            print(f"crmdesk: {exc.message}", file=sys.stderr)
            request.recovery_key = ask_secret("Recovery key: ", what="recovery key")
        return restore()


def _new_password(args: argparse.Namespace) -> str:
    """The owner's new password, after a recovery key: the next line of standard input
    with --password-stdin, else asked twice."""
    if getattr(args, "password_stdin", False):
        return args.stdin.next("new password")
    return ask_secret(
        "New password for the owner of the restored vault: ",
        what="new password",
        confirm=True,
        hint="--password-stdin",
    )


def _open_live_by_passphrase(
    args: argparse.Namespace, summary: backups.BackupSummary, phrase: str
) -> Session | None:
    """A one-person live vault protected by a passphrase: opened with the passphrase given
    for the backup, if it is still the same, to record the restore in it too."""
    folder = args.vault
    if (
        not _same_vault(folder, summary.vault_id)
        or sessions.is_legacy_at(folder)
        or not sessions.needs_passphrase(folder)
    ):
        return None
    with contextlib.suppress(CrmdeskError):  # a passphrase changed since: not recorded there
        return sessions.unlock(folder, passphrase=phrase)
    return None
