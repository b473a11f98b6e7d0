"""Errors a user can act on: which field is wrong and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field, e.g. ``contacts[0].email``: ``not a valid email address``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(Exception):
    """Input was refused; ``errors`` lists every field problem found, not only the first."""

    def __init__(self, errors: FieldError | Iterable[FieldError]) -> None:
        self.errors: list[FieldError] = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)

    @classmethod
    def single(cls, path: str, message: str) -> ValidationError:
        """Shorthand for an error about one field."""
        return cls([FieldError(path, message)])


def join_path(parent: str, key: str) -> str:
    """``join_path("contacts[0]", "email")`` -> ``contacts[0].email``; "" is the root."""
    return f"{parent}.{key}" if parent else key


def index_path(parent: str, index: int) -> str:
    """``index_path("contacts", 0)`` -> ``contacts[0]``."""
    return f"{parent}[{index}]"
