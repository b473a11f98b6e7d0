"""Clients as vCard 3.0 cards (RFC 2426) for address books, written with vobject.

One card per client (the business: ORG and FN, its emails, phones, addresses, website,
tags as CATEGORIES, and its notes when the person may see them) and one per contact,
with the client as ORG. A private individual's own contact is not repeated as a second
card. Cards are written one at a time: a file of 100,000 clients is never held whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

import vobject

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.domain.text import fold


def _name(full: str) -> vobject.vcard.Name:
    """N for a person: the last word as family name, the rest as given names.

    Only a guess (a family name may come first or have several words), but the N
    property must be there and address books sort by it; FN keeps the name as written.
    """
    words = full.split()
    if len(words) < 2:
        return vobject.vcard.Name(given=full)
    return vobject.vcard.Name(family=words[-1], given=" ".join(words[:-1]))


def _add_reachability(
    card: vobject.base.Component, emails: Sequence[str], phones: Sequence[str]
) -> None:
    for address in emails:
        prop = card.add("email")
        prop.value = address
        prop.type_param = "INTERNET"
    for number in phones:
        prop = card.add("tel")
        prop.value = number
        prop.type_param = "WORK"


def _add_address(card: vobject.base.Component, address: Address) -> None:
    prop = card.add("adr")
    prop.value = vobject.vcard.Address(
        street=address.street,
        city=address.city,
        region=address.region,
        code=address.postal_code,
        country=address.country,
    )
    prop.type_param = "WORK"


def client_card(client: Client, uid: str) -> vobject.base.Component:
    """The card of the client itself."""
    card = vobject.vCard()
    card.add("uid").value = uid
    card.add("fn").value = client.name
    if client.kind == "individual":
        card.add("n").value = _name(client.name)
    else:
        card.add("n").value = vobject.vcard.Name()
        card.add("org").value = [client.name]
        # Apple Contacts shows such a card as a company rather than a nameless person.
        card.add("x-abshowas").value = "COMPANY"
    _add_reachability(card, client.emails, client.phones)
    for address in client.addresses:
        _add_address(card, address)
    if client.website:
        card.add("url").value = client.website
    if client.tags:
        card.add("categories").value = list(client.tags)
    if client.notes:  # empty when withheld from the person exporting
        card.add("note").value = client.notes
    return card


def contact_card(client: Client, contact: Contact, uid: str) -> vobject.base.Component:
    """The card of one of the client's people."""
    card = vobject.vCard()
    card.add("uid").value = uid
    card.add("fn").value = contact.name
    card.add("n").value = _name(contact.name)
    card.add("org").value = [client.name]
    if contact.title:
        card.add("title").value = contact.title
    _add_reachability(card, contact.emails, contact.phones)
    if contact.birthday:  # None when withheld
        card.add("bday").value = contact.birthday.isoformat()
    if contact.notes:
        card.add("note").value = contact.notes
    return card


def _is_the_client(client: Client, contact: Contact) -> bool:
    return client.kind == "individual" and fold(contact.name.strip()) == fold(client.name.strip())


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
        self._out.write(client_card(client, uid).serialize())
        for contact, contact_uid in zip(client.contacts, contact_uids, strict=True):
            if not _is_the_client(client, contact):
                self._out.write(contact_card(client, contact, contact_uid).serialize())

    def end(self) -> None:
        self._out.flush()
