"""What makes two clients likely the same: an email address, a phone number or a name.

Keys are hashes, so that the keys of 100,000 clients fit in a few MB; a collision only
ever suggests a duplicate for a person to look at, it never merges anything by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .entities import Client
from .text import fold

_NOT_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """A name as duplicates are compared: folded, punctuation and extra spaces gone."""
    return " ".join(_NOT_WORD.sub(" ", fold(name)).split())


def _email(email: str) -> int:
    return hash(("e", email.casefold()))


def _phone(phone: str) -> int:
    return hash(("p", phone))


def _name(key: str) -> int:
    return hash(("n", key))


def duplicate_keys(client: Client) -> list[tuple[int, str, str]]:
    """(key, what, value) per email and phone (E.164) of the client and its contacts,
    and for its name: ``what`` is "email", "phone" or "name", for telling a person why."""
    found: list[tuple[int, str, str]] = []
    emails = list(client.emails) + [e for c in client.contacts for e in c.emails]
    phones = list(client.phones) + [p for c in client.contacts for p in c.phones]
    for email in emails:
        found.append((_email(email), "email", email))
    for phone in phones:
        found.append((_phone(phone), "phone", phone))
    name = name_key(client.name)
    if name:
        found.append((_name(name), "name", client.name))
    return found


def stored_keys(emails: Iterable[str], phones: Iterable[str], name: str = "") -> list[int]:
    """The keys of a stored client's (or contact's) emails, phones and name, the same as
    :func:`duplicate_keys` gives for them."""
    keys = [_email(e) for e in emails] + [_phone(p) for p in phones]
    if name and (folded := name_key(name)):
        keys.append(_name(folded))
    return keys
