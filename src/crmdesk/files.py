"""Writing files that hold secrets or evidence: private to the user, whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable by its owner only.

    The bytes go to a temporary file beside it (``mkstemp`` creates it with mode 0600),
    are flushed to disk, and then take the file's place in one rename, so a crash leaves
    the old or the new file whole, and never one others can read.
    """
    with PrivateFile(path) as private:
        with private.open("wb") as fh:
            fh.write(data)
        private.put_in_place()
    fsync_dir(path.parent)


class PrivateFile:
    """A new file for ``path``, written beside it, that takes its place only when told.

    ``mkstemp`` creates the temporary file with mode 0600: readable by its owner only,
    from the first byte. Use it in a ``with``: write through :meth:`open` (flushed to
    disk when closed), then :meth:`put_in_place` (one rename: ``path`` is whole or not
    there). Leaving the ``with`` by an error removes what was written, even a file put
    in place already (so that it can be put in place inside a transaction, and be gone
    if that fails); leaving it without putting the file in place removes it too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._fd: int | None = fd
        self.temporary = Path(name)
        self.placed = False

    def __enter__(self) -> PrivateFile:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None or not self.placed:
            self.discard()

    @contextlib.contextmanager
    def open(self, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
        """The temporary file, open for writing once; on disk when the ``with`` ends."""
        fd, self._fd = self._fd, None
        if fd is None:
            raise ValueError("a private file is written once")
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())

    def put_in_place(self) -> None:
        os.replace(self.temporary, self.path)
        self.placed = True

    def sync_folder(self) -> None:
        """Make the rename itself durable."""
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        """Remove what was written (the file in place, if it got there)."""
        # The error that brought us here matters more than one while cleaning up.
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            (self.path if self.placed else self.temporary).unlink(missing_ok=True)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
