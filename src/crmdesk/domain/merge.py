"""Merging an imported client into an existing one without overwriting anything, and
joining the cards or rows of one company into one client."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .entities import Address, Client, Contact
from .text import fold

# The top-level text fields a merge may fill when they are empty.
_FILLABLE = ("industry", "salesperson", "website", "source", "notes")


def merge_clients(existing: Client, incoming: Client) -> Client:
    """``existing`` with what ``incoming`` adds: empty fields filled; emails, phones,
    addresses, tags and contacts added; nothing that is there is overwritten. A contact
    with the same (folded) name is completed the same way instead of repeated."""
    filled = {
        name: getattr(incoming, name)
        for name in _FILLABLE
        if not getattr(existing, name) and getattr(incoming, name)
    }
    contacts = [dataclasses.replace(c) for c in existing.contacts]
    by_name = {fold(c.name.strip()): i for i, c in enumerate(contacts)}
    for new in incoming.contacts:
        at = by_name.get(fold(new.name.strip()))
        if at is None:
            by_name[fold(new.name.strip())] = len(contacts)
            contacts.append(dataclasses.replace(new, id=None))
        else:
            contacts[at] = _merge_contact(contacts[at], new)
    return dataclasses.replace(
        existing,
        **filled,
        emails=_added(existing.emails, incoming.emails, str.casefold),
        phones=_added(existing.phones, incoming.phones, str),
        addresses=_added(existing.addresses, incoming.addresses, _address_key),
        tags=_added(existing.tags, incoming.tags, str.casefold),
        contacts=contacts,
    )


def join_clients(first: Client, more: Client) -> Client:
    """``first`` with another card or row of the same client: as :func:`merge_clients`,
    but its contacts are added as they are (two people of one company may share a name;
    each card or row is a person)."""
    merged = merge_clients(
        dataclasses.replace(first, contacts=[]), dataclasses.replace(more, contacts=[])
    )
    return dataclasses.replace(
        merged,
        contacts=[*first.contacts, *(dataclasses.replace(c, id=None) for c in more.contacts)],
        kind=first.kind,
    )


def _merge_contact(old: Contact, new: Contact) -> Contact:
    return dataclasses.replace(
        old,
        title=old.title or new.title,
        birthday=old.birthday or new.birthday,
        notes=old.notes or new.notes,
        emails=_added(old.emails, new.emails, str.casefold),
        phones=_added(old.phones, new.phones, str),
    )


def _address_key(a: Address) -> tuple[str, ...]:
    return tuple(fold(v.strip()) for v in (a.street, a.city, a.region, a.postal_code, a.country))


def _added(old: list[Any], new: list[Any], key: Callable[[Any], object]) -> list[Any]:
    seen = {key(v) for v in old}
    out = list(old)
    for value in new:
        if key(value) not in seen:
            seen.add(key(value))
            out.append(value)
    return out
