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
from crmdesk.vault.metadata import (
    LEGACY_FORMAT,
    VaultMetadata,
    read_metadata,
    update_metadata,
)
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

    def save(
        self,
        head: Head,
        meta: VaultMetadata,
        keep: Callable[[VaultMetadata], None],
        holds: Callable[[Head], bool],
    ) -> None:
        """Record a committed audit head in vault.json; it only ever moves forward.

        ``meta`` is the vault object's copy of vault.json; ``keep`` takes the file as it
        is on disk after the write; ``holds`` says whether the trail still has the entry
        a head names, with that hash.

        A head that is no longer true is left as found, never moved past: the entry it
        names is gone or different (the newest entries were removed, or the trail
        rewritten), or the head itself was removed from or mangled in a vault.json of the
        current format. Moving past it would erase the evidence at the next commit;
        left, verification keeps reporting it.
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
                        lambda m: _advance(m, head, holds),
                    )
                )
            except (OSError, CrmdeskError):
                # The change is committed and stays so; vault.json only lags behind,
                # which verify accepts. The next commit (or close) tries again.
                self.unsaved = head
            else:
                self.unsaved = None


def _advance(meta: VaultMetadata, head: Head, holds: Callable[[Head], bool]) -> None:
    current_format = meta.format_version > LEGACY_FORMAT
    try:
        recorded = meta.recorded_audit_head()
    except ValueError:
        if current_format:
            return  # mangled: left for verification to report
        recorded = None  # an old vault's mangled record is replaced by a true one
    if recorded is None:
        if current_format:
            return  # removed: such a vault.json always had one
    elif recorded[0] < head[0] and not holds(recorded):
        return  # the trail no longer has the entry vault.json names
    meta.advance_audit_head(*head)


def read_recorded_head(folder: Path) -> tuple[Head | None, bool]:
    """The head vault.json records now, and whether it must record one: for a walk of
    the trail to compare its end with.

    Read it before the walk begins (``UnlockedVault.verify_audit`` says why); an
    unreadable record is :class:`VaultDamaged`.

    A vault of the current format always has one: its head is written with vault.json
    when the vault is made (or upgraded) and after every commit, and it never goes away.
    So a vault.json of that format without a head was edited by someone, perhaps to hide
    a removal of the newest entries (an old-format vault may never have had one).
    """
    meta = read_metadata(folder / METADATA_NAME, folder)
    required = meta.format_version > LEGACY_FORMAT
    try:
        return meta.recorded_audit_head(), required
    except ValueError:
        raise VaultDamaged(
            "vault.json's record of the audit trail's newest entry (audit_head) is "
            "unreadable, so removed entries cannot be ruled out. Keep the vault as it "
            "is (it is evidence) and compare it with your latest backup.",
            code="audit.head_unreadable",
        ) from None
