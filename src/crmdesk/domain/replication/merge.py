"""The one state every device arrives at, whatever order changes come in and however
often: a pure function of the set of changes received.

* A record's life is the longest causal length among its changes: odd, it exists; even,
  it is deleted. A deletion therefore beats every edit made in the life it ended, on
  every device, whichever arrived first.
* A field's value is that of its highest-stamped change in the record's current life
  (last writer wins; a change made after another was seen is always stamped higher).
* A conflict is a change a person lost without knowing it: a version of a field that
  the winning version did not replace knowingly (it is not among the winner's ``base``
  ancestors) and that no change in the winner's line settled (``resolves``); or an edit
  that a deletion did not know of. Every device lists the same conflicts once it has the
  same changes.

:class:`Replica` keeps the changes in memory: the rules' reference, which the property
tests run; the vault applies the same rules to its tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.replication.changes import ROW, Change
from crmdesk.domain.replication.clock import HybridClock, Stamp
from crmdesk.domain.replication.errors import ReplicationError

Cell = tuple[str, str, str]  # table, row, column
RowKey = tuple[str, str]  # table, row


@dataclass(frozen=True, slots=True)
class Conflict:
    """Versions lost without their writers knowing: ``kept`` is what every device shows
    (for a deleted record: the deletion), ``lost`` the versions to show a person."""

    table: str
    row: str
    column: str
    kept: Change
    lost: tuple[Change, ...]


class Replica:
    """A set of changes and the state they decide."""

    def __init__(self) -> None:
        self._changes: dict[Stamp, Change] = {}
        self._cells: dict[Cell, dict[Stamp, Change]] = {}
        self._lives: dict[RowKey, dict[Stamp, Change]] = {}
        # Per record, the same cells by column, and its longest causal length: what
        # the state is read from, without a pass over every cell of every record.
        self._columns: dict[RowKey, dict[str, dict[Stamp, Change]]] = {}
        self._longest: dict[RowKey, int] = {}

    # -- receiving -----------------------------------------------------------------------

    def apply(self, change: Change) -> bool:
        """Take a change in; False when it was already here (a file delivered twice)."""
        held = self._changes.get(change.stamp)
        if held is not None:
            if held != change:
                # One stamp, two contents: a device reused a stamp, or a file was forged.
                raise ReplicationError(
                    f"two different changes carry the stamp {change.stamp.encode()}",
                    code="sync.duplicate_stamp",
                    device=change.stamp.device,
                )
            return False
        self._changes[change.stamp] = change
        key = (change.table, change.row)
        if change.is_life:
            self._lives.setdefault(key, {})[change.stamp] = change
        else:
            cell = self._cells.setdefault((*key, change.column), {})
            cell[change.stamp] = change
            self._columns.setdefault(key, {})[change.column] = cell
            # A field change also proves the record lived that long.
            self._lives.setdefault(key, {})
        self._longest[key] = max(self._longest.get(key, 0), change.causal_length)
        return True

    def apply_all(self, changes: Iterable[Change]) -> int:
        return sum(self.apply(c) for c in changes)

    def __len__(self) -> int:
        return len(self._changes)

    def __contains__(self, stamp: Stamp) -> bool:
        return stamp in self._changes

    # -- the state -----------------------------------------------------------------------

    def life(self, table: str, row: str) -> int:
        """The record's causal length: 0 unknown, odd alive, even deleted."""
        return self._longest.get((table, row), 0)

    def created(self, table: str, row: str) -> bool:
        """Whether the change that made the record is here (fields of a record can arrive
        before it, from a device that saw it made)."""
        return bool(self._lives.get((table, row)))

    def winner(self, table: str, row: str, column: str) -> Change | None:
        life = self.life(table, row)
        if life % 2 == 0:
            return None
        found = [c for c in self._cells.get((table, row, column), {}).values()]
        current = [c for c in found if c.causal_length == life]
        return max(current, key=lambda c: c.stamp, default=None)

    def record(self, table: str, row: str) -> dict[str, Any] | None:
        """The record's fields as every device shows it; None when deleted or unknown."""
        life = self.life(table, row)
        if life % 2 == 0:
            return None
        fields: dict[str, Any] = {}
        for column, cell in self._columns.get((table, row), {}).items():
            current = [c for c in cell.values() if c.causal_length == life]
            if current:
                fields[column] = max(current, key=lambda c: c.stamp).value
        return fields

    def rows(self, table: str) -> list[str]:
        """The ids of the table's records that exist, sorted."""
        keys = {r for (t, r) in self._lives if t == table}
        return sorted(r for r in keys if self.life(table, r) % 2 == 1)

    def tables(self) -> list[str]:
        return sorted({t for (t, _) in self._lives})

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every existing record of every table: what two devices compare."""
        return {
            table: {row: self.record(table, row) or {} for row in self.rows(table)}
            for table in self.tables()
        }

    # -- conflicts -----------------------------------------------------------------------

    def conflicts(self) -> list[Conflict]:
        """Every conflict not settled yet, sorted by table, record and field."""
        found: list[Conflict] = []
        for table, row in sorted(self._lives):
            life = self.life(table, row)
            if life % 2 == 0:
                deleted = self._deletion_conflict(table, row, life)
                if deleted is not None:
                    found.append(deleted)
                continue
            columns = sorted(self._columns.get((table, row), {}))
            for column in columns:
                conflict = self._field_conflict(table, row, column, life)
                if conflict is not None:
                    found.append(conflict)
        return found

    def _field_conflict(self, table: str, row: str, column: str, life: int) -> Conflict | None:
        cell = self._cells[(table, row, column)]
        current = {s: c for s, c in cell.items() if c.causal_length == life}
        if len(current) < 2:
            return None
        kept = current[max(current)]
        line = _lineage(kept, cell)
        settled = {s for s in line for s in cell[s].resolves} | set(kept.resolves)
        losers = {s: c for s, c in current.items() if s not in line and s not in settled}
        losers.pop(kept.stamp, None)
        # Only the newest of each loser's own line: an earlier version its writer then
        # replaced themselves is not a separate loss.
        replaced = {a for c in losers.values() for a in _lineage(c, cell) if a != c.stamp}
        tips = tuple(sorted((c for s, c in losers.items() if s not in replaced), key=_by_stamp))
        return Conflict(table, row, column, kept, tips) if tips else None

    def _deletion_conflict(self, table: str, row: str, life: int) -> Conflict | None:
        deletions = [
            c for c in self._lives.get((table, row), {}).values() if c.causal_length == life
        ]
        if not deletions:
            return None  # a deletion known only from its effect cannot be shown
        kept = max(deletions, key=_by_stamp)
        bases = [d.base for d in deletions if d.base is not None]
        known = max(bases) if bases else None
        settled = {s for d in deletions for s in d.resolves}
        newest: dict[str, Change] = {}
        for column, cell in self._columns.get((table, row), {}).items():
            for change in cell.values():
                unseen = known is None or change.stamp > known
                lost = change.causal_length == life - 1 and unseen and change.stamp not in settled
                if lost and (column not in newest or change.stamp > newest[column].stamp):
                    newest[column] = change
        if not newest:
            return None
        lost = tuple(sorted(newest.values(), key=_by_stamp))
        return Conflict(table, row, ROW, kept, lost)

    # -- this device's own changes -------------------------------------------------------

    def create(self, clock: HybridClock, table: str, row: str | None = None) -> Change:
        """A new record (its id made here, unique across devices unless given)."""
        row = row or str(uuid.uuid4())
        if self.life(table, row):
            raise ReplicationError(
                "a record with this id exists already", code="sync.bad_change", table=table
            )
        return self._local(Change(table, row, ROW, None, 1, clock.tick()))

    def write(
        self,
        clock: HybridClock,
        table: str,
        row: str,
        column: str,
        value: Any,
        *,
        resolves: Iterable[Stamp] = (),
    ) -> Change:
        """Set one field; ``resolves``: conflicting versions a person settled by it."""
        life = self._alive(table, row)
        if column == ROW:
            raise ReplicationError("not a field", code="sync.bad_change", table=table)
        current = self.winner(table, row, column)
        return self._local(
            Change(
                table,
                row,
                column,
                value,
                life,
                clock.tick(),
                current.stamp if current else None,
                tuple(sorted(set(resolves))),
            )
        )

    def delete(self, clock: HybridClock, table: str, row: str) -> Change:
        life = self._alive(table, row)
        seen = [stamp for cell in self._columns.get((table, row), {}).values() for stamp in cell]
        return self._local(
            Change(table, row, ROW, None, life + 1, clock.tick(), max(seen, default=None))
        )

    def restore(
        self, clock: HybridClock, table: str, row: str, *, resolves: Iterable[Stamp] = ()
    ) -> Change:
        """Bring a deleted record back (its fields start empty: a new life)."""
        life = self.life(table, row)
        if life == 0 or life % 2 == 1:
            raise ReplicationError(
                "only a deleted record can be restored", code="sync.bad_change", table=table
            )
        return self._local(
            Change(table, row, ROW, None, life + 1, clock.tick(), None, tuple(sorted(resolves)))
        )

    def _alive(self, table: str, row: str) -> int:
        """The life of a record this device may change; refused when it does not exist."""
        life = self.life(table, row)
        if life % 2 == 0:
            raise ReplicationError(
                "the record does not exist (deleted, or not received yet)",
                code="sync.no_record",
                table=table,
            )
        return life

    def _local(self, change: Change) -> Change:
        self.apply(change)
        return change


def _by_stamp(change: Change) -> Stamp:
    return change.stamp


def _lineage(change: Change, cell: dict[Stamp, Change]) -> set[Stamp]:
    """The change and the versions it replaced knowingly, back as far as they are here."""
    line = {change.stamp}
    base = change.base
    while base is not None and base in cell and base not in line:
        line.add(base)
        base = cell[base].base
    return line
