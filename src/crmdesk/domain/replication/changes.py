"""What a change is: one field of one record set to a value, or a record's life moved
on (created, deleted, restored), by one device at one stamp."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmdesk.domain.replication.clock import Stamp
from crmdesk.domain.replication.errors import ReplicationError

# The column name of a change to a record's life rather than to one of its fields.
ROW = "*"


@dataclass(frozen=True, slots=True)
class Change:
    """One change, as every device receives it.

    ``row`` is the record's id, made where the record was created and unique across
    devices (a UUID). ``causal_length`` counts the record's lives: 1 when created, even
    once deleted, odd again when restored; a field change carries the life it was made
    in, and the longest life wins, so a deletion beats edits made before it was seen.
    ``base`` is the version of this field (or, for a deletion, the newest version of any
    of the record's fields) that the device had when it made the change: what it
    replaced knowingly. ``resolves`` lists conflicting versions a person settled with it.
    """

    table: str
    row: str
    column: str
    value: Any
    causal_length: int
    stamp: Stamp
    base: Stamp | None = None
    resolves: tuple[Stamp, ...] = ()

    def __post_init__(self) -> None:
        if self.causal_length < 1:
            raise ReplicationError(
                "a change names a record life below 1",
                code="sync.bad_change",
                table=self.table,
            )
        if self.column != ROW and self.causal_length % 2 == 0:
            raise ReplicationError(
                "a field change was made in a deleted record's life",
                code="sync.bad_change",
                table=self.table,
            )
        if self.base is not None and self.base >= self.stamp:
            raise ReplicationError(
                "a change replaces a version newer than itself",
                code="sync.bad_change",
                table=self.table,
            )

    @property
    def is_life(self) -> bool:
        return self.column == ROW

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "cl": self.causal_length,
            "stamp": self.stamp.encode(),
        }
        if self.base is not None:
            data["base"] = self.base.encode()
        if self.resolves:
            data["resolves"] = [s.encode() for s in self.resolves]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        try:
            table, row, column = str(data["table"]), str(data["row"]), str(data["column"])
            cl = data["cl"]
            if not isinstance(cl, int) or isinstance(cl, bool):
                raise TypeError("cl")
            base = data.get("base")
            return cls(
                table,
                row,
                column,
                data.get("value"),
                cl,
                Stamp.decode(str(data["stamp"])),
                Stamp.decode(str(base)) if base is not None else None,
                tuple(Stamp.decode(str(s)) for s in data.get("resolves", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ReplicationError(
                f"a change is missing or garbles its {exc.args[0] if exc.args else 'fields'}",
                code="sync.bad_change",
                table=str(data.get("table", "")) if isinstance(data, dict) else "",
            ) from None
