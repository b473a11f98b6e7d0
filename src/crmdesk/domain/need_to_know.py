"""Need to know: a client record as seen, and as saved, by someone limited to basics.

Someone who may see only basic contact information gets the record with every
value-added value withheld (:func:`redact_client`; :func:`classification.redact_value_added`
does the same for JSON). When they save, the values they never saw must survive:
:func:`merge_withheld` puts them back into their patch, and names every value-added
value the patch would change, so that the service can refuse it.

Child objects carry no ids in JSON, so a contact or interaction in the patch is matched
to the stored one by what identifies it (a contact's name; an interaction's date, kind
and contact), or else by position.
"""

from __future__ import annotations

import copy
from dataclasses import MISSING, fields, is_dataclass, replace
from typing import Any, TypeVar

from .classification import FIELDS, NESTED_PREFIXES, FieldClass
from .entities import Client

T = TypeVar("T")

_VA = FieldClass.VALUE_ADDED
_BLANKS: tuple[Any, ...] = (None, "", [], {})
# Identity of a child object, for matching a patch's list to the stored one.
_IDENTITY: dict[str, tuple[str, ...]] = {
    "contact": ("name",),
    "interaction": ("date", "kind", "contact"),
}


def _default(f: Any) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def _blank_dataclass(obj: T, prefix: str) -> T:
    changes: dict[str, Any] = {}
    for f in fields(obj):  # type: ignore[arg-type]
        path = f"{prefix}.{f.name}"
        info = FIELDS.get(path)
        if info is None:
            continue  # ids and timestamps are classified basic under their entity
        value = getattr(obj, f.name)
        if info.field_class is _VA:
            changes[f.name] = _default(f)
            continue
        child = NESTED_PREFIXES.get(path)
        if child is None:
            continue
        if isinstance(value, list):
            changes[f.name] = [_blank_dataclass(v, child) if is_dataclass(v) else v for v in value]
        elif is_dataclass(value):
            changes[f.name] = _blank_dataclass(value, child)
    return replace(obj, **changes)  # type: ignore[type-var]


def redact_client(client: Client) -> Client:
    """A copy of ``client`` with every value-added value set to its empty default."""
    return _blank_dataclass(client, "client")


def _is_blank(value: Any) -> bool:
    """None, "", [] or an object whose every value is blank (an untouched profile)."""
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return any(value == b and type(value) is type(b) for b in _BLANKS)


def merge_withheld(
    current: dict[str, Any], patch: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Restore withheld values into ``patch``; also return the value-added paths it changes.

    ``current`` is the stored record as JSON (``client_to_json``), ``patch`` what the
    limited person sends. A value-added value left blank means "unchanged"; anything
    else is a change they may not make. Removing a contact or interaction that holds
    value-added information is a change too.
    """
    out: dict[str, Any] = {}
    refused: list[str] = []
    for key, value in patch.items():
        path = f"client.{key}"
        info = FIELDS.get(path)
        if info is not None and info.field_class is _VA:
            if not _is_blank(value) and value != current.get(key):
                refused.append(key)
            continue  # unchanged: left out of the patch
        child = NESTED_PREFIXES.get(path)
        if child in _IDENTITY and isinstance(value, list):
            merged, problems = _merge_list(current.get(key) or [], value, child, key)
            out[key] = merged
            refused += problems
        else:
            out[key] = copy.deepcopy(value)
    return out, refused


def _hidden(item: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The value-added values of one stored child object that are not blank."""
    found = {}
    for key, value in item.items():
        info = FIELDS.get(f"{prefix}.{key}")
        if info is not None and info.field_class is _VA and not _is_blank(value):
            found[key] = value
    return found


def _identity(item: Any, prefix: str) -> tuple[Any, ...] | None:
    if not isinstance(item, dict):
        return None
    return tuple(
        str(item.get(k) or "").strip().casefold() if k != "date" else item.get(k)
        for k in _IDENTITY[prefix]
    )


def _matched(
    stored: list[dict[str, Any]], sent: list[Any], prefix: str
) -> tuple[dict[int, int], set[int]]:
    """Index in ``sent`` -> index in ``stored`` of the same child object, and the stored
    ones no sent object matches."""
    matched: dict[int, int] = {}
    free = set(range(len(stored)))
    by_identity: dict[tuple[Any, ...] | None, list[int]] = {}
    for i, item in enumerate(stored):
        by_identity.setdefault(_identity(item, prefix), []).append(i)
    for j, item in enumerate(sent):
        candidates = [i for i in by_identity.get(_identity(item, prefix), []) if i in free]
        if candidates:
            matched[j] = candidates[0]
            free.discard(candidates[0])
    for j in range(len(sent)):  # an edited identity: fall back to the same position
        if j not in matched and j in free:
            matched[j] = j
            free.discard(j)
    return matched, free


def keep_child_ids(stored: Client, changed: Client) -> Client:
    """``changed`` with each contact and interaction that came without an id (from JSON)
    given the id of the stored one it matches, as :func:`merge_withheld` matches them.

    The value-added parts of contacts and interactions are kept apart from their basic
    parts, by id: an edit of the basic parts by someone who cannot see the others keeps
    them attached.
    """
    kept: dict[str, list[Any]] = {}
    for field_name, prefix in (("contacts", "contact"), ("interactions", "interaction")):
        old, new = getattr(stored, field_name), getattr(changed, field_name)

        def identity(x: Any, prefix: str = prefix) -> dict[str, Any]:
            return {k: getattr(x, k) for k in _IDENTITY[prefix]}

        matched, _ = _matched([identity(x) for x in old], [identity(x) for x in new], prefix)
        kept[field_name] = [
            replace(x, id=old[matched[j]].id) if x.id is None and j in matched else x
            for j, x in enumerate(new)
        ]
    return replace(changed, **kept)


def _merge_list(
    stored: list[dict[str, Any]], sent: list[Any], prefix: str, key: str
) -> tuple[list[Any], list[str]]:
    matched, free = _matched(stored, sent, prefix)
    refused = [f"{key}[{i}]" for i in sorted(free) if _hidden(stored[i], prefix)]
    merged: list[Any] = []
    for j, item in enumerate(sent):
        if j not in matched or not isinstance(item, dict):
            merged.append(copy.deepcopy(item))  # new: they write what they know
            continue
        hidden = _hidden(stored[matched[j]], prefix)
        new = copy.deepcopy(item)
        for field_name, value in hidden.items():
            sent_value = item.get(field_name)
            if _is_blank(sent_value):
                new[field_name] = copy.deepcopy(value)
            elif sent_value != value:
                refused.append(f"{key}[{j}].{field_name}")
        merged.append(new)
    return merged, refused


def _content(value: Any) -> Any:
    """``value`` without its blank parts: what a reader actually sees."""
    if isinstance(value, dict):
        kept = {k: _content(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not _is_blank(v)}
    if isinstance(value, list):
        return [_content(v) for v in value]
    return value


def shown_value_added(full: dict[str, Any], withheld: dict[str, Any]) -> list[str]:
    """The top-level keys of a record whose value-added content a full view shows.

    ``full`` is ``client_to_json``, ``withheld`` the same through ``redact_value_added``;
    empty profiles, notes and lists do not count.
    """
    return sorted(
        key
        for key, value in full.items()
        if _content(value) != _content(withheld.get(key)) and not _is_blank(_content(value))
    )
