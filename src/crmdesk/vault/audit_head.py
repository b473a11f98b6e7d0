"""The audit trail's head kept outside the database: in vault.json, and after views in
``audit-head.log`` beside it.

The newest committed audit entry (its sequence number and hash) is recorded outside the
database, so that a removal of the newest entries from the database shows when the trail
is verified. It is written only after the transaction that added the entry has
committed, and it only ever moves forward: several processes may have the vault open,
and a slower one must never lower it.

Where it goes: a commit that only records what someone looked at (a view, a search:
:data:`VIEW_ACTIONS`) appends its head to ``audit-head.log`` (:mod:`.audit_head_log`),
which costs a small write; every other commit, and closing the vault, writes it into
vault.json (a new file, fsynced, renamed). The head recorded is the newer of the two;
both are written and read under the metadata lock.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from crmdesk.errors import CrmdeskError, VaultDamaged
from crmdesk.vault import audit_head_log as head_log
from crmdesk.vault.locks import metadata_lock
from crmdesk.vault.metadata import (
    LEGACY_FORMAT,
    VaultMetadata,
    read_metadata,
    update_metadata_locked,
)
from crmdesk.vault.paths import METADATA_NAME

Head = tuple[int, str]

# Audit entries that only record that someone looked at something: a commit holding no
# other kind appends its head to audit-head.log instead of rewriting vault.json.
VIEW_ACTIONS = frozenset({"client.viewed", "clients.searched"})


class _Left(Exception):
    """A recorded head is no longer true, removed or mangled: nothing is written."""


class AuditHeadWriter:
    """Writes one vault object's committed audit heads to audit-head.log or vault.json."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        # A committed head neither file could take (disk full...): tried again later.
        self.unsaved: Head | None = None
        # The newest head this object appended to audit-head.log and vault.json has not
        # been given yet: written into vault.json at close.
        self.unfiled: Head | None = None
        # False only while create() has not written vault.json yet.
        self.metadata_written = True

    def save(
        self,
        head: Head,
        meta: VaultMetadata,
        keep: Callable[[VaultMetadata], None],
        holds: Callable[[Head], bool],
        *,
        view_only: bool = False,
    ) -> None:
        """Record a committed audit head; it only ever moves forward.

        ``meta`` is the vault object's copy of vault.json; ``keep`` takes the file as it
        is on disk after a write; ``holds`` says whether the trail still has the entry
        a head names, with that hash. ``view_only``: the commit recorded only views
        (:data:`VIEW_ACTIONS`), so its head may go to audit-head.log.

        A head that is no longer true is left as found, never moved past: the entry it
        names is gone or different (the newest entries were removed, or the trail
        rewritten), or the head itself was removed from or mangled in a vault.json of the
        current format, or audit-head.log was removed or damaged. Moving past it would
        erase the evidence at the next commit; left, verification keeps reporting it.
        """
        with self._lock:
            if self.unsaved is not None and self.unsaved[0] > head[0]:
                head = self.unsaved
            if not self.metadata_written:
                meta.advance_audit_head(*head)  # create() writes it with the file
                return
            try:
                with metadata_lock(self._folder):
                    if not (view_only and self._append(head, keep, holds)):
                        keep(self._write_metadata(head, holds))
            except _Left:
                self.unsaved = None
            except (OSError, CrmdeskError):
                # The change is committed and stays so; the head outside only lags
                # behind, which verify accepts. The next commit (or close) tries again.
                self.unsaved = head
            else:
                self.unsaved = None

    def flush(
        self,
        meta: VaultMetadata,
        keep: Callable[[VaultMetadata], None],
        holds: Callable[[Head], bool],
    ) -> None:
        """At close: vault.json gets the newest head this object wrote to audit-head.log,
        or one no file could take before."""
        pending = [h for h in (self.unsaved, self.unfiled) if h is not None]
        if pending:
            self.save(max(pending), meta, keep, holds)

    # -- under the metadata lock ------------------------------------------------------

    def _append(
        self, head: Head, keep: Callable[[VaultMetadata], None], holds: Callable[[Head], bool]
    ) -> bool:
        """Append ``head`` to audit-head.log; False when vault.json must take it instead
        (an old vault, or one whose log is not started yet)."""
        meta = read_metadata(self._folder / METADATA_NAME, self._folder)
        if meta.format_version <= LEGACY_FORMAT or meta.audit_head_log is None:
            return False
        if not head_log.fits(head):
            return False
        in_metadata = _metadata_head(meta)
        path = head_log.log_path(self._folder)
        fd = head_log.open_for_append(path)
        if fd is None:
            raise _Left  # removed: vault.json says there was one
        try:
            try:
                state = head_log.read_last(fd, meta.vault_id)
            except head_log.HeadLogDamaged:
                raise _Left from None  # damaged: left for verification to report
            _check_older(head, (in_metadata, state.head), holds)
            if state.head[0] >= head[0]:
                return True  # a newer head is there already (another process)
            head_log.append(fd, meta.vault_id, head)
        finally:
            os.close(fd)
        if self.unfiled is None or self.unfiled[0] < head[0]:
            self.unfiled = head
        if state.records + 1 >= head_log.COMPACT_AFTER:
            # vault.json first: the head stays recorded while the log is replaced.
            keep(self._write_metadata(head, holds))
            head_log.start(path, meta.vault_id, head)
        return True

    def _write_metadata(self, head: Head, holds: Callable[[Head], bool]) -> VaultMetadata:
        folder = self._folder
        left = False

        def advance(meta: VaultMetadata) -> None:
            nonlocal left
            try:
                _advance(meta, head, holds, folder)
            except _Left:
                left = True

        written = update_metadata_locked(folder / METADATA_NAME, folder, advance)
        if left:
            raise _Left
        if self.unfiled is not None and self.unfiled[0] <= head[0]:
            self.unfiled = None
        return written


def _advance(meta: VaultMetadata, head: Head, holds: Callable[[Head], bool], folder: Path) -> None:
    current_format = meta.format_version > LEGACY_FORMAT
    try:
        recorded = meta.recorded_audit_head()
    except ValueError:
        if current_format:
            raise _Left from None  # mangled: left for verification to report
        recorded = None  # an old vault's mangled record is replaced by a true one
    if recorded is None and current_format:
        raise _Left  # removed: such a vault.json always had one
    logged: Head | None = None
    if current_format and meta.audit_head_log is not None:
        try:
            logged = head_log.read_all(head_log.log_path(folder), meta.vault_id).head
        except (OSError, head_log.HeadLogDamaged):
            raise _Left from None  # removed or damaged: left for verification to report
    _check_older(head, (recorded, logged), holds)
    if current_format and meta.audit_head_log is None and head_log.fits(head):
        # From now on views append here; vault.json says so after the file exists.
        head_log.start(head_log.log_path(folder), meta.vault_id, head)
        meta.audit_head_log = head_log.LOG_FORMAT
    meta.advance_audit_head(*head)


def _metadata_head(meta: VaultMetadata) -> Head | None:
    try:
        recorded = meta.recorded_audit_head()
    except ValueError:
        raise _Left from None  # mangled: left for verification to report
    if recorded is None:
        raise _Left  # removed: such a vault.json always had one
    return recorded


def _check_older(
    head: Head, recorded: tuple[Head | None, ...], holds: Callable[[Head], bool]
) -> None:
    """Refuse to move past the newest recorded head if the trail no longer has it (with
    that hash). The older one needs no look: the chain's hashes tie it to the newest,
    and a broken chain is what verification reports."""
    newest = max((h for h in recorded if h is not None), default=None)
    if newest is not None and newest[0] < head[0] and not holds(newest):
        raise _Left


def read_recorded_head(folder: Path) -> tuple[Head | None, bool]:
    """The head recorded now (the newer of vault.json's and audit-head.log's), and
    whether one must be recorded: for a walk of the trail to compare its end with.

    Read it before the walk begins (``UnlockedVault.verify_audit`` says why); an
    unreadable record is :class:`VaultDamaged`.

    A vault of the current format always has one: its head is written with vault.json
    when the vault is made (or upgraded) and after every commit, and it never goes away.
    So a vault.json of that format without a head was edited by someone, perhaps to hide
    a removal of the newest entries (an old-format vault may never have had one); that
    is returned as no head, for the walk to report. Likewise audit-head.log, once
    vault.json says the vault has one, is never removed, emptied or cut: such a file is
    :class:`VaultDamaged`.
    """
    with _metadata_lock_if_possible(folder):
        meta = read_metadata(folder / METADATA_NAME, folder)
        required = meta.format_version > LEGACY_FORMAT
        try:
            recorded = meta.recorded_audit_head()
        except ValueError:
            raise VaultDamaged(
                "vault.json's record of the audit trail's newest entry (audit_head) is "
                "unreadable, so removed entries cannot be ruled out. Keep the vault as it "
                "is (it is evidence) and compare it with your latest backup.",
                code="audit.head_unreadable",
            ) from None
        if not required or recorded is None:
            return recorded, required
        logged = _read_log(folder, meta)
    if logged is not None and logged[0] > recorded[0]:
        return logged, required
    return recorded, required


def _read_log(folder: Path, meta: VaultMetadata) -> Head | None:
    path = head_log.log_path(folder)
    try:
        return head_log.read_all(path, meta.vault_id).head
    except FileNotFoundError:
        if meta.audit_head_log is None:
            return None  # never had one (or vault.json was not told yet)
        why = "it was removed"
    except head_log.HeadLogDamaged as exc:
        why = exc.why
    except OSError as exc:
        why = f"it cannot be read ({type(exc).__name__})"
    raise VaultDamaged(
        f"{head_log.LOG_NAME}, which records the audit trail's newest entries after views, "
        f"is damaged ({why}), so removed entries cannot be ruled out. Keep the vault as it "
        "is (it is evidence) and compare it with your latest backup.",
        code="audit.head_unreadable",
    )


@contextlib.contextmanager
def _metadata_lock_if_possible(folder: Path) -> Iterator[None]:
    """The metadata lock, so that no append is seen half made; a read-only folder (a
    copy on a read-only disk) has no writer to wait for."""
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(OSError):
            stack.enter_context(metadata_lock(folder))
        yield
