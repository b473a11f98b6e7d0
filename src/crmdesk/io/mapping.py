"""Which column of an imported file fills which field: the targets, a mapping guessed
from a file's header, and mapping files.

A mapping is ``{column label: target}``; targets are client JSON paths ("name",
"emails", "address.city", "contact.birthday"...), "label" (the kind of the value beside
it, "Home" or "Spouse") or "ignore". :func:`guess_mapping` knows the headers of the
programs people export contacts from (:mod:`.mapping_guess`). A row becomes client JSON
with a mapping in :mod:`.import_rows`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path

from crmdesk.errors import BadInput

# Also importable from here, where the command line and the import wizard find them.
from .drafts import ProblemKind
from .import_dates import DateOrder
from .mapping_guess import COMPANY, IGNORE, LABEL, NOTE_WORDS, PLAIN_NAME, header_key, raw_target

__all__ = [
    "IGNORE",
    "LABEL",
    "NOTE_WORDS",
    "TARGETS",
    "DateOrder",
    "MappingError",
    "ProblemKind",
    "check_mapping",
    "column_target",
    "guess_mapping",
    "header_key",
    "load_mapping",
    "save_mapping",
]

_MAX_MAPPING_BYTES = 1_000_000
ADDRESS_GROUPS = ("address", *(f"address{n}" for n in range(2, 10)))


class _How(Enum):
    """How several values for one target combine."""

    FIRST = "first non-empty value"
    LIST = "every value; a cell may hold several separated by ';' or ':::'"
    LINES = "joined as lines"
    STREET = "joined with ', '"


def _address_targets() -> dict[str, tuple[_How, str]]:
    targets: dict[str, tuple[_How, str]] = {}
    for n, group in enumerate(ADDRESS_GROUPS, start=1):
        which = "the first address" if n == 1 else f"address {n}"
        targets |= {
            f"{group}.street": (_How.STREET, f"street of {which} (several columns are joined)"),
            f"{group}.city": (_How.FIRST, f"city of {which}"),
            f"{group}.region": (_How.FIRST, f"region or state of {which}"),
            f"{group}.postal_code": (_How.FIRST, f"postal or ZIP code of {which}"),
            f"{group}.country": (_How.FIRST, f"country of {which}"),
            f"{group}.formatted": (
                _How.FIRST,
                f"{which} written whole (used when its other columns are empty)",
            ),
        }
    return targets


TARGETS: dict[str, tuple[_How, str]] = {
    "name": (_How.FIRST, "the client's name (a company, or a person)"),
    "kind": (_How.FIRST, "company or individual"),
    "status": (_How.FIRST, "prospect, active or former (lead, customer, lost... are understood)"),
    "industry": (_How.FIRST, "industry"),
    "salesperson": (_How.FIRST, "the assigned salesperson's login or full name"),
    "client_key": (
        _How.FIRST,
        "rows with the same value are one client (crmdesk's Client ID): each adds its contact",
    ),
    "email": (
        _How.LIST,
        "an email address of the row: the person's when it names a person at a company, "
        "else the client's",
    ),
    "emails": (_How.LIST, "email addresses of the client (the company)"),
    "phone": (
        _How.LIST,
        "a phone number of the row: the person's when it names a person at a company, "
        "else the client's",
    ),
    "phones": (_How.LIST, "phone numbers of the client (the company)"),
    "website": (_How.FIRST, "the client's web address"),
    "web_page": (
        _How.LIST,
        "a web address of the row: the client's (the first), or kept in the person's "
        "notes when the row names a person at a company",
    ),
    **_address_targets(),
    "tags": (_How.LIST, "tags (categories, groups, labels)"),
    "source": (_How.FIRST, "where the client came from"),
    "notes": (_How.LINES, "notes about the client (other columns' labels are kept)"),
    "note": (
        _How.LINES,
        "notes of the row: about the person when it names a person at a company, else "
        "about the client",
    ),
    "contact.name": (_How.FIRST, "the person's full name"),
    "contact.given_name": (_How.FIRST, "the person's first name"),
    "contact.middle_name": (_How.FIRST, "the person's middle name"),
    "contact.family_name": (_How.FIRST, "the person's last name"),
    "contact.title": (_How.FIRST, "the person's job title"),
    "contact.email": (_How.LIST, "the person's email address"),
    "contact.emails": (_How.LIST, "the person's email addresses"),
    "contact.phone": (_How.LIST, "the person's phone number"),
    "contact.phones": (_How.LIST, "the person's phone numbers"),
    "contact.birthday": (_How.FIRST, "the person's birthday"),
    "contact.birthday.year": (_How.FIRST, "the year of the person's birthday"),
    "contact.birthday.month": (_How.FIRST, "the month of the person's birthday"),
    "contact.birthday.day": (_How.FIRST, "the day of the person's birthday"),
    "contact.hobbies": (_How.LINES, "the person's hobbies"),
    "contact.family": (_How.LINES, "the person's family (spouse, children)"),
    "contact.notes": (
        _How.LINES,
        "notes about the person (a column's label is kept with its value: Nickname: Bob)",
    ),
    LABEL: (_How.FIRST, "the kind of the value beside it (Home, Work, Spouse): a label"),
    IGNORE: (_How.FIRST, "not imported"),
}

# Targets that feed the same list.
_SAME_LIST = {"contact.email": "contact.emails", "contact.phone": "contact.phones"}


def column_target(target: str) -> tuple[str, bool]:
    """Where a column mapped to ``target`` goes (targets feeding the same list, such as
    "contact.email" and "contact.emails", as one), and whether one of its cells may hold
    several values."""
    target = _SAME_LIST.get(target, target)
    return target, TARGETS[target][0] is _How.LIST


class MappingError(BadInput):
    """A mapping (usually from a file) cannot be used; the message lists every problem."""


# ------------------------------------------------------------------------- mappings


def guess_mapping(header: Sequence[str]) -> dict[str, str]:
    """A mapping for every column of ``header``, from the names common exports use.

    "Name" beside a company column ("Company", "Organization 1 - Name") is the person;
    Outlook's "Title" beside "Job Title" is the courtesy title (kept in the notes);
    "Email" beside "Emails" (crmdesk's older export) is the client's first address.
    """
    raw = {label: raw_target(label) for label in header}
    keys = {header_key(label) for label in header}
    has_company = COMPANY in raw.values()
    has_person = "contact.name" in raw.values()
    crmdesk = "client id" in keys or ("contact name" in keys and "emails" in keys)
    mapping: dict[str, str] = {}
    for label, target in raw.items():
        key = header_key(label)
        if target == PLAIN_NAME:
            target = "contact.name" if has_company and not has_person else "name"
        elif target == COMPANY:
            target = "name"
        elif target == "contact.title" and key == "title" and "job title" in keys:
            target = "contact.notes"
        elif key == "email" and "emails" in keys:
            target = "emails"
        elif key == "phone" and "phones" in keys:
            target = "phones"
        elif key == "website" and not crmdesk:
            target = "web_page"
        elif target == "notes" and not crmdesk:
            target = "note"  # a contact program's notes are about the person
        mapping[label] = target
    return mapping


def check_mapping(mapping: Mapping[str, object], header: Sequence[str]) -> dict[str, str]:
    """The mapping completed for every column of ``header`` (unnamed ones ignored);
    raises :class:`MappingError` naming unknown targets and columns not in the file."""
    mapping = _by_position(mapping, header)
    problems: list[str] = []
    # The same problems as facts: (what, column, target) with what one of "target_not_text",
    # "unknown_target" and "unknown_column".
    found: list[tuple[str, str, object]] = []
    known = set(header)
    for column, target in mapping.items():
        if not isinstance(target, str):
            problems.append(f'"{column}": the target must be text, e.g. "name" or "ignore"')
            found.append(("target_not_text", column, target))
        elif target not in TARGETS:
            close = difflib.get_close_matches(target, list(TARGETS), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            problems.append(f'"{column}": unknown target "{target}"{hint}')
            found.append(("unknown_target", column, target))
        if column not in known:
            close = difflib.get_close_matches(str(column), list(header), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            problems.append(f'column "{column}" is not in the file{hint}')
            found.append(("unknown_column", column, target))
    if problems:
        columns = ", ".join(f'"{c}"' for c in list(header)[:30])
        more = f" and {len(header) - 30} more" if len(header) > 30 else ""
        lines = "\n".join(f"  {p}" for p in problems)
        raise MappingError(
            f"The column mapping cannot be used:\n{lines}\nThe file's columns are: "
            f"{columns}{more}.\nTargets are: {', '.join(TARGETS)}. Fix the mapping, "
            "or give none to have the columns guessed.",
            code="import.mapping.unusable",
            problems=found,
            lines=lines,
            columns=f"{columns}{more}",
            targets=", ".join(TARGETS),
        )
    return {column: str(mapping.get(column, IGNORE)) for column in header}


def _by_position(mapping: Mapping[str, object], header: Sequence[str]) -> Mapping[str, object]:
    """A file without a header names its columns "Column 1", "Column 2"...: a mapping may
    name them so, or by their number alone ("1")."""
    known = set(header)
    return {
        (f"Column {key}" if key not in known and str(key).isdigit() else key): value
        for key, value in mapping.items()
    }


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: one JSON object ``{"column": "target", ...}``."""
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise MappingError(
            f"Cannot read the mapping file {path}: {exc.strerror or exc}. Check its name.",
            code="import.mapping.unreadable",
            path=path,
        ) from None
    if len(data) > _MAX_MAPPING_BYTES:
        raise MappingError(
            f"The mapping file {path} is larger than 1 MB: it is not a mapping.",
            code="import.mapping.too_large",
            path=path,
        )
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise MappingError(
            f"The mapping file {path} is not UTF-8 text.", code="import.mapping.not_utf8", path=path
        ) from None
    except json.JSONDecodeError as exc:
        raise MappingError(
            f"The mapping file {path} is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f'column {exc.colno}). Write it as {{"column": "target", ...}}.',
            code="import.mapping.not_json",
            path=path,
        ) from None
    if not isinstance(value, dict):
        raise MappingError(
            f'The mapping file {path} must hold one JSON object: {{"column": "target", ...}}.',
            code="import.mapping.not_object",
            path=path,
        )
    return value


def save_mapping(mapping: Mapping[str, str], path: Path) -> None:
    """Write a mapping file that :func:`load_mapping` reads back (and people can edit)."""
    text = json.dumps(dict(mapping), ensure_ascii=False, indent=2) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(
            f"Cannot write the mapping file {path}: {exc.strerror or exc}. Choose another place.",
            code="import.mapping.unwritable",
            path=path,
        ) from None
