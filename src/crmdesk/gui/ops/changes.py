"""The one change notice: which clients a write changed.

Every write that goes through :class:`~crmdesk.gui.ops.background.ChangeOp` announces a
:class:`ClientChanges` on the window's :class:`ChangeNotices`. The client list, the
editor and the day views each listen and refresh what the change touched (as Anki's
``OpChanges`` and ``operation_did_execute``); none of them calls another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True, slots=True)
class ClientChanges:
    """What a write changed. ``everything``: many clients at once (demo data, an import,
    offboarding), too many to name. ``origin`` is whoever made the change, so that it
    need not reload what it has just shown."""

    updated: frozenset[int] = frozenset()
    added: frozenset[int] = frozenset()
    deleted: frozenset[int] = frozenset()
    everything: bool = False
    origin: object | None = None

    @classmethod
    def of(
        cls,
        *,
        updated: Iterable[int] = (),
        added: Iterable[int] = (),
        deleted: Iterable[int] = (),
        origin: object | None = None,
    ) -> ClientChanges:
        return cls(frozenset(updated), frozenset(added), frozenset(deleted), False, origin)

    @classmethod
    def all_clients(cls, origin: object | None = None) -> ClientChanges:
        return cls(everything=True, origin=origin)

    def touches(self, client_id: int | None) -> bool:
        """Whether this client may have changed (or gone)."""
        if client_id is None:
            return False
        return self.everything or client_id in self.updated | self.added | self.deleted


class ChangeNotices(QObject):
    """Where a window's changes are announced (one per main window)."""

    clients_changed = Signal(object)  # a ClientChanges

    def announce(self, changes: ClientChanges) -> None:
        self.clients_changed.emit(changes)


__all__ = ["ChangeNotices", "ClientChanges"]
