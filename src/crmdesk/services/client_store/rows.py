"""Entities <-> rows: the columns of a client table are the fields of its dataclass.

A column has its field's name and the fields' order. Where a stored value differs
from the field's value, the field's type says how: a date as ISO text, a Decimal as
text (exact), a list of strings or of months as JSON, a flag as 0 or 1. A field holding
one dataclass (a contact's personal profile) is stored as that dataclass's columns.
What the types cannot tell (addresses kept as JSON on the client row, columns worked
out from a record such as money in cents) is spelled out in tables.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any

from crmdesk.domain import classify
from crmdesk.domain.classification import ENTITY_PREFIXES, FieldClass

Convert = Callable[[Any], Any]

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# What JSON escapes in a string when it keeps every other character as it is.
_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def to_json(values: Any) -> str:
    """Lists as stored: compact, and readable in any language (no \\u escapes).

    A list of strings none of which JSON would escape is joined directly: the same text
    as the encoder's, several times faster, and an import of 100,000 clients writes
    half a million such lists (emails, phones, tags of clients and contacts).
    """
    if type(values) is list:
        try:
            plain = "".join(values)  # a TypeError if one is not a string
        except TypeError:
            return _JSON.encode(values)
        if not values:
            return "[]"
        if not _ESCAPED.search(plain):
            return '["' + '","'.join(values) + '"]'
    return _JSON.encode(values)


def strings(text: str) -> list[str]:
    """A stored JSON list of strings (emails, phones, tags), read quickly.

    Without a backslash the strings hold no quote (it would be escaped), so splitting
    on '","' is exact; that is several times faster than json.loads, which matters at a
    million lists per 100,000 clients. Anything else goes to json.loads.
    """
    if text == "[]":
        return []
    if "\\" not in text and text.startswith('["') and text.endswith('"]'):
        return text[2:-2].split('","')
    return json.loads(text)  # type: ignore[no-any-return]


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def cents(amount: Decimal) -> int:
    """Money as whole cents, for sums and sorting inside SQL."""
    return int((amount * 100).to_integral_value())


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _months(text: str) -> tuple[int, ...]:
    return tuple(json.loads(text))


def codec(hint: Any) -> tuple[Convert | None, Convert | None]:
    """How a field of this type is written to and read from its column (None: as is)."""
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) and type(None) in args:
        (hint,) = (a for a in args if a is not type(None))  # optional: None stays NULL
        args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if hint is str or hint is int:
        return None, None
    if hint is bool:
        return int, bool
    if hint is dt.datetime:
        return iso, _datetime
    if hint is dt.date:
        return iso, date
    if hint is Decimal:
        return _text, _decimal
    if origin is list and args == (str,):
        return to_json, strings
    if origin is tuple and args == (int, ...):
        return to_json, _months
    raise TypeError(f"no column type for a field of type {hint!r}: say how in tables.py")


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    name: str
    path: str  # the attribute on the entity: "notes", "personal.hobbies"
    encode: Convert | None
    decode: Convert | None
    value_added: bool  # as domain/classification.py classifies the field
    # The stored value of the field's default: what a withheld value reads as.
    default: Any = None


def _stored_default(f: dataclasses.Field[Any], encode: Convert | None) -> Any:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return None
    return encode(value) if encode is not None and value is not None else value


class Shape:
    """How one dataclass maps to a row: its columns, in field order.

    ``skip`` names fields that are not columns of this row (the id, which the database
    assigns, and lists of children, which have tables of their own); ``codecs`` gives
    the (encode, decode) pair of a field whose type does not tell it.
    """

    def __init__(
        self,
        entity: type,
        *,
        skip: Sequence[str] = (),
        codecs: Mapping[str, tuple[Convert, Convert]] | None = None,
    ) -> None:
        self.entity = entity
        hints = typing.get_type_hints(entity)
        prefix = ENTITY_PREFIXES[entity]
        columns: list[Column] = []
        # The leading fields that are plain columns are passed by position (faster, and
        # a list of 100,000 clients builds a million entities); the others by name.
        self._leading = 0
        self._by_name: list[tuple[str, int]] = []
        # field name -> the nested dataclass and the slice of columns holding it
        self._nested: list[tuple[str, Shape, int, int]] = []
        positional = True
        for f in dataclasses.fields(entity):
            if f.name in skip:
                positional = False
                continue
            hint = hints[f.name]
            if dataclasses.is_dataclass(hint):
                positional = False
                inner = Shape(hint)  # type: ignore[arg-type]
                start = len(columns)
                columns += [
                    dataclasses.replace(c, path=f"{f.name}.{c.path}") for c in inner.columns
                ]
                self._nested.append((f.name, inner, start, len(columns)))
                continue
            encode, decode = (codecs or {}).get(f.name) or codec(hint)
            value_added = classify(f"{prefix}.{f.name}") is FieldClass.VALUE_ADDED
            if positional:
                self._leading += 1
            else:
                self._by_name.append((f.name, len(columns)))
            default = _stored_default(f, encode)
            columns.append(Column(f.name, f.name, encode, decode, value_added, default))
        self.columns: tuple[Column, ...] = tuple(columns)
        self.names: tuple[str, ...] = tuple(c.name for c in columns)
        paths = [c.path for c in columns]
        self._get = attrgetter(*paths)
        self._single = len(paths) == 1
        self._encoders = [(i, c.encode) for i, c in enumerate(columns) if c.encode]
        # A nested dataclass decodes its own columns (in its build).
        nested = {i for _, _, start, stop in self._nested for i in range(start, stop)}
        self._decoders = [
            (i, c.decode) for i, c in enumerate(columns) if c.decode and i not in nested
        ]

    def values(self, obj: Any) -> tuple[Any, ...]:
        """The column values of ``obj``, in column order."""
        got = self._get(obj)
        values = [got] if self._single else list(got)
        for i, encode in self._encoders:
            values[i] = encode(values[i])
        return tuple(values)

    def build(self, row: Sequence[Any], **more: Any) -> Any:
        """The entity from its column values in ``row``; ``more`` gives the fields that
        are not columns (its id, its children)."""
        if self._decoders:
            row = list(row)
            for i, decode in self._decoders:
                row[i] = decode(row[i])
        # ``more`` is this call's own dict: the other fields join it.
        for name, i in self._by_name:
            more[name] = row[i]
        for name, inner, start, stop in self._nested:
            more[name] = inner.build(row[start:stop])
        return self.entity(*row[: self._leading], **more)
