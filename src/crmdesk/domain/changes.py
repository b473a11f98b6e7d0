"""What a new record holds and what an edit changed, as the audit trail records them."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from .classification import FIELDS, NESTED_PREFIXES, FieldClass, redact_value_added
from .entities import Client
from .json_codec import client_to_json
from .need_to_know import shown_value_added

# Every field a person edits: the dataclass's own list, so a new field is never missed.
EDITABLE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Client) if f.name not in {"id", "version", "created_at", "updated_at"}
)


def filled_fields(client: Client) -> list[str]:
    """The fields of a new record that hold something."""
    return [f for f in EDITABLE_FIELDS if getattr(client, f)]


def changed_fields(old: Client, new: Client) -> list[str]:
    """The fields whose content an edit changed."""

    def strip_ids(value: Any) -> Any:
        # Child ids are storage details: a list rewritten with equal content is unchanged.
        if isinstance(value, list):
            return [strip_ids(v) for v in value]
        if hasattr(value, "__dataclass_fields__") and hasattr(value, "id"):
            return replace(value, id=None)
        return value

    return [f for f in EDITABLE_FIELDS if strip_ids(getattr(old, f)) != strip_ids(getattr(new, f))]


def value_added_sections(client: Client) -> list[str]:
    """The parts of a record whose value-added information a view showed."""
    full = client_to_json(client)
    return shown_value_added(full, redact_value_added(full))


def value_added_changes(old: Client, new: Client, fields: list[str]) -> dict[str, Any]:
    """Old and new values of the value-added information an edit changed.

    Kept in the audit trail (inside the encrypted vault) so that deliberate damage by
    someone leaving can be seen and undone. Lists record the entries removed and added.
    """
    before, after = client_to_json(old), client_to_json(new)
    changes: dict[str, Any] = {}
    for name in fields:
        path = f"client.{name}"
        holds_value_added = FIELDS[path].field_class is FieldClass.VALUE_ADDED or (
            path in NESTED_PREFIXES and _has_value_added_children(NESTED_PREFIXES[path])
        )
        if not holds_value_added:
            continue
        a, b = before.get(name), after.get(name)
        if isinstance(a, list) and isinstance(b, list):
            changes[name] = {
                "removed": [x for x in a if x not in b],
                "added": [x for x in b if x not in a],
            }
        else:
            changes[name] = {"old": a, "new": b}
    return {"value_added_changes": changes} if changes else {}


def _has_value_added_children(prefix: str) -> bool:
    return any(
        p.startswith(prefix + ".") and info.field_class is FieldClass.VALUE_ADDED
        for p, info in FIELDS.items()
    )
