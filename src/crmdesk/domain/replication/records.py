"""A client as replication records and back: the rows and fields the merge rules
(:mod:`.merge`) converge, made from the client JSON of :mod:`crmdesk.domain.json_codec`.

A client is one record of table ``client`` (row: the client's uid) and one record per
child (contact, purchase, ...; row: ``<client uid>/<child uid>``), each field one column,
so that two devices editing different fields of one client, or adding different children,
both keep their edit. A child's place in its list is a column too (:data:`POSITION`).

Rules kept here, and why:

* The primaries ``email``, ``phone`` and ``address`` are not replicated: they are the
  first entry of their list, and two columns for one fact could be merged apart (one
  device's list winning, another's primary), which the JSON decoder refuses. They are
  made again from the lists.
* Whether a column is value-added is decided by :mod:`crmdesk.domain.classification`,
  the one place that decides; a field it does not know stops :func:`flatten`, so a new
  field must be classified before it travels. A child's position is value-added in the
  tables whose every field is (purchases, pricing...): a laptop without the book then
  holds no record of them at all, not even how many there are.
* Local keys (ids, version, timestamps, computed patterns and coverage) never travel.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from crmdesk.domain.classification import FIELDS, VALUE_ADDED, classify
from crmdesk.domain.entities import (
    Client,
    Contact,
    Interaction,
    Preference,
    PricingAgreement,
    Purchase,
    SeasonalNeed,
    Specification,
    Task,
)
from crmdesk.domain.json_encoder import client_body
from crmdesk.domain.replication.errors import ReplicationError

CLIENT = "client"
# The child list key in client JSON -> its replication table (the classification's
# prefix of that child's fields).
CHILD_TABLES: dict[str, str] = {
    "contacts": "contact",
    "purchases": "purchase",
    "pricing": "pricing",
    "preferences": "preference",
    "seasonal_needs": "seasonal_need",
    "specifications": "specification",
    "interactions": "interaction",
    "tasks": "task",
}
POSITION = "pos"  # a child's column holding its place in its list (an int)
LOCAL_KEYS: tuple[str, ...] = ("id", "version", "created_at", "updated_at", "patterns", "coverage")

RecordKey = tuple[str, str]  # (table, row)
Records = dict[RecordKey, dict[str, Any]]  # record -> {column: JSON-able value}

# Keys of client JSON that repeat the first entry of a list: made again, never replicated.
_PRIMARIES: dict[str, dict[str, str]] = {
    CLIENT: {"email": "emails", "phone": "phones", "address": "addresses"},
    "contact": {"email": "emails", "phone": "phones"},
}
_TABLE_ORDER: dict[str, int] = {
    table: rank for rank, table in enumerate((CLIENT, *CHILD_TABLES.values()))
}
# How many times a uid maker may give a uid already in use before it is refused.
_UID_TRIES = 100


def _json_defaults() -> dict[str, dict[str, Any]]:
    """Each table's JSON object with every key at its empty default, in the encoder's key
    order: the encoder, not a second list here, says what the keys are."""
    empty = Client(
        name="",
        contacts=[Contact(name="")],
        purchases=[Purchase(date=None)],  # type: ignore[arg-type]
        pricing=[PricingAgreement(product="")],
        preferences=[Preference(topic="")],
        seasonal_needs=[SeasonalNeed(months=(), need="")],
        specifications=[Specification(item="")],
        interactions=[Interaction(date=None, kind="")],  # type: ignore[arg-type]
        tasks=[Task(due=None, title="")],  # type: ignore[arg-type]
    )
    body = client_body(empty)
    out = {CLIENT: {k: v for k, v in body.items() if k not in CHILD_TABLES}}
    for key, table in CHILD_TABLES.items():
        out[table] = body[key][0]
    return out


_DEFAULTS: dict[str, dict[str, Any]] = _json_defaults()


def _wholly_value_added(table: str) -> bool:
    return all(
        info.field_class is VALUE_ADDED
        for path, info in FIELDS.items()
        if path.startswith(f"{table}.") and path != f"{table}.id"
    )


_POSITION_VALUE_ADDED: dict[str, bool] = {t: _wholly_value_added(t) for t in CHILD_TABLES.values()}


# -- rows ------------------------------------------------------------------------------


def child_row(client_uid: str, child_uid: str) -> str:
    """The row of a client's child record: ``<client uid>/<child uid>``."""
    return f"{client_uid}/{child_uid}"


def client_of(row: str) -> str:
    """The client uid of a client's row or of one of its children's rows."""
    return row.split("/", 1)[0]


def _child_uid(row: str) -> str:
    return row.split("/", 1)[1] if "/" in row else ""


def _check_uid(uid: object, what: str) -> str:
    if not isinstance(uid, str) or not uid or (what == CLIENT and "/" in uid):
        raise ReplicationError(
            f"not a record id for a {what}: {str(uid)[:40]!r}", code="sync.bad_change", table=what
        )
    return uid


# -- classification --------------------------------------------------------------------


def is_value_added(table: str, column: str) -> bool:
    """Whether a column of a table is value-added information (its book's key seals it).

    Decided by :mod:`crmdesk.domain.classification`; a child's position follows its
    table (value-added where every field is). An unclassified column is refused.
    """
    if column == POSITION and table in _POSITION_VALUE_ADDED:
        return _POSITION_VALUE_ADDED[table]
    if table != CLIENT and table not in _POSITION_VALUE_ADDED:
        raise ReplicationError(
            f"not a replicated table: {table[:40]!r}", code="sync.bad_change", table=table
        )
    try:
        return classify(f"{table}.{column}") is VALUE_ADDED
    except ValueError:
        raise ReplicationError(
            f"the field {table}.{column} has no classification (basic or value-added); "
            "classify it before it is replicated",
            code="sync.bad_change",
            table=table,
        ) from None


def basic_only(records: Mapping[RecordKey, Mapping[str, Any]]) -> Records:
    """The records without their value-added columns, as a laptop without the client's
    book holds them; a record left with no column (a purchase...) is left out."""
    out: Records = {}
    for (table, row), columns in records.items():
        kept = {c: copy.deepcopy(v) for c, v in columns.items() if not is_value_added(table, c)}
        if kept:
            out[(table, row)] = kept
    return out


# -- client JSON -> records ------------------------------------------------------------


def _canonical(value: Any) -> str:
    """A value's JSON text: equal texts, equal values (True is not 1, 1.0 is not 1)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _items(client_json: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    items = client_json.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ReplicationError(
            f"the client's {key} is not a list of objects",
            code="sync.bad_change",
            table=CHILD_TABLES[key],
        )
    return items


def _columns(table: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """One JSON object as columns: nested objects as dotted columns, lists as one."""
    primaries = _PRIMARIES.get(table, {})
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if table == CLIENT and (key in CHILD_TABLES or key in LOCAL_KEYS):
            continue
        if key in primaries:
            listed = obj.get(primaries[key])
            first = listed[0] if isinstance(listed, list) and listed else None
            if _canonical(value) != _canonical(first):
                # Dropping it would lose it: only a primary its list repeats may go.
                raise ReplicationError(
                    f"the {table}'s {key} is not the first of its {primaries[key]}",
                    code="sync.bad_change",
                    table=table,
                )
            continue
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                out[f"{key}.{sub}"] = copy.deepcopy(sub_value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _checked(table: str, columns: dict[str, Any]) -> dict[str, Any]:
    for column, value in columns.items():
        is_value_added(table, column)  # refuses an unclassified field
        try:
            _canonical(value)
        except (TypeError, ValueError):
            raise ReplicationError(
                f"the field {table}.{column} holds a value JSON cannot carry",
                code="sync.bad_change",
                table=table,
            ) from None
    return columns


def flatten(client_uid: str, client_json: dict, uids: Mapping[str, Sequence[str]]) -> Records:
    """The client's records: ``(CLIENT, client_uid)`` with its top-level fields, and
    ``(table, child_row(client_uid, uid))`` per child with its fields and position.

    ``uids`` gives each child list's uids in order (see :func:`assign_uids`). Values are
    copies, JSON-able; every column is classified or the client is refused.
    """
    _check_uid(client_uid, CLIENT)
    records: Records = {(CLIENT, client_uid): _checked(CLIENT, _columns(CLIENT, client_json))}
    for key, table in CHILD_TABLES.items():
        items = _items(client_json, key)
        row_uids = list(uids.get(key, ()))
        if len(row_uids) != len(items) or len(set(row_uids)) != len(row_uids):
            raise ReplicationError(
                f"the client's {key} need one distinct uid each "
                f"({len(items)} of them, {len(set(row_uids))} distinct uids given)",
                code="sync.bad_change",
                table=table,
            )
        for position, (item, uid) in enumerate(zip(items, row_uids, strict=True)):
            columns = _columns(table, item)
            columns[POSITION] = position
            records[(table, child_row(client_uid, _check_uid(uid, table)))] = _checked(
                table, columns
            )
    return records


# -- records -> client JSON ------------------------------------------------------------


def _position(columns: Mapping[str, Any]) -> int:
    pos = columns.get(POSITION)
    # A record whose position has not arrived goes last, not first.
    return pos if isinstance(pos, int) and not isinstance(pos, bool) else 2**62


def _rebuild(table: str, columns: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON object from columns: missing keys at their defaults; columns this version
    does not know (written by a newer one) are left out, so the client still decodes."""
    out = copy.deepcopy(_DEFAULTS[table])
    primaries = _PRIMARIES.get(table, {})
    for column, value in columns.items():
        head, dot, sub = column.partition(".")
        if dot:
            if isinstance(out.get(head), dict) and sub in out[head]:
                out[head][sub] = copy.deepcopy(value)
        elif column in out and column not in primaries:
            out[column] = copy.deepcopy(value)
    for primary, listed in primaries.items():
        values = out.get(listed)
        out[primary] = copy.deepcopy(values[0]) if isinstance(values, list) and values else None
    return out


def unflatten(client_uid: str, records: Mapping[RecordKey, Mapping[str, Any]]) -> dict:
    """The client JSON (for ``client_from_json``) that the client's records say.

    Children come in POSITION order (then row); a missing column is its JSON default;
    records of other clients are ignored; a child with no column but its position (a
    record whose fields were withheld or have not arrived) is left out. Records holding
    only basic columns give the client with its value-added fields empty.
    """
    own = records.get((CLIENT, client_uid))
    if own is None:
        raise ReplicationError(
            "the client has no record here (deleted, or not received yet)",
            code="sync.no_record",
            table=CLIENT,
        )
    out = _rebuild(CLIENT, own)
    found: dict[str, list[tuple[int, str, Mapping[str, Any]]]] = {
        t: [] for t in CHILD_TABLES.values()
    }
    for (table, row), columns in records.items():
        if table not in found or "/" not in row or client_of(row) != client_uid:
            continue
        if any(column != POSITION for column in columns):
            found[table].append((_position(columns), row, columns))
    for key, table in CHILD_TABLES.items():
        ordered = sorted(found[table], key=lambda entry: (entry[0], entry[1]))
        out[key] = [_rebuild(table, columns) for _, _, columns in ordered]
    return out


# -- identities ------------------------------------------------------------------------


def _previous_children(
    previous: Mapping[RecordKey, Mapping[str, Any]], client_uid: str, table: str
) -> list[tuple[str, Mapping[str, Any]]]:
    """The client's previous records of a table as (uid, columns), in POSITION order."""
    found = [
        (_position(columns), _child_uid(row), columns)
        for (t, row), columns in previous.items()
        if t == table and "/" in row and client_of(row) == client_uid
    ]
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [(uid, columns) for _, uid, columns in found]


def _full(table: str, columns: Mapping[str, Any]) -> dict[str, str]:
    """What a record says, but its position, each column as JSON text: a missing column
    counts as its default, as :func:`unflatten` reads it (a laptop without the book
    holds no value-added column)."""
    full = _columns(table, _DEFAULTS[table])
    full.update((c, v) for c, v in columns.items() if c != POSITION)
    return {c: _canonical(v) for c, v in full.items()}


def _content(full: Mapping[str, str]) -> str:
    return _canonical(sorted(full.items()))


def _alike(one: Mapping[str, str], other: Mapping[str, str]) -> int:
    """How many columns two records share the value of."""
    return sum(1 for c, v in one.items() if other.get(c) == v)


def _fresh(new_uid: Callable[[], str], taken: set[str], table: str) -> str:
    for _ in range(_UID_TRIES):
        uid = new_uid()
        if uid not in taken:
            taken.add(uid)
            return _check_uid(uid, table)
    raise ReplicationError(
        f"no unused record id after {_UID_TRIES} tries", code="sync.bad_change", table=table
    )


def _match(
    table: str,
    items: Sequence[Mapping[str, Any]],
    previous: list[tuple[str, Mapping[str, Any]]],
    by_local_id: Sequence[str | None],
) -> list[str | None]:
    """Each item's previous record, for one table of one client; None for a new item.

    ``previous`` is in previous position order; ``by_local_id`` the uids the items' local
    ids name (None where they name none)."""
    place = {uid: n for n, (uid, _) in enumerate(previous)}
    free = {uid: _full(table, columns) for uid, columns in previous}
    given: list[str | None] = [None] * len(items)
    for i, uid in enumerate(by_local_id):
        if uid is not None and uid in free:
            given[i] = uid
            del free[uid]

    def nearest(uid: str, i: int) -> tuple[int, int]:
        return (abs(place[uid] - i), place[uid])

    by_content: dict[str, list[str]] = {}
    for uid, full in free.items():
        by_content.setdefault(_content(full), []).append(uid)
    items_full = [_full(table, _columns(table, item)) for item in items]
    for i, full in enumerate(items_full):
        same = by_content.get(_content(full))
        if given[i] is None and same:
            # Of equal records, the one nearest the item's place: equal items keep theirs.
            given[i] = min(same, key=lambda u, i=i: nearest(u, i))
            same.remove(given[i])
            del free[given[i]]

    # Edited items: each takes the unmatched previous record it shares the most columns
    # with, the nearest its place among equals (an edit in place keeps its uid, and an
    # edit beside a removal is not taken for the removed record).
    for i, full in enumerate(items_full):
        if given[i] is None and free:
            best = min(free, key=lambda u, i=i, f=full: (-_alike(f, free[u]), *nearest(u, i)))
            given[i] = best
            del free[best]
    return given


def assign_uids(
    previous: Mapping[RecordKey, Mapping[str, Any]],
    client_uid: str,
    client_json: dict,
    local_ids: Mapping[str, Sequence[int | None]] | None = None,
    previous_local_ids: Mapping[str, Mapping[int, str]] | None = None,
    new_uid: Callable[[], str] = lambda: uuid.uuid4().hex,
) -> dict[str, list[str]]:
    """For each child list key, a uid per item of ``client_json[key]``, in order.

    An item keeps the uid of the previous record it is: first by its local id
    (``previous_local_ids[key][local id]``, for lists whose rows keep their ids across
    saves), then by equal content (every column but the position; of several equal
    records, the nearest the item's place), then, for the items still unmatched in list
    order, the unmatched previous record sharing the most columns with it, the nearest
    its place among equals (an edit in place keeps its uid); the rest get ``new_uid()``,
    never one the client's previous records or other items use. Deterministic for a
    given ``new_uid`` sequence; never gives one uid to two items.
    """
    _check_uid(client_uid, CLIENT)
    taken = {
        _child_uid(row) for (_, row) in previous if "/" in row and client_of(row) == client_uid
    }
    result: dict[str, list[str]] = {}
    for key, table in CHILD_TABLES.items():
        items = _items(client_json, key)
        ids = (local_ids or {}).get(key)
        known = (previous_local_ids or {}).get(key) or {}
        if ids is not None and len(ids) != len(items):
            raise ReplicationError(
                f"{len(ids)} local ids for {len(items)} {key}", code="sync.bad_change", table=table
            )
        by_local_id = [known.get(i) if i is not None else None for i in ids or ()]
        given = _match(table, items, _previous_children(previous, client_uid, table), by_local_id)
        result[key] = [uid if uid is not None else _fresh(new_uid, taken, table) for uid in given]
    return result


# -- differences -----------------------------------------------------------------------


def _order(key: RecordKey) -> tuple[int, str, str]:
    return (_TABLE_ORDER.get(key[0], len(_TABLE_ORDER)), key[0], key[1])


def diff(
    old: Mapping[RecordKey, Mapping[str, Any]], new: Mapping[RecordKey, Mapping[str, Any]]
) -> tuple[list[RecordKey], list[tuple[str, str, str, Any]], list[RecordKey]]:
    """What turns ``old`` into ``new``: (records created, (table, row, column, value) of
    every field changed or new, created records' fields included; records deleted).

    A column ``new`` lacks is not a change: records may hold only the columns a device
    can read. Sorted: the client before its children, then by table and row.
    """
    created = sorted((k for k in new if k not in old), key=_order)
    deleted = sorted((k for k in old if k not in new), key=_order)
    changed: list[tuple[str, str, str, Any]] = []
    for key in sorted(new, key=_order):
        before = old.get(key, {})
        for column in sorted(new[key]):
            value = new[key][column]
            if column not in before or _canonical(before[column]) != _canonical(value):
                changed.append((key[0], key[1], column, value))
    return created, changed, deleted
