"""Clients as a CSV file that Excel, LibreOffice and Google Sheets open as they are.

UTF-8 with a byte order mark (without it Excel reads UTF-8 as the local code page and
mangles every accent), commas, CRLF line ends, one row per client with its first contact
in the Contact columns. Lists are joined with "; ". Every cell goes through
:func:`~crmdesk.domain.spreadsheet.neutralise_cell`, so a value that starts like a
formula is shown as text instead of being run ("CSV injection").
"""

from __future__ import annotations

import csv
from typing import TextIO

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.domain.spreadsheet import neutralise_cell

HEADER: tuple[str, ...] = (
    "Name",
    "Kind",
    "Status",
    "Industry",
    "Salesperson",
    "Email",
    "Emails",
    "Phone",
    "Phones",
    "Website",
    "Street",
    "City",
    "Region",
    "Postal code",
    "Country",
    "Tags",
    "Notes",
    "Contact name",
    "Contact title",
    "Contact email",
    "Contact phone",
    "Contact birthday",
)
SEPARATOR = "; "
BOM = "\ufeff"
_NO_ADDRESS = Address()
_NO_CONTACT = Contact(name="")


def client_cells(client: Client) -> list[str]:
    """The row of one client, in :data:`HEADER` order, before neutralising."""
    address = client.addresses[0] if client.addresses else _NO_ADDRESS
    contact = client.contacts[0] if client.contacts else _NO_CONTACT
    return [
        client.name,
        client.kind,
        client.status,
        client.industry,
        client.salesperson,
        client.emails[0] if client.emails else "",
        SEPARATOR.join(client.emails),
        client.phones[0] if client.phones else "",
        SEPARATOR.join(client.phones),
        client.website,
        address.street,
        address.city,
        address.region,
        address.postal_code,
        address.country,
        SEPARATOR.join(client.tags),
        client.notes,
        contact.name,
        contact.title,
        contact.emails[0] if contact.emails else "",
        contact.phones[0] if contact.phones else "",
        contact.birthday.isoformat() if contact.birthday else "",
    ]


class CsvWriter:
    """Streams rows to ``out``: a text file opened with ``newline=""`` and UTF-8.

    Call :meth:`begin` once, :meth:`add` per client, then :meth:`end`.
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out
        # E.164 phone numbers start with "+" and are neutralised like any other cell:
        # a spreadsheet would otherwise take "+1202..." for a formula.
        self._writer = csv.writer(out, lineterminator="\r\n")

    def begin(self) -> None:
        self._out.write(BOM)
        self._writer.writerow(HEADER)

    def add(self, client: Client) -> None:
        self._writer.writerow([neutralise_cell(cell) for cell in client_cells(client)])

    def end(self) -> None:
        self._out.flush()
