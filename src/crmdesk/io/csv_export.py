"""Clients as a CSV file that Excel, LibreOffice and Google Sheets open as they are, and
that crmdesk's import reads back whole.

UTF-8 with a byte order mark (without it Excel reads UTF-8 as the local code page and
mangles every accent), commas, CRLF line ends. One row per contact person (a client
without contacts has one row), the client's columns repeated on each row and its
"Client ID" telling the rows of one client apart from those of another of the same name;
every address in numbered columns ("Address 2 - City"), as Google's format has them.
Lists are joined with "; ". A cell that a spreadsheet would run as a formula goes
through :func:`~crmdesk.domain.spreadsheet.neutralise_cell` ("CSV injection"); plain
phone numbers ("+14035550153") are left as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import TextIO

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.domain.spreadsheet import neutralise_cell

NO_YEAR = 1900  # crmdesk's birthday without a year (written --MM-DD, as Google does)
SEPARATOR = "; "
BOM = "\ufeff"
CLIENT_COLUMNS: tuple[str, ...] = (
    "Client ID",
    "Name",
    "Kind",
    "Status",
    "Industry",
    "Salesperson",
    "Source",
    "Website",
    "Emails",
    "Phones",
    "Tags",
    "Notes",
)
ADDRESS_PARTS: tuple[str, ...] = ("Street", "City", "Region", "Postal code", "Country")
CONTACT_COLUMNS: tuple[str, ...] = (
    "Contact name",
    "Contact title",
    "Contact emails",
    "Contact phones",
    "Contact birthday",
    "Contact notes",
)
_NO_ADDRESS = Address()


def header(addresses: int = 1) -> tuple[str, ...]:
    """The columns, with ``addresses`` numbered address groups (at least one)."""
    numbered = tuple(
        f"Address {n} - {part}" for n in range(1, max(addresses, 1) + 1) for part in ADDRESS_PARTS
    )
    return CLIENT_COLUMNS + numbered + CONTACT_COLUMNS


def _date(day: dt.date | None) -> str:
    if day is None:
        return ""
    return f"--{day.month:02d}-{day.day:02d}" if day.year == NO_YEAR else day.isoformat()


def client_rows(client: Client, key: str, addresses: int = 1) -> list[list[str]]:
    """The rows of one client, in :func:`header` order, before neutralising."""
    base = [
        key,
        client.name,
        client.kind,
        client.status,
        client.industry,
        client.salesperson,
        client.source,
        client.website,
        SEPARATOR.join(client.emails),
        SEPARATOR.join(client.phones),
        SEPARATOR.join(client.tags),
        client.notes,
    ]
    width = max(addresses, 1)
    for n in range(width):
        address = client.addresses[n] if n < len(client.addresses) else _NO_ADDRESS
        base += [
            address.street,
            address.city,
            address.region,
            address.postal_code,
            address.country,
        ]
    contacts: list[Contact | None] = list(client.contacts) or [None]
    return [base + _contact_cells(contact) for contact in contacts]


def _contact_cells(contact: Contact | None) -> list[str]:
    if contact is None:
        return [""] * len(CONTACT_COLUMNS)
    return [
        contact.name,
        contact.title,
        SEPARATOR.join(contact.emails),
        SEPARATOR.join(contact.phones),
        _date(contact.birthday),
        contact.notes,
    ]


class CsvWriter:
    """Streams rows to ``out``: a text file opened with ``newline=""`` and UTF-8.

    Call :meth:`begin` once, :meth:`add` per client, then :meth:`end`. ``addresses`` is
    the most addresses any client has (the numbered address columns).
    """

    def __init__(self, out: TextIO, addresses: int = 1) -> None:
        self._out = out
        self._addresses = max(addresses, 1)
        self._writer = csv.writer(out, lineterminator="\r\n")

    def begin(self) -> None:
        self._out.write(BOM)
        self._writer.writerow(header(self._addresses))

    def add(self, client: Client, key: str) -> None:
        if len(client.addresses) > self._addresses:  # never drop one: a wider header
            raise ValueError("a client has more addresses than the header has columns")
        for row in client_rows(client, key, self._addresses):
            self._writer.writerow([neutralise_cell(cell) for cell in row])

    def end(self) -> None:
        self._out.flush()
