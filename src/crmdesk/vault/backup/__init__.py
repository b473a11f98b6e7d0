"""Backup files: a consistent, signed copy of every file of a vault in one file, and
restoring one.

* :mod:`.container`: the backup file format (``.crmbackup``, version 2), read and written;
  :mod:`.container_v1` reads the version before key slots; :mod:`.headers` either;
* :mod:`.snapshot`: the main database and every book copied as one snapshot;
* :mod:`.make`: making a backup of an open vault (:func:`write_backup`);
* :mod:`.verify`: checking the copies before they are packed or restored;
* :mod:`.restore`: restoring a backup into a new vault folder (:func:`restore_backup`),
  by its owner; :mod:`.restore_v1` a version-1 backup.
"""

from crmdesk.vault.backup.container import MAGIC_LINE, SUFFIX, BackupHeader, read_header
from crmdesk.vault.backup.container_v1 import LegacyHeader
from crmdesk.vault.backup.headers import read_any_header
from crmdesk.vault.backup.make import BackupInfo, write_backup
from crmdesk.vault.backup.restore import ROTATED_ADVICE, restore_backup
from crmdesk.vault.backup.restore_common import RestoreInfo

__all__ = [
    "MAGIC_LINE",
    "ROTATED_ADVICE",
    "SUFFIX",
    "BackupHeader",
    "BackupInfo",
    "LegacyHeader",
    "RestoreInfo",
    "read_any_header",
    "read_header",
    "restore_backup",
    "write_backup",
]
