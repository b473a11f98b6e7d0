"""Clients as vCard 3.0 cards (RFC 2426) for address books, and for crmdesk to read back.

One card per client (the business: ORG and FN, its emails, phones, addresses, website,
tags as CATEGORIES, and its notes when the person may see them) and one per contact
person, with the client as ORG (what phones and mail programs group people by) and a link
to the client's card (``X-CRMDESK-CLIENT``, which crmdesk's import follows, so that two
clients of the same name keep their own people). A private individual's own contact is
not repeated as a second card: its title, birthday, notes and its own emails and phones
are on the individual's card. crmdesk's fields that vCard has no property for travel
in X-CRMDESK- properties (kind, status, industry, salesperson, source).

Written by hand, not with a vCard library: cards are plain text, and building each
through objects cost 1-2 ms a card (7 minutes for 100,000 clients). The tests read every
card back with vobject, the reference reader. Lines are folded at 75 bytes, never inside
a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TextIO

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.domain.phones import split_extension
from crmdesk.domain.text import fold

NO_YEAR = 1900  # crmdesk's birthday without a year (written --MM-DD)
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", ",": "\\,", ";": "\\;", "\r": ""})
_FOLD_AT = 75


def escape(text: str) -> str:
    """Text as a vCard 3.0 TEXT value: backslash, comma, semicolon and line breaks escaped."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_ESCAPES)


def fold_line(line: str) -> str:
    """A content line with its CRLF, folded at 75 bytes (a fold never splits a
    character: ownCloud's did, and a strict reader then refuses the file)."""
    if len(line) <= _FOLD_AT and (line.isascii() or len(line.encode("utf-8")) <= _FOLD_AT):
        return line + "\r\n"
    parts: list[str] = []
    size, start = 0, 0
    limit = _FOLD_AT
    for i, ch in enumerate(line):
        width = 1 if ch < "\x80" else len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(line[start:i])
            start, size, limit = i, 0, _FOLD_AT - 1  # continuation lines start with a space
        size += width
    parts.append(line[start:])
    return "\r\n ".join(parts) + "\r\n"


def name_parts(full: str) -> str:
    """N for a person: the last word as family name, the rest as given names.

    Only a guess (a family name may come first or have several words), but the N
    property must be there and address books sort by it; FN keeps the name as written.
    """
    words = full.split()
    if len(words) < 2:
        return f";{escape(full)};;;"
    return f"{escape(words[-1])};{escape(' '.join(words[:-1]))};;;"


def phone_text(stored: str) -> str:
    """A stored number as a TEL value: ``+12025550173;ext=102`` -> ``+12025550173 ext. 102``
    (what address books show and crmdesk reads back)."""
    number, extension = split_extension(stored)
    return f"{number} ext. {extension}" if extension else number


def date_text(day: dt.date) -> str:
    return f"--{day.month:02d}-{day.day:02d}" if day.year == NO_YEAR else day.isoformat()


def _address(address: Address) -> str:
    return ";".join(
        (
            "",
            "",
            escape(address.street),
            escape(address.city),
            escape(address.region),
            escape(address.postal_code),
            escape(address.country),
        )
    )


def _is_the_client(client: Client, contact: Contact) -> bool:
    return client.kind == "individual" and fold(contact.name.strip()) == fold(client.name.strip())


def client_card(client: Client, uid: str) -> str:
    """The card of the client itself, folded, with its CRLFs."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{escape(uid)}", f"FN:{escape(client.name)}"]
    add = lines.append
    if client.kind == "individual":
        add(f"N:{name_parts(client.name)}")
    else:
        add("N:;;;;")
        add(f"ORG:{escape(client.name)}")
        # Apple Contacts shows such a card as a company rather than a nameless person.
        add("X-ABShowAs:COMPANY")
    add(f"X-CRMDESK-KIND:{escape(client.kind)}")
    for key, value in (
        ("STATUS", client.status),
        ("INDUSTRY", client.industry),
        ("SALESPERSON", client.salesperson),
        ("SOURCE", client.source),
    ):
        if value:
            add(f"X-CRMDESK-{key}:{escape(value)}")
    own = next((c for c in client.contacts if _is_the_client(client, c)), None)
    for address in client.emails:
        add(f"EMAIL;TYPE=INTERNET:{escape(address)}")
    for number in client.phones:
        add(f"TEL;TYPE=WORK:{escape(phone_text(number))}")
    if own is not None:
        _own_contact(lines, client, own)
    for address in client.addresses:
        add(f"ADR;TYPE=WORK:{_address(address)}")
    if client.website:
        add(f"URL:{client.website}")
    if client.tags:
        add("CATEGORIES:" + ",".join(escape(tag) for tag in client.tags))
    if client.notes:  # empty when withheld from the person exporting
        add(f"NOTE:{escape(client.notes)}")
    add("END:VCARD")
    return "".join(fold_line(line) for line in lines)


def _own_contact(lines: list[str], client: Client, own: Contact) -> None:
    """An individual's own contact record on their card: address books see its title,
    birthday, emails and phones; crmdesk reads back which are the record's."""
    add = lines.append
    add("X-CRMDESK-SELF:TRUE")
    if own.title:
        add(f"TITLE:{escape(own.title)}")
    if own.birthday:  # None when withheld
        add(f"BDAY:{date_text(own.birthday)}")
    for address in own.emails:
        if address not in client.emails:
            add(f"EMAIL;TYPE=INTERNET;X-CRMDESK-OF=CONTACT:{escape(address)}")
    for number in own.phones:
        if number not in client.phones:
            add(f"TEL;TYPE=CELL;X-CRMDESK-OF=CONTACT:{escape(phone_text(number))}")
    if own.emails:
        add("X-CRMDESK-CONTACT-EMAILS:" + ",".join(escape(e) for e in own.emails))
    if own.phones:
        add("X-CRMDESK-CONTACT-PHONES:" + ",".join(escape(p) for p in own.phones))
    if own.notes:
        add(f"X-CRMDESK-CONTACT-NOTE:{escape(own.notes)}")


def contact_card(client: Client, contact: Contact, uid: str, client_uid: str) -> str:
    """The card of one of the client's people, folded, with its CRLFs."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"UID:{escape(uid)}",
        f"FN:{escape(contact.name)}",
        f"N:{name_parts(contact.name)}",
    ]
    add = lines.append
    if client.kind != "individual":
        add(f"ORG:{escape(client.name)}")
    if contact.title:
        add(f"TITLE:{escape(contact.title)}")
    for address in contact.emails:
        add(f"EMAIL;TYPE=INTERNET:{escape(address)}")
    for number in contact.phones:
        add(f"TEL;TYPE=WORK:{escape(phone_text(number))}")
    if contact.birthday:  # None when withheld
        add(f"BDAY:{date_text(contact.birthday)}")
    if contact.notes:
        add(f"NOTE:{escape(contact.notes)}")
    add(f"X-CRMDESK-CLIENT:{escape(client_uid)}")
    add("END:VCARD")
    return "".join(fold_line(line) for line in lines)


class VCardWriter:
    """Streams cards to ``out`` (text, UTF-8, ``newline=""``: cards carry their CRLFs).

    Call :meth:`begin`, :meth:`add` per client with one UID for the client and one per
    contact, then :meth:`end`.
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def begin(self) -> None:
        pass

    def add(self, client: Client, uid: str, contact_uids: Sequence[str]) -> None:
        write = self._out.write
        write(client_card(client, uid))
        own_seen = False
        for contact, contact_uid in zip(client.contacts, contact_uids, strict=True):
            if not own_seen and _is_the_client(client, contact):
                own_seen = True  # on the client's card
                continue
            write(contact_card(client, contact, contact_uid, uid))

    def end(self) -> None:
        self._out.flush()
