"""The audit trail's head kept in vault.json, outside the database.

The newest committed audit entry (its sequence number and hash) is recorded in
vault.json's ``audit_head``, so that a removal of the newest entries from the database
shows when the trail is verified. It is written only after the transaction that added
the entry has committed, and it only ever moves forward: several processes may have the
vault open, and a slower one must never lower it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from crmdesk.errors import CrmdeskError, VaultDamaged
from crmdesk.vault.metadata import VaultMetadata, read_metadata, update_metadata
from crmdesk.vault.paths import METADATA_NAME

Head = tuple[int, str]


class AuditHeadWriter:
    """Writes one vault object's committed audit heads to vault.json."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        # A committed head vault.json could not take (disk full...): tried again later.
        self.unsaved: Head | None = None
        # False only while create() has not written vault.json yet.
        self.metadata_written = True

    def save(self, head: Head, meta: VaultMetadata, keep: Callable[[VaultMetadata], None]) -> None:
        """Record a committed audit head in vault.json; it only ever moves forward.

        ``meta`` is the vault object's copy of vault.json; ``keep`` takes the file as it
        is on disk after the write.
        """
        with self._lock:
            if self.unsaved is not None and self.unsaved[0] > head[0]:
                head = self.unsaved
            if not self.metadata_written:
                meta.advance_audit_head(*head)  # create() writes it with the file
                return
            try:
                keep(
                    update_metadata(
                        self._folder / METADATA_NAME,
                        self._folder,
                        lambda m: m.advance_audit_head(*head),
                    )
                )
            except (OSError, CrmdeskError):
                # The change is committed and stays so; vault.json only lags behind,
                # which verify accepts. The next commit (or close) tries again.
                self.unsaved = head
            else:
                self.unsaved = None


def recorded_head(folder: Path) -> Head | None:
    """The head vault.json records now, for a walk of the trail to compare its end with.

    Read it before the walk begins (``UnlockedVault.verify_audit`` says why); an
    unreadable record is :class:`VaultDamaged`.
    """
    meta = read_metadata(folder / METADATA_NAME, folder)
    try:
        return meta.recorded_audit_head()
    except ValueError:
        raise VaultDamaged(
            "vault.json's record of the audit trail's newest entry (audit_head) is "
            "unreadable, so removed entries cannot be ruled out. Keep the vault as it "
            "is (it is evidence) and compare it with your latest backup.",
            code="audit.head_unreadable",
        ) from None
