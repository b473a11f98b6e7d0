"""The automatic backup folder the owner chooses: checked when it is set (settings) and
used when the app closes (backup). Here so that both reach it without importing each
other (services.backup reads the settings: the check living there made a cycle)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from crmdesk.errors import BadInput
from crmdesk.services.user_session import Session


def checked_backup_folder(session: Session, text: str) -> str:
    """The automatic backup folder as stored: absolute, existing, writable; "" for none."""
    text = text.strip()
    if not text:
        return ""
    folder = Path(os.path.abspath(Path(text).expanduser()))
    if not folder.is_dir():
        raise BadInput(
            f"The backup folder {folder} does not exist. Create it first.",
            code="backup_folder.missing",
            folder=folder,
        )
    vault_folder = Path(os.path.abspath(session.vault.folder))
    if folder == vault_folder or vault_folder in folder.parents:
        raise BadInput(
            "Keep backups outside the vault folder: a backup lost with the vault is no "
            "backup. Choose another folder (an external drive is best).",
            code="backup_folder.inside_vault",
        )
    try:
        # Writing is the only reliable test (permissions, ACLs, read-only mounts).
        with tempfile.TemporaryFile(dir=folder, prefix=".crmdesk-write-test-"):
            pass
    except OSError as exc:
        raise BadInput(
            f"crmdesk cannot write into {folder} ({exc.strerror or exc}). Choose a folder "
            "you can write to.",
            code="backup_folder.unwritable",
            folder=folder,
        ) from None
    return str(folder)
