"""A CSV row turned into client JSON with a column mapping (:mod:`.mapping`).

Whether that JSON is a valid client is decided by
:func:`crmdesk.domain.json_codec.client_from_json` alone, so the rules stay in one place.
When the row names a company and a person, the company is the client and the person
its contact; a row with only a person is an individual client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from crmdesk.domain.json_codec import ADDRESS_KEYS
from crmdesk.domain.text import fold

from .csv_import import CsvRecord, unneutralise
from .drafts import Draft, Issue, ProblemKind
from .import_dates import DateOrder, DateReading, normalise_date
from .mapping import IGNORE, column_target

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
                target, listed = column_target(target)
                self.columns.append((i, label, target, listed))

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
