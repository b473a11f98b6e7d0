"""Decoy contacts ("canaries") seeded into exports, so that a leaked file can be traced.

Each decoy is a made-up small business with one person at it, drawn by
:mod:`.decoy_identities` from the decoys' own small tables (realistic names, company
names, streets, and phone numbers only from ranges reserved for fiction, such as NANP
555-01xx, unless the owner lists numbers of their own); it never builds demo clients.
The person's email address is one the owner controls (:class:`ContactPoints`: listed
addresses, or a natural-looking but unguessable local part, ``first.last`` and two or
three random digits, at one of the owner's domains), unique across all decoys: mail to
it, or its name turning up elsewhere, points at the person it was given to. The business
has an address of its own, never the person's. Decoys are never stored as clients.

Pure: the caller brings the randomness (``random.SystemRandom`` in production), the
decoys already handed out, and stores what this returns.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from .decoy_identities import Business, draw_business
from .entities import Client, Contact, Task
from .text import fold

__all__ = [
    "MAX_PER_EXPORT",
    "ContactPoints",
    "Decoy",
    "decoy_positions",
    "identity_keys",
    "interleave",
    "make_decoys",
    "normalise_domain",
    "positions_by_key",
    "resemble",
]

T = TypeVar("T")
U = TypeVar("U")

MAX_PER_EXPORT = 5
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})", re.ASCII)
_WORD = re.compile(r"[a-z0-9]+", re.ASCII)
# What the person at a decoy business is asked to do, for calendar exports.
_TASKS = (
    "Call {name} about the next order",
    "Send the price list to {name}",
    "Follow up on the quote",
    "Book a visit with {name}",
    "Send samples to {name}",
    "Confirm delivery slots with {name}",
)
_STATUSES = ("active", "active", "active", "prospect")
_ATTEMPTS = 2000
# A business's own address, at its own domain (when the owner gave one per decoy).
_GENERIC = ("info", "office", "sales", "hello", "orders", "contact")
# Notes as people write them about a client, for a decoy whose model has notes.
_NOTES = (
    "Prefers email to phone calls.",
    "Orders are usually placed at the start of the month.",
    "Ask for the accounts contact before sending invoices.",
    "Small but steady; interested in the new range.",
    "Met at the regional trade fair.",
    "Pays on time. Likes a call before deliveries.",
)


@dataclass(frozen=True, slots=True)
class ContactPoints:
    """Where mail and calls to decoys reach the owner: one or more domains, and
    addresses and phone numbers the owner lists. Listed addresses and numbers are used
    first, once each; then addresses at the domains, each decoy at a domain of its own
    while there are enough (its website and office address there too)."""

    domains: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


def normalise_domain(text: str) -> str:
    """The owner's domain for decoy addresses, lowercased (an accented name in its
    ``xn--`` form); ValueError with a message for the owner when it is not a domain."""
    name = text.strip().rstrip(".").lower()
    if name.startswith(("http://", "https://")) or "@" in name or "/" in name:
        raise ValueError(
            f"Give the domain only, like example.com (not an address or a web link): {text!r}."
        )
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{text!r} is not a valid domain name.") from None
    labels = ascii_name.split(".")
    if (
        len(labels) < 2
        or len(ascii_name) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise ValueError(
            f"{text!r} is not a domain name like example.com: letters, digits and hyphens, "
            "at least two parts separated by dots."
        )
    return ascii_name


@dataclass(frozen=True, slots=True)
class Decoy:
    """One decoy: who it is, and the record that goes into the file."""

    name: str  # the person
    company: str
    email: str
    phone: str
    client: Client  # never stored in ``clients``: only written to export files
    task: Task  # the follow-up a calendar export shows for it


def identity_keys(name: str, company: str, email: str) -> set[str]:
    """What makes a decoy unique: its folded person name, company and email address."""
    return {fold(" ".join(name.split())), fold(" ".join(company.split())), email.casefold()}


def _local_part(person: str, rng: random.Random) -> str:
    """``first.last`` and 2 or 3 digits: how many people's own addresses look."""
    words = _WORD.findall(fold(person).replace("'", ""))
    if not words:
        words = ["info"]
    base = f"{words[0]}.{words[-1]}" if len(words) > 1 else words[0]
    return f"{base}{rng.randint(10, 999)}"


def make_decoys(
    count: int,
    domain: str,
    *,
    taken: Collection[str],
    today: dt.date,
    rng: random.Random,
    salespeople: Sequence[str] = (),
    points: ContactPoints | None = None,
) -> list[Decoy]:
    """``count`` new decoys with addresses at ``domain`` (or at the ``points``).

    ``taken`` holds :func:`identity_keys` of every decoy made before; none of the new
    ones repeats a person name, company or address (nor do they repeat one another).
    ``salespeople`` are the names the exported clients carry: a decoy gets one of them,
    so that it does not stand out by an empty column.
    """
    if not 0 <= count <= MAX_PER_EXPORT:
        raise ValueError(f"An export carries 0 to {MAX_PER_EXPORT} decoys, not {count}.")
    points = points or ContactPoints()
    domains = tuple(dict.fromkeys(normalise_domain(d) for d in (*points.domains, domain) if d))
    if not domains and not points.addresses:
        raise ValueError("Decoys need a domain or addresses of the owner's.")
    used = set(taken)
    addresses = [a for a in points.addresses if a.casefold() not in used]
    phones = [p for p in points.phones if p not in used]
    # Domains no decoy has yet: a decoy there gets it as its own (website, office mail).
    free_domains = [d for d in domains if not any(k.endswith(f"@{d}") for k in used)]
    made: list[Decoy] = []
    attempts = 0
    while len(made) < count:
        attempts += 1
        if attempts > _ATTEMPTS:
            raise ValueError("Could not make a new unique decoy; try again.")
        if not addresses and not domains:
            raise ValueError(
                "Every address the owner listed for decoys has been given out: the owner "
                "adds more addresses or a domain."
            )
        business = draw_business(rng)
        own = free_domains[0] if free_domains else None
        if addresses:
            email = addresses[0]
        else:
            at = own or rng.choice(domains)
            email = f"{_local_part(business.person, rng)}@{at}"
        decoy = _decoy(business, email, own, phones[0] if phones else "", rng, today, salespeople)
        keys = identity_keys(decoy.name, decoy.company, decoy.email)
        if keys & used:
            continue
        used |= keys
        if addresses:
            addresses.pop(0)
        if own:
            free_domains.pop(0)
            used.add(f"@{own}")
        if phones:
            used.add(phones.pop(0))
        made.append(decoy)
    return made


def _decoy(
    business: Business,
    email: str,
    own_domain: str | None,
    phone: str,
    rng: random.Random,
    today: dt.date,
    salespeople: Sequence[str],
) -> Decoy:
    """A made-up business as a decoy: its record as an export shows it, and a task.

    Filled in like a real record: the business has its own address (never the
    person's), a website when it has a domain of its own, and the person a direct line
    (the owner's number when they listed some)."""
    person = business.person
    person_phone = phone or business.person_phone
    contact = Contact(name=person, title=business.title, emails=[email], phones=[person_phone])
    task = Task(
        due=today + dt.timedelta(days=rng.randint(0, 21)),
        # The whole name: which word is the given name depends on the culture.
        title=rng.choice(_TASKS).format(name=person),
        contact=person,
    )
    domain = email.rsplit("@", 1)[-1]
    if own_domain:
        office_email = f"{rng.choice(_GENERIC)}@{own_domain}"
    else:
        words = _WORD.findall(fold(business.company).replace("'", ""))[:2] or ["office"]
        office_email = f"{''.join(words)}@{domain}"
    client = Client(
        name=business.company,
        kind="company",
        status=rng.choice(_STATUSES),
        industry=business.industry,
        salesperson=rng.choice(salespeople) if salespeople else "",
        emails=[office_email],
        # The business's own line, as most real businesses have.
        phones=[business.office_phone],
        website=f"https://www.{own_domain}" if own_domain else "",
        addresses=[business.address],
        tags=list(business.tags),
        # Nothing value-added from a real client: a decoy never needs history to be traced.
        contacts=[contact],
        tasks=[task],
    )
    return Decoy(person, business.company, email, person_phone, client, task)


def resemble(decoy: Decoy, template: Client, rng: random.Random) -> Decoy:
    """``decoy`` with what a filtered list has in common taken from a real ``template``
    of the same export: status, salesperson, tags, and the contact's birthday (month and
    day; another year). In a list of "prospects tagged VIP" a decoy is one too.
    """
    birthday = None
    model = template.contacts[0].birthday if template.contacts else None
    if model is not None:
        try:
            birthday = model.replace(year=model.year + rng.choice((-8, -4, 4, 8)))
        except ValueError:  # 29 February into a year that is not a leap year
            birthday = model
    contact = replace(decoy.client.contacts[0], birthday=birthday)
    client = replace(
        decoy.client,
        status=template.status,
        salesperson=template.salesperson,
        tags=list(template.tags),
        contacts=[contact],
        # Notes where its model has them (none where they are withheld from the reader).
        notes=rng.choice(_NOTES) if template.notes.strip() else "",
        # Its own website only: a made-up domain could be someone's real one.
        website=decoy.client.website if template.website else "",
    )
    return replace(decoy, client=client)


def decoy_positions(real: int, decoys: int, rng: random.Random) -> list[int]:
    """After how many real items each decoy goes, in order.

    Never first or last: each goes after 1 to ``real - 1`` real items, in different gaps
    while there are enough. With fewer than two real items that cannot be, and the
    decoys follow them.
    """
    if decoys <= 0:
        return []
    if real < 2:
        return [real] * decoys
    gaps = list(range(1, real))
    if decoys <= len(gaps):
        return sorted(rng.sample(gaps, decoys))
    return sorted(rng.choice(gaps) for _ in range(decoys))


def positions_by_key(
    keys: Sequence[str], decoy_keys: Sequence[str], *, descending: bool = False
) -> list[int]:
    """After how many real items each decoy goes when the file is sorted by ``keys``.

    ``keys`` are the real items' sort keys in file order (ascending, or descending); a
    decoy goes where its key sorts, so that it does not stand out in a sorted list, but
    never first or last (it is then kept just inside). Returned in ``decoy_keys`` order.
    """
    real = len(keys)
    if real < 2:
        return [real] * len(decoy_keys)
    ascending = list(reversed(keys)) if descending else keys
    out = []
    for key in decoy_keys:
        after = (
            real - bisect.bisect_left(ascending, key)
            if descending
            else bisect.bisect_right(ascending, key)
        )
        out.append(min(max(after, 1), real - 1))
    return out


def interleave(items: Iterable[T], extras: Sequence[U], after: Sequence[int]) -> Iterator[T | U]:
    """``items`` with ``extras[i]`` placed after ``after[i]`` of them (``after`` sorted)."""
    pending = list(zip(after, extras, strict=True))
    index = 0
    while index < len(pending) and pending[index][0] <= 0:
        yield pending[index][1]
        index += 1
    for done, item in enumerate(items, start=1):
        yield item
        while index < len(pending) and pending[index][0] <= done:
            yield pending[index][1]
            index += 1
    yield from (extra for _, extra in pending[index:])
