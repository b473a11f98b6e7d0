"""Backup files: a consistent, encrypted copy of a vault in one file, and restoring one.

* :mod:`.container`: the sealed backup file format (``.crmbackup``), read and written;
* :mod:`.make`: making a backup of an open vault (:func:`write_backup`);
* :mod:`.verify`: checking a copy of the database before it is packed or restored;
* :mod:`.restore`: restoring a backup into a new vault folder (:func:`restore_backup`).
"""

from crmdesk.vault.backup.container import MAGIC_LINE, SUFFIX, BackupHeader, read_header
from crmdesk.vault.backup.make import BackupInfo, write_backup
from crmdesk.vault.backup.restore import ROTATED_ADVICE, RestoreInfo, restore_backup

__all__ = [
    "MAGIC_LINE",
    "ROTATED_ADVICE",
    "SUFFIX",
    "BackupHeader",
    "BackupInfo",
    "RestoreInfo",
    "read_header",
    "restore_backup",
    "write_backup",
]
