"""A row (or a vCard) of an imported file as client JSON before validation, what is wrong
with it, named by the column it came from, and the row without its faulty values."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from crmdesk.domain.errors import FieldError


class ProblemKind(StrEnum):
    """What is wrong with a row (or a card)."""

    INVALID_EMAIL = "invalid email"
    INVALID_PHONE = "invalid phone"
    UNREADABLE_DATE = "unreadable date"
    MISSING_NAME = "missing name"
    TOO_LONG = "too long"
    INVALID = "invalid value"
    UNREADABLE = "unreadable record"
    DUPLICATE = "likely duplicate"
    DUPLICATE_IN_FILE = "duplicate within the file"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem of one row: its kind, a message for people, and where.

    ``path`` is the client JSON path at fault (None when the whole row is): importing
    the row anyway leaves that value out.
    """

    kind: ProblemKind
    message: str
    column: str | None = None
    path: str | None = None


@dataclass(slots=True)
class Draft:
    """One row or card as client JSON, before validation.

    ``origins`` names the column (or vCard property) each JSON path came from, so that
    problems point at what the person sees in their file.
    """

    row: int
    line: int
    data: dict[str, Any] | None
    origins: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    blank: bool = False
    where: str = "column"  # "column" for CSV, "property" for vCard


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def describe(error: FieldError, draft: Draft) -> Issue:
    """A validation error of a draft as a problem naming the column it came from.

    What went wrong is read from the error's code, never from its words."""
    path, message, code = error.path, error.message, error.code
    column = draft.origins.get(path)
    if column is None and path:
        # "address.city" of a vCard's addresses[0], or a nested path of a listed value.
        column = next(
            (label for p, label in draft.origins.items() if path.startswith(p)), None
        ) or next((label for p, label in draft.origins.items() if p.startswith(path)), None)
    custom = False
    if path == "name" and code == "field.required":
        kind, custom = ProblemKind.MISSING_NAME, True
        message = (
            "no name to import it under (no FN, N or ORG)"
            if draft.where == "property"
            else "no name to import it under (the name columns are empty)"
        )
    elif code == "field.too_long":
        kind = ProblemKind.TOO_LONG
    elif path.endswith("birthday"):
        kind = ProblemKind.UNREADABLE_DATE
        if code == "field.date":  # an import also reads the day/month orders
            written = error.facts.get("shown", "")
            message = f"not a valid date (use YYYY-MM-DD, D/M/YYYY or M/D/YYYY): {written}"
    elif re.search(r"(^|\.)emails\[", path):
        kind = ProblemKind.INVALID_EMAIL
    elif re.search(r"(^|\.)phones\[", path):
        kind = ProblemKind.INVALID_PHONE
    else:
        kind = ProblemKind.INVALID
    if path == "contacts[0].name" and code == "field.required":
        filled = sorted({lbl for p, lbl in draft.origins.items() if p.startswith("contacts[0]")})
        shown = ", ".join(f'"{label}"' for label in filled)
        message = f"the contact has no name, yet {shown} is filled in; add the person's name"
        column, custom = None, True
    where = f'{draft.where} "{column}"' if draft.where == "column" else f"{draft.where} {column}"
    if custom:
        text = message
    elif column:
        text = f"{where}: {message}"
    else:
        text = f"{path}: {message}" if path else message
    return Issue(kind, text, column, path or None)


def without_paths(data: dict[str, Any], issues: Iterable[Issue]) -> dict[str, Any] | None:
    """The JSON with each faulty value left out ("import anyway"); None when what is
    left cannot be a client (no name)."""
    out = json.loads(json.dumps(data))  # a deep copy of plain JSON
    removals: list[list[str | int]] = []
    for issue in issues:
        if issue.path is None:
            continue
        tokens: list[str | int] = [
            int(m.group(2)) if m.group(2) is not None else m.group(1)
            for m in _PATH_TOKEN.finditer(issue.path)
        ]
        if tokens == ["name"]:
            return None
        if tokens[-1] == "name" and len(tokens) > 1:
            tokens = tokens[:-1]  # a contact without its name goes whole
        removals.append(tokens)
    for tokens in removals:
        _remove(out, tokens)
    _compact(out)
    return out


def _remove(data: Any, tokens: list[str | int]) -> None:
    """Remove one value; a list entry becomes None (dropped by :func:`_compact` once
    all are done, so the indexes of the others stay right)."""
    node = data
    for token in tokens[:-1]:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            return
    last = tokens[-1]
    if isinstance(node, dict) and isinstance(last, str):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = None


def _compact(node: Any) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _compact(value)
    elif isinstance(node, list):
        node[:] = [v for v in node if v is not None]
        for value in node:
            _compact(value)
