"""Advisory locks between crmdesk processes that use the same vault folder.

Two small files in the vault folder carry them (both empty, mode 0600):

* ``.crmdesk.lock``, the *open lock*: every open vault holds it shared until it closes;
  a key rotation needs it exclusively, so it runs only when nobody else has the vault
  open, and nobody can open the vault while it runs.
* ``.vault.json.lock``, the *metadata lock*: held exclusively for the few milliseconds
  in which one process reads, changes and rewrites ``vault.json``, so that two
  processes never overwrite each other's fields.

Both are ``flock`` locks: they belong to an open file, not to a process, so two
:class:`~crmdesk.vault.Vault` objects in one process exclude each other like two
processes do, and the kernel drops them when a process dies, so a crash never leaves a
vault locked. Windows has no ``fcntl``: there the open lock is skipped (a key rotation
cannot see other windows reliably; SECURITY.md says so) and the metadata lock uses
``msvcrt.locking``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from crmdesk.errors import VaultInUse

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

OPEN_LOCK_NAME = ".crmdesk.lock"
METADATA_LOCK_NAME = ".vault.json.lock"
LOCK_FILES = (OPEN_LOCK_NAME, METADATA_LOCK_NAME)

# How long an open waits for a key rotation elsewhere to finish before it gives up.
OPEN_WAIT_SECONDS = 3.0
# How long a metadata write waits on Windows (msvcrt cannot block without a limit).
_WINDOWS_METADATA_WAIT_SECONDS = 30.0

ROTATION_RUNNING = (
    "crmdesk is changing this vault's key in another window or command. Wait until it "
    "has finished, then open the vault again."
)
OPEN_ELSEWHERE = (
    "crmdesk has this vault open elsewhere (another window or command). Close it there, "
    "then rotate the key."
)


def _open_lock_file(path: Path) -> int:
    # 0600: the file holds nothing, but nobody else needs to open it either.
    return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)


class OpenLock:
    """The shared lock an open vault holds; upgraded to exclusive for a key rotation."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, folder: Path, *, wait: float | None = None) -> OpenLock:
        """Take the shared lock; :class:`VaultInUse` while a key rotation holds it."""
        if wait is None:
            wait = OPEN_WAIT_SECONDS
        if fcntl is None:
            return cls(None)  # Windows: no flock; the rotation check is skipped there
        try:
            fd = _open_lock_file(folder / OPEN_LOCK_NAME)
        except OSError:
            # A read-only folder: nothing can rotate the key there either, so opening
            # without the lock loses nothing (SQLite reports what it cannot write).
            return cls(None)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return cls(fd)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise VaultInUse(ROTATION_RUNNING, code="vault.in_use.rotation") from None
                time.sleep(0.05)
            except BaseException:
                os.close(fd)
                raise

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_exclusive(self, folder: Path) -> bool:
        """Upgrade to the exclusive lock if nobody else holds the open lock.

        ``flock`` converts a lock by dropping it and taking the new one, so a failed
        upgrade may have lost the shared lock; it is taken back at once. The upgrade runs
        under the metadata lock, which every upgrade takes, so no other process can take
        the exclusive lock in that gap.
        """
        if fcntl is None or self._fd is None:
            return True  # no flock here: the check is skipped (see the module docstring)
        with metadata_lock(folder):
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                # Nobody else can hold it exclusively (see above): this does not wait.
                fcntl.flock(self._fd, fcntl.LOCK_SH)
                return False

    def downgrade(self, folder: Path) -> None:
        """Back to the shared lock after the rotation (under the metadata lock, as above)."""
        if fcntl is None or self._fd is None:
            return
        with metadata_lock(folder):
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        """Drop the lock; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the last descriptor releases the flock


@contextlib.contextmanager
def metadata_lock(folder: Path) -> Iterator[None]:
    """Exclusive, cross-process: held while ``vault.json`` is read, changed and replaced."""
    fd = _open_lock_file(folder / METADATA_LOCK_NAME)
    try:
        if fcntl is not None:
            # Blocking is safe: holders keep it only for one read and one atomic write,
            # never wait for anything else meanwhile, and the kernel frees it if one dies.
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            _windows_lock(fd)
        yield
    finally:
        if fcntl is None:  # pragma: no cover - Windows: unlock before close, as documented
            _windows_unlock(fd)
        os.close(fd)  # closing releases the flock


def _windows_lock(fd: int) -> None:  # pragma: no cover - exercised on Windows only
    import msvcrt

    deadline = time.monotonic() + _WINDOWS_METADATA_WAIT_SECONDS
    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise VaultInUse(
                    "Another crmdesk window or command is holding the vault's metadata file "
                    "and does not let go. Close the other crmdesk windows and try again.",
                    code="vault.in_use.metadata",
                ) from None
            time.sleep(0.01)


def _windows_unlock(fd: int) -> None:  # pragma: no cover - exercised on Windows only
    import msvcrt

    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
