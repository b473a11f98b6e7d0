"""Reading the header of a backup file of either container version."""

from __future__ import annotations

from pathlib import Path

from crmdesk.vault.backup.container import BackupHeader, open_backup, read_header
from crmdesk.vault.backup.container_v1 import (
    LEGACY_MAGIC_LINE,
    LegacyHeader,
    read_legacy_header,
)


def read_any_header(path: Path) -> BackupHeader | LegacyHeader:
    """A backup's header, checked without a secret; a version-1 file's too."""
    _, first, fh = open_backup(path)
    fh.close()
    if first == LEGACY_MAGIC_LINE:
        return read_legacy_header(path)
    return read_header(path)
