"""Errors a user can act on: which field is wrong and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field, e.g. ``contacts[0].email``: ``not a valid email address``.

    ``code`` says which rule refused it (``field.required``, ``field.too_long``,
    ``field.date``...: see :mod:`crmdesk.domain.validation`), for code that must tell
    problems apart without reading the message; ``facts`` hold the rule's numbers or the
    value as shown.
    """

    path: str
    message: str
    code: str = "field.invalid"
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(Exception):
    """Input was refused; ``errors`` lists every field problem found, not only the first."""

    code = "record.invalid"

    def __init__(self, errors: FieldError | Iterable[FieldError]) -> None:
        self.errors: list[FieldError] = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)

    @classmethod
    def single(
        cls, path: str, message: str, code: str = "field.invalid", **facts: Any
    ) -> ValidationError:
        """Shorthand for an error about one field."""
        return cls([FieldError(path, message, code, facts)])


def join_path(parent: str, key: str) -> str:
    """``join_path("contacts[0]", "email")`` -> ``contacts[0].email``; "" is the root."""
    return f"{parent}.{key}" if parent else key


def index_path(parent: str, index: int) -> str:
    """``index_path("contacts", 0)`` -> ``contacts[0]``."""
    return f"{parent}[{index}]"
