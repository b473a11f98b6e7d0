"""Which column of an imported file fills which field, and a row turned into client JSON.

A mapping is ``{column label: target}``; targets are client JSON paths ("name",
"emails", "address.city", "contact.birthday"...) or "ignore". :func:`guess_mapping`
knows the headers of Google Contacts, Outlook, crmdesk's own export and common CRMs.
A row becomes client JSON here; whether that JSON is a valid client is decided by
:func:`crmdesk.domain.json_codec.client_from_json` alone, so the rules stay in one place.
When the row names a company and a person, the company is the client and the person
its contact; a row with only a person is an individual client.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from crmdesk.domain.errors import FieldError
from crmdesk.domain.json_codec import ADDRESS_KEYS
from crmdesk.domain.text import fold
from crmdesk.errors import BadInput

from .csv_import import CsvRecord, unneutralise

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

# Google's system groups say nothing about the client.
_SYSTEM_TAGS = {"mycontacts", "starred"}
_MULTI_SPLIT = re.compile(r"\s*(?:;|:::)\s*")

_STATUS_WORDS = {
    "prospect": "prospect",
    "lead": "prospect",
    "new": "prospect",
    "open": "prospect",
    "potential": "prospect",
    "active": "active",
    "customer": "active",
    "client": "active",
    "won": "active",
    "current": "active",
    "former": "former",
    "inactive": "former",
    "lost": "former",
    "churned": "former",
    "closed": "former",
    "past": "former",
}
_KIND_WORDS = {
    "company": "company",
    "business": "company",
    "organization": "company",
    "organisation": "company",
    "org": "company",
    "corporate": "company",
    "individual": "individual",
    "person": "individual",
    "private": "individual",
    "consumer": "individual",
}


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
    known = set(header)
    for column, target in mapping.items():
        if not isinstance(target, str):
            problems.append(f'"{column}": the target must be text, e.g. "name" or "ignore"')
        elif target not in TARGETS:
            close = difflib.get_close_matches(target, list(TARGETS), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            problems.append(f'"{column}": unknown target "{target}"{hint}')
        if column not in known:
            close = difflib.get_close_matches(str(column), list(header), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            problems.append(f'column "{column}" is not in the file{hint}')
    if problems:
        columns = ", ".join(f'"{c}"' for c in list(header)[:30])
        more = f" and {len(header) - 30} more" if len(header) > 30 else ""
        lines = "\n".join(f"  {p}" for p in problems)
        raise MappingError(
            f"The column mapping cannot be used:\n{lines}\nThe file's columns are: "
            f"{columns}{more}.\nTargets are: {', '.join(TARGETS)}. Fix the mapping file, "
            "or leave --mapping out to have the columns guessed."
        )
    return {column: str(mapping.get(column, IGNORE)) for column in header}


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: one JSON object ``{"column": "target", ...}``."""
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise MappingError(
            f"Cannot read the mapping file {path}: {exc.strerror or exc}. Check its name."
        ) from None
    if len(data) > _MAX_MAPPING_BYTES:
        raise MappingError(f"The mapping file {path} is larger than 1 MB: it is not a mapping.")
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise MappingError(f"The mapping file {path} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise MappingError(
            f"The mapping file {path} is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f'column {exc.colno}). Write it as {{"column": "target", ...}}.'
        ) from None
    if not isinstance(value, dict):
        raise MappingError(
            f'The mapping file {path} must hold one JSON object: {{"column": "target", ...}}.'
        )
    return value


def save_mapping(mapping: Mapping[str, str], path: Path) -> None:
    """Write a mapping file that :func:`load_mapping` reads back (and people can edit)."""
    text = json.dumps(dict(mapping), ensure_ascii=False, indent=2) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(
            f"Cannot write the mapping file {path}: {exc.strerror or exc}. Choose another place."
        ) from None


# ---------------------------------------------------------------------------- dates


class DateOrder(StrEnum):
    """How a numeric date such as 03/04/1975 is read."""

    DMY = "dmy"
    MDY = "mdy"


_ISO_LIKE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][0-9:.+\-Z ]*)?")
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?: [0-9:.APMapm ]*)?")
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")
_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})\.? ?([a-z]+)\.?,? (\d{4})")
_MONTH_NAME_DAY = re.compile(r"([a-z]+)\.? (\d{1,2}),? (\d{4})")
# Excel's day 0 (its 1900 leap-year bug makes this right for every serial after
# February 1900). Five-digit serials only: 10000 is 1927; a four-digit number is a year.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_SERIAL = 73050  # 2099-12-31
# A birthday without a year (Google's --12-02, vCard 4's --1202) is kept with year 1900,
# which crmdesk shows without an age.
NO_YEAR = 1900
_EMPTY_DATES = {"0/0/00", "00/00/00", "00/00/0000", "0000-00-00"}


@dataclass(slots=True)
class DateReading:
    """The date order decided for a file, and what people should be told about it."""

    order: DateOrder
    assumptions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DateEvidence:
    """What the date cells of a file say about their order (fed by a first pass)."""

    day_first: tuple[int, str] | None = None  # (row, text) of a date only D/M/Y can read
    month_first: tuple[int, str] | None = None
    day_first_count: int = 0
    month_first_count: int = 0
    ambiguous: tuple[int, str] | None = None
    ambiguous_separator: str = ""
    serial: tuple[int, str] | None = None

    def feed(self, text: str, row: int) -> None:
        t = text.strip()
        m = _NUMERIC.fullmatch(t)
        if m:
            a, sep, b = int(m.group(1)), m.group(2), int(m.group(3))
            if a > 12 and b <= 12:
                self.day_first_count += 1
                self.day_first = self.day_first or (row, t)
            elif b > 12 and a <= 12:
                self.month_first_count += 1
                self.month_first = self.month_first or (row, t)
            elif a <= 12 and b <= 12 and a != b and self.ambiguous is None:
                self.ambiguous, self.ambiguous_separator = (row, t), sep
        elif self.serial is None and _SERIAL.fullmatch(t):
            self.serial = (row, t)

    def decide(self, forced: DateOrder | None = None) -> DateReading:
        notes: list[str] = []
        if self.serial:
            row, text = self.serial
            notes.append(
                f"numbers such as {text} (row {row}) were read as Excel date serial numbers"
            )
        if forced is not None:
            if self.ambiguous or self.day_first or self.month_first:
                notes.append(f"dates such as 03/04/1975 were read as {_words(forced)}, as asked")
            return DateReading(forced, notes)
        dmy, mdy = self.day_first, self.month_first
        if dmy and mdy:
            more_dmy = self.day_first_count >= self.month_first_count
            order = DateOrder.DMY if more_dmy else DateOrder.MDY
            notes.append(
                f"the file mixes day/month dates (row {dmy[0]}: {dmy[1]}) and month/day dates "
                f"(row {mdy[0]}: {mdy[1]}); read as {_words(order)}, the more common, and "
                "the others are reported as unreadable dates"
            )
            return DateReading(order, notes)
        if dmy or mdy:
            order = DateOrder.DMY if dmy else DateOrder.MDY
            row, text = dmy or mdy  # type: ignore[misc]
            if self.ambiguous:
                notes.append(
                    f"dates such as {self.ambiguous[1]} were read as {_words(order)}: row {row} "
                    f"has {text}, which can only be read that way"
                )
            return DateReading(order, notes)
        if self.ambiguous:
            # Nothing in the file tells: dots are European (day first); slashes are
            # taken as Outlook and Google write them in the US.
            order = DateOrder.DMY if self.ambiguous_separator == "." else DateOrder.MDY
            other = DateOrder.MDY if order is DateOrder.DMY else DateOrder.DMY
            notes.append(
                f"no date in the file shows whether it is day/month or month/day: dates such "
                f"as {self.ambiguous[1]} (row {self.ambiguous[0]}) were read as {_words(order)}"
                f"; if they are {_words(other)}, import with --date-order {other.value}"
            )
            return DateReading(order, notes)
        return DateReading(DateOrder.MDY, notes)


def _words(order: DateOrder) -> str:
    return "day/month/year" if order is DateOrder.DMY else "month/day/year"


def normalise_date(text: str, order: DateOrder = DateOrder.MDY) -> str:
    """A date as ``YYYY-MM-DD`` when it can be read, else the text unchanged (so that
    validation refuses it, showing what was written). Empty markers become ""."""
    t = text.strip()
    if not t or t in _EMPTY_DATES:
        return ""
    parts: tuple[int, int, int] | None = None
    if (m := _ISO_LIKE.fullmatch(t)) or (m := _BASIC.fullmatch(t)):
        parts = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _NO_YEAR.fullmatch(t):
        parts = NO_YEAR, int(m.group(1)), int(m.group(2))
    elif m := _NUMERIC.fullmatch(t):
        a, b, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        day, month = (a, b) if order is DateOrder.DMY else (b, a)
        parts = year, month, day
    elif m := _SERIAL.fullmatch(t):
        serial = int(m.group(1))
        if serial <= _LAST_SERIAL:
            return (_EXCEL_EPOCH + dt.timedelta(days=serial)).isoformat()
    else:
        parts = _named_month(fold(t))
    if parts is None:
        return t
    try:
        return dt.date(*parts).isoformat()
    except ValueError:
        return t


def _year(text: str) -> int:
    """Two-digit years are the most recent such year that is not in the future."""
    if len(text) == 4:
        return int(text)
    yy = int(text)
    this = dt.date.today().year
    year = this - this % 100 + yy
    return year - 100 if year > this else year


def _named_month(t: str) -> tuple[int, int, int] | None:
    if m := _DAY_MONTH_NAME.fullmatch(t):
        month = _MONTHS.get(m.group(2))
        return (int(m.group(3)), month, int(m.group(1))) if month else None
    if m := _MONTH_NAME_DAY.fullmatch(t):
        month = _MONTHS.get(m.group(1))
        return (int(m.group(3)), month, int(m.group(2))) if month else None
    return None


# ------------------------------------------------------------------ rows into JSON


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


def split_values(cell: str) -> list[str]:
    """Several values in one cell: "a; b" (crmdesk, Outlook) or "a ::: b" (Google)."""
    return [v for v in _MULTI_SPLIT.split(cell.strip()) if v]


def clean_tag(value: str) -> str | None:
    """Google marks its groups "* starred"; its system groups are dropped."""
    tag = value.strip().lstrip("*").strip()
    return tag if tag and fold(tag) not in _SYSTEM_TAGS else None


def status_value(text: str) -> str:
    return _STATUS_WORDS.get(fold(text.strip()), text)


def kind_value(text: str) -> str:
    return _KIND_WORDS.get(fold(text.strip()), text)


class RowBuilder:
    """Turns CSV records into client JSON with one mapping and one date order."""

    def __init__(self, header: Sequence[str], mapping: Mapping[str, str], dates: DateReading):
        self.header = tuple(header)
        self.dates = dates
        self.columns: list[tuple[int, str, str, bool]] = []
        for i, label in enumerate(header):
            target = mapping.get(label, IGNORE)
            if target != IGNORE:
                target = _SAME_LIST.get(target, target)
                self.columns.append((i, label, target, TARGETS[target][0] is _How.LIST))

    def date_cells(self, record: CsvRecord) -> Iterable[str]:
        """The cells of date columns (for the first pass that decides the date order)."""
        for i, _, target, _ in self.columns:
            if target == "contact.birthday" and i < len(record.cells):
                yield record.cells[i]

    @property
    def has_dates(self) -> bool:
        return any(target == "contact.birthday" for _, _, target, _ in self.columns)

    def build(self, record: CsvRecord) -> Draft:
        cells = record.cells
        draft = Draft(record.row, record.line, None)
        values: dict[str, list[tuple[str, str]]] = {}
        width = len(cells)
        for i, label, target, listed in self.columns:
            if i >= width:
                continue
            cell = cells[i]
            if cell[:1] == "'":
                cell = unneutralise(cell)
            cell = cell.strip()
            if not cell:
                continue
            if listed:
                parts = split_values(cell) if (";" in cell or ":::" in cell) else [cell]
                if target == "tags":
                    parts = [t for t in map(clean_tag, parts) if t]
                values.setdefault(target, []).extend((p, label) for p in parts)
            else:
                values.setdefault(target, []).append((cell, label))
        if not values and not any(c.strip() for c in cells):
            draft.blank = True
            return draft
        if width > len(self.header):
            extra = [c for c in cells[len(self.header) :] if c.strip()]
            if extra:
                draft.issues.append(
                    Issue(
                        ProblemKind.INVALID,
                        f"the row has {width} cells but the header only {len(self.header)} "
                        f"columns: {len(extra)} value(s) past the last column were not read "
                        "(a delimiter inside an unquoted value?)",
                    )
                )
        draft.data = _client_json(values, draft.origins, self.dates.order)
        return draft


def _client_json(
    values: dict[str, list[tuple[str, str]]], origins: dict[str, str], order: DateOrder
) -> dict[str, Any]:
    """Client JSON from the values of one row, recording where each value came from."""

    def first(target: str) -> tuple[str, str] | None:
        found = values.get(target)
        return found[0] if found else None

    def put(path: str, found: tuple[str, str] | None, data: dict[str, Any]) -> None:
        if found:
            data[path.rsplit(".", 1)[-1]] = found[0]
            origins[path] = found[1]

    def put_list(path: str, target: str, data: dict[str, Any]) -> None:
        found = values.get(target)
        if found:
            key = path.rsplit(".", 1)[-1]
            data[key] = [v for v, _ in found]
            for i, (_, label) in enumerate(found):
                origins[f"{path}[{i}]"] = label

    data: dict[str, Any] = {}
    name = first("name")
    person = first("contact.name")
    if person is None:
        names = ("contact.given_name", "contact.middle_name", "contact.family_name")
        parts = [first(t) for t in names]
        present = [p for p in parts if p]
        if present:
            person = (" ".join(v for v, _ in present), present[0][1])
    client_is_person = name is None and person is not None
    put("name", name or person, data)
    kind = first("kind")
    if kind:
        data["kind"] = kind_value(kind[0])
        origins["kind"] = kind[1]
    elif client_is_person:
        data["kind"] = "individual"
    status = first("status")
    if status:
        data["status"] = status_value(status[0])
        origins["status"] = status[1]
    for target in ("industry", "salesperson", "website", "source"):
        put(target, first(target), data)
    put_list("emails", "emails", data)
    put_list("phones", "phones", data)
    put_list("tags", "tags", data)
    notes = values.get("notes")
    if notes:
        data["notes"] = "\n".join(v for v, _ in notes)
        origins["notes"] = notes[0][1]
    address: dict[str, str] = {}
    streets = values.get("address.street")
    if streets:
        address["street"] = ", ".join(v for v, _ in streets)
        origins["address.street"] = streets[0][1]
    for key in ADDRESS_KEYS[1:]:
        put(f"address.{key}", first(f"address.{key}"), address)
    if address:
        data["address"] = {key: address.get(key, "") for key in ADDRESS_KEYS}

    contact: dict[str, Any] = {}
    put("contacts[0].title", first("contact.title"), contact)
    birthday = first("contact.birthday")
    if birthday:
        contact["birthday"] = normalise_date(birthday[0], order) or None
        origins["contacts[0].birthday"] = birthday[1]
    put_list("contacts[0].emails", "contact.emails", contact)
    put_list("contacts[0].phones", "contact.phones", contact)
    contact_notes = values.get("contact.notes")
    if contact_notes:
        contact["notes"] = "\n".join(v for v, _ in contact_notes)
        origins["contacts[0].notes"] = contact_notes[0][1]
    if person and (not client_is_person or contact) or (contact and not person):
        # A contact without a name is refused by validation, which names the columns.
        contact = {"name": person[0] if person else "", **contact}
        if person:
            origins["contacts[0].name"] = person[1]
        data["contacts"] = [contact]
    return data


# --------------------------------------------------------------------- the problems


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def describe(error: FieldError, draft: Draft) -> Issue:
    """A validation error of a draft as a problem naming the column it came from."""
    path, message = error.path, error.message
    column = draft.origins.get(path)
    if column is None and path:
        # "address.city" of a vCard's addresses[0], or a nested path of a listed value.
        column = next(
            (label for p, label in draft.origins.items() if path.startswith(p)), None
        ) or next((label for p, label in draft.origins.items() if p.startswith(path)), None)
    custom = False
    if path == "name" and message.startswith("is required"):
        kind, custom = ProblemKind.MISSING_NAME, True
        message = (
            "no name to import it under (no FN, N or ORG)"
            if draft.where == "property"
            else "no name to import it under (the name columns are empty)"
        )
    elif "too long" in message:
        kind = ProblemKind.TOO_LONG
    elif path.endswith("birthday"):
        kind = ProblemKind.UNREADABLE_DATE
        message = message.replace("(use YYYY-MM-DD)", "(use YYYY-MM-DD, D/M/YYYY or M/D/YYYY)")
    elif re.search(r"(^|\.)emails\[", path):
        kind = ProblemKind.INVALID_EMAIL
    elif re.search(r"(^|\.)phones\[", path):
        kind = ProblemKind.INVALID_PHONE
    else:
        kind = ProblemKind.INVALID
    if path == "contacts[0].name" and message.startswith("is required"):
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
