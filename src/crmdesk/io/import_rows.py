"""A CSV row turned into client JSON with a column mapping (:mod:`.mapping`).

Whether that JSON is a valid client is decided by
:func:`crmdesk.domain.json_codec.client_from_json` alone, so the rules stay in one place.

- A row that names a company and a person is that person at the company: the company is
  the client and the person its contact, with the row's own emails, phones and web
  pages. Rows of one company are one client (:attr:`Draft.group`), and so are rows with
  the same client key (crmdesk's export writes a row per contact person).
- A row with only a person is an individual client; a row with neither is named by its
  first email address or phone number (:mod:`crmdesk.domain.naming`).
- Columns crmdesk has no field for are kept in the notes with their label ("Nickname:
  Bob", Google's "Relation 1 - Value" labelled by its "Relation 1 - Label": "Spouse:
  Jane"); ignored columns that hold values are listed, so that the import can say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from crmdesk.domain.duplicates import name_key
from crmdesk.domain.json_codec import ADDRESS_KEYS
from crmdesk.domain.naming import add_lines, fallback_name, kept_line, labelled_line
from crmdesk.domain.text import fold

from .csv_import import CsvRecord, unneutralise
from .drafts import Draft
from .import_dates import DateOrder, DateReading, normalise_date
from .mapping import ADDRESS_GROUPS, IGNORE, LABEL, NOTE_WORDS, column_target, header_key
from .mapping_guess import COMPANY, raw_target

# Google's system groups say nothing about the client.
_SYSTEM_TAGS = {"mycontacts", "starred", "other contacts", "othercontacts"}
# "a; b" (crmdesk, Outlook) or "a ::: b" (Google); never the ";ext=" of a phone number.
_MULTI_SPLIT = re.compile(r"\s*(?:;(?!ext=)|:::)\s*")
_NUMBERED_VALUE = re.compile(r"(.+) (\d+) (value|formatted)")
_LABELLED_TARGETS = ("notes", "note", "contact.notes", "contact.hobbies", "contact.family")

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

Values = dict[str, list[tuple[str, str]]]  # target -> (value, the label to show with it)


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


class _Column:
    __slots__ = ("index", "label", "target", "listed", "plain", "sibling", "family", "origin")

    def __init__(self, index: int, label: str, target: str, listed: bool) -> None:
        self.index, self.label, self.target, self.listed = index, label, target, listed
        self.plain = False  # a notes column whose values need no label
        self.sibling: int | None = None  # the column labelling this one's values
        self.family = label  # what its values are called when their sibling is empty
        # The origin of its values unless a sibling labels them (made once, not per row).
        self.origin = _Origin(label, label)


class RowBuilder:
    """Turns CSV records into client JSON with one mapping and one date order."""

    def __init__(self, header: Sequence[str], mapping: Mapping[str, str], dates: DateReading):
        self.header = tuple(header)
        self.dates = dates
        self.columns: list[_Column] = []
        self.ignored: list[tuple[int, str]] = []
        keys = [header_key(label) for label in header]
        # People of one company are one client when the file names companies as contact
        # programs do ("Company", "Organization 1 - Name"): a row is a person at one. A
        # list of clients ("Name") keeps two clients of one name apart.
        self.by_company = any(
            mapping.get(label) == "name" and raw_target(label) == COMPANY for label in header
        )
        for i, label in enumerate(header):
            target = mapping.get(label, IGNORE)
            if target == IGNORE:
                self.ignored.append((i, label))
            elif target != LABEL:
                target, listed = column_target(target)
                self.columns.append(_Column(i, label, target, listed))
        for target in _LABELLED_TARGETS:
            feeding = [c for c in self.columns if c.target == target]
            for column in feeding:
                # A lone column of a person's details keeps its label ("Connected On:
                # 12 Mar 2021"); a lone notes column is the notes themselves.
                alone = len(feeding) == 1 and target in ("notes", "note")
                column.plain = alone or keys[column.index] in NOTE_WORDS
        for column in self.columns:
            m = _NUMBERED_VALUE.fullmatch(keys[column.index])
            if m:
                column.family = m.group(1).capitalize()
            if m and column.target in _LABELLED_TARGETS:
                family, n = m.group(1), m.group(2)
                for kind in ("service", "label", "type"):
                    key = f"{family} {n} {kind}"
                    if key in keys:
                        column.sibling = keys.index(key)
                        break
            if column.plain:
                column.origin = _Origin(column.label, "")
        # Only the address groups some column feeds are looked for in a row.
        self.address_groups = tuple(
            g for g in ADDRESS_GROUPS if any(c.target.startswith(f"{g}.") for c in self.columns)
        )

    def date_cells(self, record: CsvRecord) -> Iterable[str]:
        """The cells of date columns (for the first pass that decides the date order)."""
        for column in self.columns:
            if column.target == "contact.birthday" and column.index < len(record.cells):
                yield record.cells[column.index]

    @property
    def has_dates(self) -> bool:
        return any(c.target == "contact.birthday" for c in self.columns)

    def build(self, record: CsvRecord) -> Draft:
        cells = record.cells
        draft = Draft(record.row, record.line, None)
        values: Values = {}
        width = len(cells)
        for column in self.columns:
            if column.index >= width:
                continue
            cell = _cell(cells[column.index])
            if not cell:
                continue
            origin = column.origin
            if column.sibling is not None and column.sibling < width:
                label = _cell(cells[column.sibling]).lstrip("*").strip()
                origin = _Origin(column.label, label or column.family)
            target = column.target
            if column.listed:
                parts = split_values(cell) if (";" in cell or ":::" in cell) else [cell]
                if target == "tags":
                    parts = [t for t in map(clean_tag, parts) if t]
                values.setdefault(target, []).extend((p, origin) for p in parts)
            else:
                values.setdefault(target, []).append((cell, origin))
        for i, label in self.ignored:
            if i < width and cells[i].strip():
                draft.ignored.append(label)
        extra: list[str] = []
        if width > len(self.header):
            extra = [c.strip() for c in cells[len(self.header) :] if c.strip()]
        if not values and not any(c.strip() for c in cells):
            draft.blank = True
            return draft
        data, origins, group, leads = _client_json(
            values, self.dates.order, self.by_company, self.address_groups
        )
        if group and group.startswith("org:") and not self.by_company:
            group, leads = None, False
        if extra:
            # A delimiter inside an unquoted value, most likely: kept, not dropped.
            line = kept_line(
                f"{len(extra)} value(s) past the last of the {len(self.header)} columns",
                "; ".join(extra),
            )
            owner = data["contacts"][0] if data.get("contacts") else data
            owner["notes"] = add_lines(owner.get("notes", ""), [line])
        draft.data, draft.origins, draft.group, draft.leads = data, origins, group, leads
        return draft


def _cell(text: str) -> str:
    if text[:1] == "'":
        text = unneutralise(text)
    return text.strip()


class _Origin(str):
    """A value's column label, and the label shown with it in the notes ("" for none)."""

    shown: str

    def __new__(cls, column: str, shown: str) -> _Origin:
        self = super().__new__(cls, column)
        self.shown = shown
        return self


def _lines(found: list[tuple[str, str]]) -> list[str]:
    return [
        labelled_line(getattr(origin, "shown", ""), value)
        if getattr(origin, "shown", "")
        else value
        for value, origin in found
    ]


def _client_json(
    values: Values,
    order: DateOrder,
    by_company: bool = True,
    address_groups: Sequence[str] = ADDRESS_GROUPS,
) -> tuple[dict[str, Any], dict[str, str], str | None, bool]:
    """Client JSON from the values of one row, where each value came from, the row's
    group and whether it is the company's own row. ``by_company``: the file names
    companies as contact programs do, so a row's own email, phone and notes are its
    person's; in a list of clients ("Name", "Email", "Contact name") they are the
    client's."""
    origins: dict[str, str] = {}

    def first(target: str) -> tuple[str, str] | None:
        found = values.get(target)
        return found[0] if found else None

    def put(path: str, found: tuple[str, str] | None, into: dict[str, Any]) -> None:
        if found:
            into[path.rsplit(".", 1)[-1]] = found[0]
            origins[path] = str(found[1])

    def put_list(path: str, found: list[tuple[str, str]], into: dict[str, Any]) -> None:
        if found:
            key = path.rsplit(".", 1)[-1]
            start = len(into.get(key, []))
            into[key] = into.get(key, []) + [v for v, _ in found]
            for i, (_, label) in enumerate(found, start=start):
                origins[f"{path}[{i}]"] = str(label)

    def put_lines(path: str, found: list[tuple[str, str]] | None, into: dict[str, Any]) -> None:
        if found:
            key = path.rsplit(".", 1)[-1]
            into[key] = add_lines(into.get(key, ""), _lines(found))
            origins.setdefault(path, str(found[0][1]))

    data: dict[str, Any] = {}
    company = first("name")
    person = first("contact.name")
    if person is None:
        names = ("contact.given_name", "contact.middle_name", "contact.family_name")
        present = [p for p in (first(t) for t in names) if p]
        if present:
            person = (" ".join(v for v, _ in present), present[0][1])
    own_emails = values.get("email", [])
    own_phones = values.get("phone", [])
    at_company = company is not None and person is not None
    persons_own = at_company and by_company
    name = company or person
    if name is None:
        fallback = fallback_name(
            "", "", [v for v, _ in own_emails + values.get("emails", [])],
            [v for v, _ in own_phones + values.get("phones", [])],
        )  # fmt: skip
        source = own_emails + values.get("emails", []) + own_phones + values.get("phones", [])
        if fallback:
            name = (fallback, source[0][1])
    put("name", name, data)
    kind = first("kind")
    if kind:
        data["kind"] = kind_value(kind[0])
        origins["kind"] = str(kind[1])
    elif company is None and name is not None:
        data["kind"] = "individual"
    status = first("status")
    if status:
        data["status"] = status_value(status[0])
        origins["status"] = str(status[1])
    for target in ("industry", "salesperson", "website", "source"):
        put(target, first(target), data)
    put_list("emails", values.get("emails", []), data)
    put_list("phones", values.get("phones", []), data)
    put_list("tags", values.get("tags", []), data)
    put_lines("notes", values.get("notes"), data)
    addresses = _addresses(values, origins, address_groups)
    if addresses:
        data["addresses"] = addresses

    contact: dict[str, Any] = {}
    put("contacts[0].title", first("contact.title"), contact)
    birthday = first("contact.birthday") or _birthday_parts(values)
    if birthday:
        contact["birthday"] = normalise_date(birthday[0], order) or None
        origins["contacts[0].birthday"] = str(birthday[1])
    put_list("contacts[0].emails", values.get("contact.emails", []), contact)
    put_list("contacts[0].phones", values.get("contact.phones", []), contact)
    web_pages = values.get("web_page", [])
    if persons_own:
        put_list("contacts[0].emails", own_emails, contact)
        put_list("contacts[0].phones", own_phones, contact)
        put_lines("contacts[0].notes", values.get("note"), contact)
        put_lines("contacts[0].notes", _shown_as(web_pages, "Web page"), contact)
    else:
        put_list("emails", own_emails, data)
        put_list("phones", own_phones, data)
        put_lines("notes", values.get("note"), data)
        if web_pages and "website" not in data:
            put("website", web_pages[0], data)
            web_pages = web_pages[1:]
        put_lines("notes", _shown_as(web_pages, "Web page"), data)
    put_lines("contacts[0].notes", values.get("contact.notes"), contact)
    personal: dict[str, str] = {}
    for key in ("hobbies", "family"):
        found = values.get(f"contact.{key}")
        if found:
            personal[key] = "\n".join(_lines(found))
            origins[f"contacts[0].personal.{key}"] = str(found[0][1])
    if personal:
        contact["personal"] = personal
    client_is_person = company is None and person is not None
    if person is not None and (not client_is_person or contact):
        data["contacts"] = [{"name": person[0], **contact}]
        origins["contacts[0].name"] = str(person[1])
    elif contact:
        contact_name = fallback_name(
            "", "", contact.get("emails") or [], contact.get("phones") or []
        )
        if contact_name:
            data["contacts"] = [{"name": contact_name, **contact}]
            origins["contacts[0].name"] = origins.get("contacts[0].emails[0]") or origins.get(
                "contacts[0].phones[0]", ""
            )
        else:  # details of a person without a name, email or phone: the client's notes
            lines = [
                str(v) if k == "notes" else labelled_line(k.replace("_", " ").capitalize(), str(v))
                for k, v in contact.items()
                if k != "personal" and v
            ]
            lines += [f"{k.capitalize()}: {v}" for k, v in personal.items()]
            data["notes"] = add_lines(data.get("notes", ""), lines)
    key = first("client_key")
    if key:
        return data, origins, f"key:{key[0]}", True
    if company is not None and data.get("kind", "company") == "company":
        return data, origins, f"org:{name_key(company[0])}", not at_company
    return data, origins, None, False


def _shown_as(found: list[tuple[str, str]], default: str) -> list[tuple[str, str]]:
    """Values kept in the notes always carry a label: their column's."""
    return [
        (
            value,
            origin
            if getattr(origin, "shown", "")
            else _Origin(str(origin), str(origin) or default),
        )
        for value, origin in found
    ]


def _birthday_parts(values: Values) -> tuple[str, str] | None:
    """Thunderbird's "Birth Year", "Birth Month" and "Birth Day" as one date."""
    parts = [values.get(f"contact.birthday.{p}") for p in ("year", "month", "day")]
    year, month, day = (p[0] if p else None for p in parts)
    if month is None or day is None:
        return None
    origin = next(p for p in (month, day, year) if p)[1]
    y, m, d = (year[0] if year else ""), month[0], day[0]
    if not (m.isdigit() and d.isdigit() and (not y or y.isdigit())):
        return (f"{y} {m} {d}".strip(), origin)
    text = f"{int(y):04d}-{int(m):02d}-{int(d):02d}" if y else f"--{int(m):02d}-{int(d):02d}"
    return text, origin


def _addresses(
    values: Values, origins: dict[str, str], groups: Sequence[str]
) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for group in groups:
        address: dict[str, str] = {}
        first_label = ""
        streets = values.get(f"{group}.street")
        if streets:
            address["street"] = ", ".join(v for v, _ in streets)
            first_label = str(streets[0][1])
        for key in ADDRESS_KEYS[1:]:
            got = values.get(f"{group}.{key}")
            if got:
                address[key] = got[0][0]
                first_label = first_label or str(got[0][1])
        formatted = values.get(f"{group}.formatted")
        if formatted and not address:
            address["street"] = ", ".join(
                line.strip() for line in formatted[0][0].splitlines() if line.strip()
            )
            first_label = str(formatted[0][1])
        if address:
            origins[f"addresses[{len(found)}]"] = first_label
            found.append({key: address.get(key, "") for key in ADDRESS_KEYS})
    return found
