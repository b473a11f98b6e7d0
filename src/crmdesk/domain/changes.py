"""What a new record holds and what an edit changed, as the audit trail records them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

from .classification import FIELDS, NESTED_PREFIXES, FieldClass, classify
from .entities import Client
from .json_codec import client_to_json

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
    """The parts of a record whose value-added information a view showed: the top-level
    keys of its JSON whose value-added content is not blank (empty profiles, notes and
    lists do not count).

    Every recorded view asks this, so it reads the record itself, field by field as the
    classification table says, instead of encoding it to JSON and redacting a copy. The
    answer is the same as :func:`shown_value_added` gives for ``client_to_json`` and its
    redaction; the tests hold the two together.
    """
    return sorted(name for name, shown in _shown_fields(client) if shown)


def _shown_fields(client: Client) -> Iterator[tuple[str, bool]]:
    for name, va, child in _plan(Client, "client"):
        value = getattr(client, name)
        if va:
            yield name, not _blank(value)
        elif child is not None:
            yield name, any(_holds_value_added(v, child) for v in _children(value))


def _holds_value_added(obj: object, prefix: str) -> bool:
    """Whether a child record (a contact, an interaction) has a value-added value."""
    if not is_dataclass(obj):
        return False
    for name, va, child in _plan(type(obj), prefix):
        value = getattr(obj, name)
        if va and not _blank(value):
            return True
        if (
            not va
            and child is not None
            and any(_holds_value_added(v, child) for v in _children(value))
        ):
            return True
    return False


def _children(value: object) -> tuple[object, ...] | list[object]:
    if isinstance(value, list | tuple):
        return value
    return (value,)


def _blank(value: object) -> bool:
    """Blank as a reader of the JSON sees it: None, "", an empty list, or an object whose
    every value is blank (an untouched personal profile). Anything else shows something,
    a 0 or a False included."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, list | tuple):
        return not value
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    if is_dataclass(value):
        # Child ids are storage details, never in the JSON.
        return all(_blank(getattr(value, f.name)) for f in fields(value) if f.name != "id")
    return False


# (entity type, prefix) -> each classified field: its name, whether it is value-added,
# and the prefix of the records it holds (None for a plain value).
_PLANS: dict[tuple[type, str], tuple[tuple[str, bool, str | None], ...]] = {}


def _plan(kind: type, prefix: str) -> tuple[tuple[str, bool, str | None], ...]:
    plan = _PLANS.get((kind, prefix))
    if plan is None:
        rows = []
        for f in fields(kind):
            if f.name == "id" and prefix != "client":
                continue  # a child's id: a storage detail, never shown
            path = f"{prefix}.{f.name}"
            # classify() raises on a field nobody classified: a view of it is not missed.
            va = classify(path) is FieldClass.VALUE_ADDED
            rows.append((f.name, va, NESTED_PREFIXES.get(path)))
        plan = _PLANS[(kind, prefix)] = tuple(rows)
    return plan


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
