"""Reading JSON-like values into Python ones, collecting every problem with its JSON
path: the building blocks of the client decoder (:mod:`.json_decoder`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from .entities import MAX_NAME
from .errors import ValidationError, index_path, join_path
from .validation import (
    Collector,
    clean_text,
    describe_type,
    normalise_email,
    normalise_phone,
    parse_date,
    shown,
)

T = TypeVar("T")


class JsonReader:
    """Reads values of one JSON document, recording every problem in one Collector."""

    def __init__(self, default_region: str) -> None:
        self.c = Collector()
        self.region = default_region

    # -- building blocks

    def ok_since(self, count: int) -> bool:
        return len(self.c) == count

    def obj(
        self, value: object, path: str, allowed: tuple[str, ...], what: str
    ) -> dict[str, Any] | None:
        """Check ``value`` is an object with only ``allowed`` keys; unknown keys are errors."""
        if not isinstance(value, dict):
            self.c.add(path, f"expected {what} as an object, got {describe_type(value)}")
            return None
        for key in value:
            if not isinstance(key, str):
                self.c.add(path, f"keys must be strings, got {describe_type(key)}")
            elif key not in allowed:
                self.c.add(
                    join_path(path, key),
                    f"unknown key {shown(key)}; allowed keys are: {', '.join(allowed)}",
                )
        return value

    def items(
        self, value: object, path: str, parse_one: Callable[[object, str], T | None]
    ) -> list[T]:
        """Decode a list (null means empty), skipping entries that failed."""
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.c.add(path, f"expected a list, got {describe_type(value)}")
            return []
        parsed = (parse_one(v, index_path(path, i)) for i, v in enumerate(value))
        return [p for p in parsed if p is not None]

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        max_length: int = MAX_NAME,
        *,
        required: bool = False,
        multiline: bool = False,
    ) -> str:
        # Called straight, not through Collector.check: a client has dozens of texts.
        try:
            return clean_text(
                obj.get(key),
                join_path(path, key),
                max_length=max_length,
                required=required,
                multiline=multiline,
            )
        except ValidationError as err:
            self.c.extend(err.errors)
            return ""

    def choice(
        self, obj: dict[str, Any], key: str, path: str, choices: tuple[str, ...], default: str
    ) -> str:
        raw = obj.get(key)
        if raw is None and default:
            return default
        where = join_path(path, key)
        if raw is None:
            self.c.add(where, f"is required; one of: {', '.join(choices)}", "field.required")
            return default
        if isinstance(raw, str) and raw.strip().lower() in choices:
            return raw.strip().lower()
        got = shown(raw) if isinstance(raw, str) else describe_type(raw)
        self.c.add(where, f"must be one of: {', '.join(choices)} (got {got})")
        return default

    def date(self, obj: dict[str, Any], key: str, path: str, *, required: bool) -> dt.date | None:
        raw = obj.get(key)
        if raw is None or raw == "":
            if required:
                self.c.add(
                    join_path(path, key), "is required (a date, YYYY-MM-DD)", "field.required"
                )
            return None
        return self.c.check(parse_date, raw, join_path(path, key))

    def email(self, value: object, path: str) -> str | None:
        try:
            return normalise_email(value, path)
        except ValidationError as err:
            self.c.extend(err.errors)
            return None

    def phone(self, value: object, path: str) -> str | None:
        try:
            return normalise_phone(value, path, self.region)
        except ValidationError as err:
            self.c.extend(err.errors)
            return None

    def primary_and_list(
        self,
        obj: dict[str, Any],
        path: str,
        one_key: str,
        many_key: str,
        parse_one: Callable[[object, str], T | None],
        existing: list[T] | None,
        *,
        unique: bool = True,
    ) -> list[T] | None:
        """Resolve ``email``/``emails``-style pairs; None when neither key is present.

        The list is authoritative; a primary given alone replaces the first entry of
        ``existing`` (or becomes the only entry), and null/"" removes it.
        """
        many: list[T] | None = None
        many_ok = True
        if many_key in obj:
            mark = len(self.c)
            many = self.items(obj[many_key], join_path(path, many_key), parse_one)
            many_ok = self.ok_since(mark)
            if unique:
                many = unique_values(many)
        if one_key not in obj:
            return many
        raw = obj[one_key]
        where = join_path(path, one_key)
        mark = len(self.c)
        one = None if raw is None or raw == "" else parse_one(raw, where)
        if many is not None:
            if self.ok_since(mark) and many_ok and one != (many[0] if many else None):
                self.c.add(
                    where,
                    f"does not match the first entry of {many_key!r}; send only "
                    f"{many_key!r}, or make {one_key!r} equal its first entry",
                )
            return many
        if not self.ok_since(mark):
            return None
        rest = list(existing[1:]) if existing else []
        combined = ([one] if one is not None else []) + rest
        return unique_values(combined) if unique else combined


def unique_values(values: list[T], key: Callable[[T], object] | None = None) -> list[T]:
    """Drop repeats, keeping the first occurrence and the order."""
    seen: set[object] = set()
    result: list[T] = []
    for value in values:
        marker = key(value) if key else value
        if marker not in seen:
            seen.add(marker)
            result.append(value)
    return result
