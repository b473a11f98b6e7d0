"""Which column of an imported file fills which field: the targets, a mapping guessed
from a file's header, and mapping files.

A mapping is ``{column label: target}``; targets are client JSON paths ("name",
"emails", "address.city", "contact.birthday"...) or "ignore". :func:`guess_mapping`
knows the headers of Google Contacts, Outlook, crmdesk's own export and common CRMs.
A row becomes client JSON with a mapping in :mod:`.import_rows`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path

from crmdesk.domain.text import fold
from crmdesk.errors import BadInput

# Also importable from here, where the command line and the import wizard find them.
from .drafts import ProblemKind
from .import_dates import DateOrder

__all__ = [
    "IGNORE",
    "TARGETS",
    "DateOrder",
    "MappingError",
    "ProblemKind",
    "check_mapping",
    "column_target",
    "guess_mapping",
    "load_mapping",
    "save_mapping",
]

IGNORE = "ignore"
_MAX_MAPPING_BYTES = 1_000_000


class _How(Enum):
    """How several values for one target combine."""

    FIRST = "first non-empty value"
    LIST = "every value; a cell may hold several separated by ';' or ':::'"
    LINES = "joined as lines"
    STREET = "joined with ', '"


TARGETS: dict[str, tuple[_How, str]] = {
    "name": (_How.FIRST, "the client's name (a company, or a person)"),
    "kind": (_How.FIRST, "company or individual"),
    "status": (_How.FIRST, "prospect, active or former (lead, customer, lost... are understood)"),
    "industry": (_How.FIRST, "industry"),
    "salesperson": (_How.FIRST, "the assigned salesperson's login or full name"),
    "email": (_How.LIST, "an email address of the client"),
    "emails": (_How.LIST, "email addresses of the client"),
    "phone": (_How.LIST, "a phone number of the client"),
    "phones": (_How.LIST, "phone numbers of the client"),
    "website": (_How.FIRST, "web address"),
    "address.street": (_How.STREET, "street (several columns are joined)"),
    "address.city": (_How.FIRST, "city"),
    "address.region": (_How.FIRST, "region or state"),
    "address.postal_code": (_How.FIRST, "postal or ZIP code"),
    "address.country": (_How.FIRST, "country"),
    "tags": (_How.LIST, "tags (categories, groups, labels)"),
    "source": (_How.FIRST, "where the client came from"),
    "notes": (_How.LINES, "notes"),
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
    "contact.notes": (_How.LINES, "notes about the person"),
    IGNORE: (_How.FIRST, "not imported"),
}

# Targets that feed the same list.
_SAME_LIST = {
    "email": "emails",
    "phone": "phones",
    "contact.email": "contact.emails",
    "contact.phone": "contact.phones",
}

_COMPANY = "name:company"  # a company column: "Company", "Organization 1 - Name"...
_PLAIN_NAME = "name:plain"  # "Name": the client, or the person when a company column exists

# Header labels as :func:`_key` folds them. Google Contacts (old and new exports),
# Outlook, crmdesk's own export, then words other CRMs use.
_EXACT: dict[str, str] = {
    # crmdesk's export
    "name": _PLAIN_NAME,
    "kind": "kind",
    "status": "status",
    "industry": "industry",
    "salesperson": "salesperson",
    "email": "email",
    "emails": "emails",
    "phone": "phone",
    "phones": "phones",
    "website": "website",
    "street": "address.street",
    "city": "address.city",
    "region": "address.region",
    "postal code": "address.postal_code",
    "country": "address.country",
    "tags": "tags",
    "notes": "notes",
    "source": "source",
    "contact name": "contact.name",
    "contact title": "contact.title",
    "contact email": "contact.email",
    "contact phone": "contact.phone",
    "contact birthday": "contact.birthday",
    "contact notes": "contact.notes",
    # Google Contacts
    "given name": "contact.given_name",
    "additional name": "contact.middle_name",
    "family name": "contact.family_name",
    "birthday": "contact.birthday",
    "group membership": "tags",
    "labels": "tags",
    "organization 1 name": _COMPANY,
    "organization name": _COMPANY,
    "organization 1 title": "contact.title",
    "organization title": "contact.title",
    # Outlook
    "first name": "contact.given_name",
    "middle name": "contact.middle_name",
    "last name": "contact.family_name",
    "company": _COMPANY,
    "job title": "contact.title",
    "e mail address": "email",
    "business phone": "phone",
    "business phone 2": "phone",
    "company main phone": "phone",
    "primary phone": "phone",
    "mobile phone": "phone",
    "home phone": "phone",
    "home phone 2": "phone",
    "other phone": "phone",
    "business street": "address.street",
    "business street 2": "address.street",
    "business street 3": "address.street",
    "business city": "address.city",
    "business state": "address.region",
    "business postal code": "address.postal_code",
    "business country region": "address.country",
    "business country": "address.country",
    "categories": "tags",
    "web page": "website",
    # other CRMs and hand-made lists
    "company name": _COMPANY,
    "organization": _COMPANY,
    "organisation": _COMPANY,
    "organisation name": _COMPANY,
    "business name": _COMPANY,
    "account": _COMPANY,
    "account name": _COMPANY,
    "client": "name",
    "client name": "name",
    "customer": "name",
    "customer name": "name",
    "full name": "contact.name",
    "contact": "contact.name",
    "contact person": "contact.name",
    "person": "contact.name",
    "forename": "contact.given_name",
    "surname": "contact.family_name",
    "e mail": "email",
    "mail": "email",
    "email address": "email",
    "e mail addresses": "emails",
    "email addresses": "emails",
    "primary email": "email",
    "work email": "email",
    "business email": "email",
    "personal email": "email",
    "other email": "email",
    "telephone": "phone",
    "telephone number": "phone",
    "phone number": "phone",
    "phone numbers": "phones",
    "tel": "phone",
    "mobile": "phone",
    "mobile number": "phone",
    "cell": "phone",
    "cell phone": "phone",
    "work phone": "phone",
    "web": "website",
    "web site": "website",
    "url": "website",
    "homepage": "website",
    "home page": "website",
    "sales rep": "salesperson",
    "sales person": "salesperson",
    "salesman": "salesperson",
    "account owner": "salesperson",
    "account manager": "salesperson",
    "assigned to": "salesperson",
    "owner": "salesperson",
    "tag": "tags",
    "category": "tags",
    "groups": "tags",
    "address": "address.street",
    "street address": "address.street",
    "address line 1": "address.street",
    "address line 2": "address.street",
    "address 1": "address.street",
    "address 2": "address.street",
    "street 2": "address.street",
    "town": "address.city",
    "state": "address.region",
    "province": "address.region",
    "county": "address.region",
    "state province": "address.region",
    "region state": "address.region",
    "zip": "address.postal_code",
    "zip code": "address.postal_code",
    "postcode": "address.postal_code",
    "post code": "address.postal_code",
    "zip postal code": "address.postal_code",
    "postal code zip": "address.postal_code",
    "country region": "address.country",
    "note": "notes",
    "comment": "notes",
    "comments": "notes",
    "description": "notes",
    "remarks": "notes",
    "sector": "industry",
    "lead source": "source",
    "stage": "status",
    "lead status": "status",
    "client status": "status",
    "customer status": "status",
    "client kind": "kind",
    "client type": "kind",
    "customer type": "kind",
    "title": "contact.title",
    "position": "contact.title",
    "role": "contact.title",
    "date of birth": "contact.birthday",
    "birth date": "contact.birthday",
    "birthdate": "contact.birthday",
    "dob": "contact.birthday",
}

# Numbered columns: Google's "E-mail 2 - Value", Outlook's "E-mail 3 Address"...
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"e ?mail \d+ (value|address)"), "email"),
    (re.compile(r"phone \d+ value"), "phone"),
    (re.compile(r"website 1 value"), "website"),
    (re.compile(r"address 1 (street|extended address)"), "address.street"),
    (re.compile(r"address 1 city"), "address.city"),
    (re.compile(r"address 1 region"), "address.region"),
    (re.compile(r"address 1 postal code"), "address.postal_code"),
    (re.compile(r"address 1 country"), "address.country"),
)


def column_target(target: str) -> tuple[str, bool]:
    """Where a column mapped to ``target`` goes (targets feeding the same list, such as
    "email" and "emails", as one), and whether one of its cells may hold several values."""
    target = _SAME_LIST.get(target, target)
    return target, TARGETS[target][0] is _How.LIST


def _key(label: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(label)).split())


class MappingError(BadInput):
    """A mapping (usually from a file) cannot be used; the message lists every problem."""


# ------------------------------------------------------------------------- mappings


def guess_mapping(header: Sequence[str]) -> dict[str, str]:
    """A mapping for every column of ``header``, from the names common exports use.

    "Name" beside a company column ("Company", "Organization 1 - Name") is the person;
    Outlook's "Title" beside "Job Title" is the courtesy title and is ignored.
    """
    raw: dict[str, str] = {}
    for label in header:
        key = _key(label)
        target = _EXACT.get(key)
        if target is None:
            target = next((t for p, t in _PATTERNS if p.fullmatch(key)), IGNORE)
        raw[label] = target
    keys = {_key(label) for label in header}
    has_company = _COMPANY in raw.values()
    has_person = "contact.name" in raw.values()
    mapping: dict[str, str] = {}
    for label, target in raw.items():
        if target == _PLAIN_NAME:
            target = "contact.name" if has_company and not has_person else "name"
        elif target == _COMPANY:
            target = "name"
        elif target == "contact.title" and _key(label) == "title" and "job title" in keys:
            target = IGNORE
        mapping[label] = target
    return mapping


def check_mapping(mapping: Mapping[str, object], header: Sequence[str]) -> dict[str, str]:
    """The mapping completed for every column of ``header`` (unnamed ones ignored);
    raises :class:`MappingError` naming unknown targets and columns not in the file."""
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
