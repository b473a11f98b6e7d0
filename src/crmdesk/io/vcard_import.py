"""Reading vCard files (2.1, 3.0 and 4.0) into client JSON, one card at a time.

Cards are cut out of the stream here, with every size checked as the lines arrive, and
only then parsed by vobject: so a 10 MB property, cards nested a thousand deep or a
card that never ends cost bounded time and memory, and spoil only their own card.
Photos, logos, sounds and keys are skipped unread: crmdesk keeps none of them.

A card with an organisation (ORG) is a company client and its person (FN or N) the
contact; a card without one is an individual. A company's own card (vCard 4
``KIND:org``, Apple's ``X-ABShowAs:COMPANY``, or a name equal to the ORG) has no person.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import vobject

from crmdesk.domain.json_codec import ADDRESS_KEYS
from crmdesk.domain.text import fold

from .drafts import Draft, Issue, ProblemKind
from .import_dates import DateOrder, normalise_date
from .import_rows import clean_tag
from .import_text import (
    LineCounter,
    StreamedFile,
    TextEncoding,
    bounded_lines,
    detect_encoding,
)
from .limits import DEFAULT_LIMITS, ImportFormatError, Limits

_SKIPPED = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_MESSAGE_CHARS = 200


def _property_name(line: str) -> str:
    """``item1.EMAIL;TYPE=work:x`` -> ``EMAIL``."""
    end = len(line)
    for sep in (":", ";"):
        i = line.find(sep)
        if i != -1:
            end = min(end, i)
    return line[:end].rsplit(".", 1)[-1].strip().upper()


def _is(line: str, what: str) -> bool:
    return line.strip().upper().replace(" ", "") == what


class _Card:
    """The lines of one card being cut out of the stream, or why it is broken."""

    def __init__(self, number: int, line: int) -> None:
        self.number, self.line = number, line
        self.lines: list[str] = []
        self.chars = 0
        self.broken: str | None = None

    def add(self, text: str, limits: Limits) -> None:
        if self.broken:
            return
        self.chars += len(text)
        if self.chars > limits.max_record_chars:
            self.fail(f"the card is longer than {limits.max_record_chars:,} characters")
        else:
            self.lines.append(text)

    def fail(self, why: str) -> None:
        if not self.broken:
            self.broken = why
            self.lines = []


class VcardReader(StreamedFile):
    """Streams the cards of a vCard file as drafts of client JSON, hashing its bytes.

    Use as a context manager; :meth:`drafts` yields one draft per card (``row`` is the
    card's number, ``line`` its BEGIN line), :meth:`finish` the file's SHA-256.
    """

    def __init__(
        self, path: Path, encoding: TextEncoding | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        super().__init__(path, encoding or detect_encoding(path, limits))
        self.limits = limits

    def drafts(self) -> Iterator[Draft]:
        for card in self._cards():
            yield card_draft(card)

    def _cards(self) -> Iterator[_Card]:
        assert self._text is not None, "use VcardReader as a context manager"
        limits, name = self.limits, self.path.name
        counter = LineCounter()
        card: _Card | None = None
        depth = 0
        number = 0
        skipping = False  # inside a property that is skipped (a photo) or too long
        property_chars = 0
        current, current_line = "", 0  # the property being read, for messages
        for raw in bounded_lines(self._text, counter, self.path, self.encoding, limits):
            text = raw.rstrip("\r\n")
            if card is None:
                if not text.strip():
                    continue
                if not _is(text, "BEGIN:VCARD"):
                    raise ImportFormatError(
                        f"Line {counter.line:,} of {name} is not part of a vCard: a vCard "
                        "file holds cards from BEGIN:VCARD to END:VCARD. If it is a CSV "
                        "file, import it as CSV.",
                        code="import.vcard.not_a_card",
                        line=counter.line,
                        file=name,
                    )
                number += 1
                if number > limits.max_records:
                    raise ImportFormatError(
                        f"{name} has more than {limits.max_records:,} cards; split it into "
                        "smaller files and import them one by one.",
                        code="import.too_many_rows",
                        row=number,
                    )
                card, depth, skipping = _Card(number, counter.line), 1, False
                card.add(text, limits)
                continue
            if text[:1] in (" ", "\t"):  # a folded line continues the property
                if skipping:
                    continue
                property_chars += len(text) - 1
                if property_chars > limits.max_property_chars:
                    card.fail(
                        f"the {current} property (line {current_line:,}) is "
                        f"longer than {limits.max_property_chars:,} characters"
                    )
                    skipping = True
                    continue
                card.add(text, limits)
                continue
            if not text.strip():
                continue  # vCard 2.1 ends inline binary data with a blank line
            prop = _property_name(text)
            current, current_line = prop, counter.line
            property_chars = len(text)
            skipping = prop in _SKIPPED
            if prop == "BEGIN":
                depth += 1
                if depth > limits.max_nesting:
                    card.fail(
                        f"cards are nested more than {limits.max_nesting} deep (line "
                        f"{counter.line:,})"
                    )
            elif prop == "END":
                depth -= 1
                if depth == 0:
                    card.add(text, limits)
                    yield card
                    card = None
                    continue
            if skipping:
                continue
            if property_chars > limits.max_property_chars:
                card.fail(
                    f"the {prop} property (line {counter.line:,}) is longer than "
                    f"{limits.max_property_chars:,} characters"
                )
                skipping = True
                continue
            card.add(text, limits)
        if card is not None:
            card.fail(f"it has no END:VCARD: {name} is truncated, or the card is damaged")
            yield card


def card_draft(card: _Card) -> Draft:
    """One cut-out card parsed by vobject and turned into client JSON."""
    draft = Draft(card.number, card.line, None, where="property")
    where = f"card {card.number} (line {card.line:,})"
    if card.broken:
        draft.issues.append(Issue(ProblemKind.UNREADABLE, f"{where}: {card.broken}"))
        return draft
    try:
        parsed = vobject.readOne("\r\n".join(card.lines) + "\r\n", allowQP=True)
        draft.data = _card_json(parsed, draft.origins)
    except Exception as exc:  # noqa: BLE001 - vobject raises many kinds on bad input
        why = " ".join(str(exc).split())[:_MESSAGE_CHARS] or type(exc).__name__
        draft.data = None
        draft.origins.clear()
        draft.issues.append(Issue(ProblemKind.UNREADABLE, f"{where} cannot be read: {why}"))
    return draft


def _text(value: object) -> str:
    """A property value as one string (vobject gives lists for comma-separated values)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if _text(v))
    return str(value).strip()


def _values(card: Any, name: str) -> list[Any]:
    return [line.value for line in card.contents.get(name, [])]


def _first(card: Any, name: str) -> str:
    return next((t for t in map(_text, _values(card, name)) if t), "")


def _structured(value: object, field: str) -> str:
    """A part of N or ADR, whether vobject parsed it (an object) or left it as text."""
    return _text(getattr(value, field, ""))


def _card_json(card: Any, origins: dict[str, str]) -> dict[str, Any]:
    person = _first(card, "fn")
    names = _values(card, "n")
    if not person and names:
        n = names[0]
        parts = (_structured(n, f) for f in ("prefix", "given", "additional", "family", "suffix"))
        person = " ".join(p for p in parts if p)
    person_from = "FN" if _first(card, "fn") else "N"
    orgs = _values(card, "org")
    org = ""
    if orgs:
        value = orgs[0]
        org = _text(value[0] if isinstance(value, list | tuple) and value else value)
        if isinstance(value, str):
            org = value.split(";")[0].strip()
    kind = fold(_first(card, "kind"))
    shown_as = fold(_first(card, "x-abshowas"))
    company_card = bool(org) and (
        kind in ("org", "organization") or shown_as == "company" or fold(person) == fold(org)
    )
    data: dict[str, Any] = {}
    if org:
        data["name"], data["kind"] = org, "company"
        origins["name"] = "ORG"
    elif person:
        data["name"], data["kind"] = person, "individual"
        origins["name"] = person_from
    emails = [t for t in map(_text, _values(card, "email")) if t]
    phones = [_phone(t) for t in map(_text, _values(card, "tel")) if t]
    for key, values, prop in (("emails", emails, "EMAIL"), ("phones", phones, "TEL")):
        if values:
            data[key] = values
            origins.update({f"{key}[{i}]": prop for i in range(len(values))})
    addresses = [_address(v) for v in _values(card, "adr")]
    addresses = [a for a in addresses if any(a.values())]
    if addresses:
        data["addresses"] = addresses
        origins.update({f"addresses[{i}]": "ADR" for i in range(len(addresses))})
    website = _first(card, "url")
    if website:
        data["website"], origins["website"] = website, "URL"
    tags: list[str] = []
    for value in _values(card, "categories"):
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        tags += [t for t in (clean_tag(_text(i)) for i in items) if t]
    if tags:
        data["tags"] = tags
        origins.update({f"tags[{i}]": "CATEGORIES" for i in range(len(tags))})
    notes = [t for t in map(_text, _values(card, "note")) if t]
    if notes:
        data["notes"], origins["notes"] = "\n".join(notes), "NOTE"
    title = _first(card, "title")
    birthday = _first(card, "bday")
    contact: dict[str, Any] = {}
    if title:
        contact["title"], origins["contacts[0].title"] = title, "TITLE"
    if birthday:
        contact["birthday"] = normalise_date(birthday.split("T")[0], DateOrder.MDY) or None
        origins["contacts[0].birthday"] = "BDAY"
    if person and ((org and not company_card) or contact):
        data["contacts"] = [{"name": person, **contact}]
        origins["contacts[0].name"] = person_from
    return data


def _phone(text: str) -> str:
    """vCard 4 writes numbers as URIs: ``tel:+1-202-555-0123``."""
    return text[4:] if text.lower().startswith("tel:") else text


def _address(value: object) -> dict[str, str]:
    if isinstance(value, str):  # left unparsed: box;extended;street;city;region;code;country
        parts = [p.strip() for p in value.split(";")] + [""] * 7
        box, extended, street, city, region, code, country = parts[:7]
    else:
        box, extended, street, city, region, code, country = (
            _structured(value, f)
            for f in ("box", "extended", "street", "city", "region", "code", "country")
        )
    lines = ", ".join(p for p in (street, extended, box) if p)
    return dict(zip(ADDRESS_KEYS, (lines, city, region, code, country), strict=True))
