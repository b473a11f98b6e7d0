"""A row (or a vCard) of an imported file as client JSON before validation, what is wrong
with it, named by the column it came from, and the row with its faulty values moved to
the notes (marked, so that people see and fix them) instead of losing the person."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from crmdesk.domain.entities import MAX_TEXT
from crmdesk.domain.errors import FieldError
from crmdesk.domain.naming import add_lines, fallback_name, kept_line


class ProblemKind(StrEnum):
    """What is wrong with a row (or a card)."""

    INVALID_EMAIL = "invalid email"
    INVALID_PHONE = "invalid phone"
    INVALID_WEBSITE = "invalid web address"
    UNREADABLE_DATE = "unreadable date"
    MISSING_NAME = "missing name"
    TOO_LONG = "too long"
    INVALID = "invalid value"
    UNREADABLE = "unreadable record"
    DUPLICATE = "likely duplicate"
    DUPLICATE_IN_FILE = "duplicate within the file"
    # Only a phone number or the name in common: not merged unless the person says so.
    POSSIBLE_DUPLICATE = "possible duplicate"
    POSSIBLE_DUPLICATE_IN_FILE = "possible duplicate within the file"


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
    where: str = "column"  # "column" for CSV, "property" for vCard, "line" for JSON
    # Drafts of one group are one client: the people of a company (vCard cards of one
    # ORG or linked to its card, CSV rows of one client key or company).
    group: str | None = None
    leads: bool = False  # the company's own card or row, which the group's others join
    ignored: list[str] = field(default_factory=list)  # columns or properties not imported


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
        message = "no name, organisation, email address or phone number to import it under"
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
    elif path == "website":
        kind = ProblemKind.INVALID_WEBSITE
    else:
        kind = ProblemKind.INVALID
    if path == "contacts[0].name" and code == "field.required":
        filled = sorted({lbl for p, lbl in draft.origins.items() if p.startswith("contacts[0]")})
        shown = ", ".join(f'"{label}"' for label in filled)
        message = f"the contact has no name, yet {shown} is filled in; add the person's name"
        column, custom = None, True
    where = f'{draft.where} "{column}"' if draft.where == "column" else f"{draft.where} {column}"
    if draft.where == "line":
        column = None  # JSON has no columns: the path says where
    if custom:
        text = message
    elif column:
        text = f"{where}: {message}"
    else:
        text = f"{path}: {message}" if path else message
    return Issue(kind, text, column, path or None)


_WORDS = {
    "emails": "Email",
    "phones": "Phone",
    "website": "Web address",
    "birthday": "Birthday",
    "addresses": "Address",
    "address": "Address",
    "tags": "Tag",
    "title": "Title",
    "name": "Name",
    "industry": "Industry",
    "salesperson": "Salesperson",
    "source": "Source",
    "status": "Status",
    "kind": "Kind",
}


def _tokens(path: str) -> list[str | int]:
    return [
        int(m.group(2)) if m.group(2) is not None else m.group(1)
        for m in _PATH_TOKEN.finditer(path)
    ]


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value)
    return "" if value is None else str(value)


def keep_in_notes(
    data: dict[str, Any], issues: list[Issue], draft: Draft | None = None
) -> tuple[dict[str, Any] | None, set[int]]:
    """The JSON with each faulty value moved to the notes of the client or contact it
    belonged to, marked (:func:`crmdesk.domain.naming.kept_line`), and the indexes of
    the issues whose value was kept so. A value that does not fit there (the notes
    themselves too long) is left out. None when what is left cannot be a client (no
    name, organisation, email or phone)."""
    out = json.loads(json.dumps(data))  # a deep copy of plain JSON
    origins = draft.origins if draft is not None else {}
    removals: list[list[str | int]] = []
    kept: dict[int, int] = {}  # issue -> whose notes keep its value
    lines: dict[int, list[str]] = {}  # -1: the client's notes; i: contacts[i]'s
    for n, issue in enumerate(issues):
        if issue.path is None:
            continue
        tokens = _tokens(issue.path)
        if tokens == ["name"]:
            # A name that cannot be kept (a control character in it): the client is named
            # by its email or phone instead, and the name kept in the notes.
            written = out.get("name")
            instead = fallback_name("", "", out.get("emails") or [], out.get("phones") or [])
            if not written or not instead:
                return None, set()
            out["name"] = instead
            lines.setdefault(-1, []).append(kept_line("Name", _shown(written)))
            kept[n] = -1
            continue
        owner = tokens[1] if tokens[0] == "contacts" and len(tokens) > 1 else -1
        if not isinstance(owner, int):
            owner = -1
        value = _get(out, tokens)
        if tokens[-1] == "notes" and isinstance(value, str) and len(value) > MAX_TEXT:
            # Notes too long: the first part is kept, and the cut said.
            _set(
                out,
                tokens,
                value[: MAX_TEXT - 80].rstrip()
                + f" … ({len(value) - MAX_TEXT + 80:,} characters cut)",
            )
            kept[n] = -2
            continue
        if tokens[-1] == "name" and len(tokens) == 3 and owner >= 0:
            # A contact whose name cannot be kept is named by its email or phone.
            contact = out["contacts"][owner]
            contact["name"] = (
                fallback_name("", "", contact.get("emails") or [], contact.get("phones") or [])
                or "Unnamed contact"
            )
        else:
            removals.append(tokens)
        if tokens[-1] == "notes" or value in (None, "", [], {}):
            continue
        field_word = next(
            (_WORDS[t] for t in reversed(tokens) if isinstance(t, str) and t in _WORDS),
            str(tokens[-1]).replace("_", " ").capitalize(),
        )
        origin = origins.get(issue.path) or issue.column
        what = f"{field_word} ({origin})" if origin else field_word
        lines.setdefault(owner, []).append(kept_line(what, _shown(value)))
        kept[n] = owner
    # Notes first (a contact removed for its faults would shift the indexes).
    for owner, new in lines.items():
        target = out if owner < 0 else _get(out, ["contacts", owner])
        if not isinstance(target, dict):
            continue
        notes = add_lines(str(target.get("notes") or ""), new)
        if len(notes) <= MAX_TEXT:
            target["notes"] = notes
        else:  # no room left: those values are left out
            kept = {n: o for n, o in kept.items() if o != owner}
    for tokens in removals:
        _remove(out, tokens)
    _compact(out)
    return out, set(kept)


def without_paths(data: dict[str, Any], issues: Iterable[Issue]) -> dict[str, Any] | None:
    """The JSON with each faulty value left out (the row is imported without them);
    None when what is left cannot be a client (no name)."""
    out = json.loads(json.dumps(data))
    removals: list[list[str | int]] = []
    for issue in issues:
        if issue.path is None:
            continue
        tokens = _tokens(issue.path)
        if tokens == ["name"]:
            return None
        if tokens[-1] == "name" and len(tokens) > 1:
            tokens = tokens[:-1]  # a contact without its name goes whole
        removals.append(tokens)
    for tokens in removals:
        _remove(out, tokens)
    _compact(out)
    return out


def _set(data: Any, tokens: list[str | int], value: Any) -> None:
    parent = _get(data, tokens[:-1])
    if isinstance(parent, dict) and isinstance(tokens[-1], str):
        parent[tokens[-1]] = value


def _get(data: Any, tokens: list[str | int]) -> Any:
    node = data
    for token in tokens:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            return None
    return node


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
