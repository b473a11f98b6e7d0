"""Why a change file was refused, with a code and the facts (device, number, key)."""

from __future__ import annotations

from typing import Any


class FileRejected(ValueError):
    """A change file that is not what its place says it is. ``code``: ``sync.file_bad``
    (not a change file, cut short, malformed), ``sync.file_forged`` (the signature does
    not check out), ``sync.file_misplaced`` (signed, but for another place),
    ``sync.file_unreadable`` (a section for a key this reader holds does not open),
    ``sync.file_rewritten`` (a file already applied came back different),
    ``sync.file_out_of_line`` (it does not follow the device's previous file)."""

    def __init__(self, message: str, *, code: str, **facts: Any) -> None:
        self.message = message
        self.code = code
        self.facts: dict[str, Any] = dict(facts)
        super().__init__(message)


class SyncthingError(RuntimeError):
    """The local Syncthing could not be found, reached or configured. ``code``:
    ``syncthing.not_found``, ``syncthing.config_unreadable``, ``syncthing.unix_socket``,
    ``syncthing.unreachable``, ``syncthing.refused`` (its HTTP ``status`` in the facts)."""

    def __init__(self, message: str, *, code: str, **facts: Any) -> None:
        self.message = message
        self.code = code
        self.facts: dict[str, Any] = dict(facts)
        super().__init__(message)
