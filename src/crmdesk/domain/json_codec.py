"""The JSON contract of a client record (used by the CLI and documented for users).

Money, quantities and percentages travel as decimal strings ("19.90"), dates as
"YYYY-MM-DD", timestamps as ISO 8601 with an offset. ``email``/``phone``/``address`` are
the primary (first) entry of ``emails``/``phones``/``addresses``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from .entities import (
    CLIENT_KINDS,
    CLIENT_STATUSES,
    INTERACTION_KINDS,
    MAX_ADDRESS_LINE,
    MAX_NAME,
    MAX_TAG,
    MAX_TEXT,
    Address,
    Client,
    Contact,
    Interaction,
    LineItem,
    PersonalProfile,
    Preference,
    PricingAgreement,
    Purchase,
    SeasonalNeed,
    Specification,
    Task,
)
from .errors import index_path, join_path
from .validation import (
    Collector,
    clean_text,
    describe_type,
    format_decimal,
    format_timestamp,
    normalise_email,
    normalise_phone,
    parse_date,
    parse_money,
    parse_months,
    parse_percent,
    parse_quantity,
    parse_website,
    shown,
)

T = TypeVar("T")

CLIENT_KEYS: tuple[str, ...] = (
    "name",
    "kind",
    "status",
    "industry",
    "salesperson",
    "email",
    "emails",
    "phone",
    "phones",
    "website",
    "address",
    "addresses",
    "tags",
    "source",
    "notes",
    "contacts",
    "purchases",
    "pricing",
    "preferences",
    "seasonal_needs",
    "specifications",
    "interactions",
    "tasks",
)
ADDRESS_KEYS: tuple[str, ...] = ("street", "city", "region", "postal_code", "country")
PERSONAL_KEYS: tuple[str, ...] = ("hobbies", "activities", "education", "memberships", "family")
CONTACT_KEYS: tuple[str, ...] = (
    "name",
    "title",
    "email",
    "emails",
    "phone",
    "phones",
    "birthday",
    "personal",
    "notes",
)
PURCHASE_KEYS: tuple[str, ...] = ("date", "items", "notes")
LINE_ITEM_KEYS: tuple[str, ...] = ("product", "quantity", "unit_price", "discount_percent")
PRICING_KEYS: tuple[str, ...] = (
    "product",
    "price",
    "discount_percent",
    "valid_from",
    "valid_to",
    "terms",
)
PREFERENCE_KEYS: tuple[str, ...] = ("topic", "detail")
SEASONAL_NEED_KEYS: tuple[str, ...] = ("months", "need")
SPECIFICATION_KEYS: tuple[str, ...] = ("item", "detail")
INTERACTION_KEYS: tuple[str, ...] = ("date", "kind", "contact", "summary", "outcome")
TASK_KEYS: tuple[str, ...] = ("due", "title", "done", "contact")

# Emitted by client_to_json (and by the service, for "patterns") but never accepted as
# input: crmdesk itself sets them.
READ_ONLY_KEYS: tuple[str, ...] = ("id", "version", "created_at", "updated_at", "patterns")
# Marks a redacted export; such a document lacks value-added data, so importing or
# patching with it would silently erase that data.
REDACTED_KEY = "redacted"


# ---------------------------------------------------------------------------- decoding


class _Decoder:
    """Turns JSON-like data into entities, recording every problem in one Collector."""

    def __init__(self, default_region: str) -> None:
        self.c = Collector()
        self.region = default_region

    # -- building blocks

    def ok_since(self, count: int) -> bool:
        return len(self.c) == count

    def obj(
        self, value: object, path: str, allowed: tuple[str, ...], what: str
    ) -> dict[str, Any] | None:
        """Check ``value`` is an object with only ``allowed`` keys; unknown keys are errors."""
        if not isinstance(value, dict):
            self.c.add(path, f"expected {what} as an object, got {describe_type(value)}")
            return None
        for key in value:
            if not isinstance(key, str):
                self.c.add(path, f"keys must be strings, got {describe_type(key)}")
            elif key not in allowed:
                self.c.add(
                    join_path(path, key),
                    f"unknown key {shown(key)}; allowed keys are: {', '.join(allowed)}",
                )
        return value

    def items(
        self, value: object, path: str, parse_one: Callable[[object, str], T | None]
    ) -> list[T]:
        """Decode a list (null means empty), skipping entries that failed."""
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.c.add(path, f"expected a list, got {describe_type(value)}")
            return []
        parsed = (parse_one(v, index_path(path, i)) for i, v in enumerate(value))
        return [p for p in parsed if p is not None]

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        max_length: int = MAX_NAME,
        *,
        required: bool = False,
        multiline: bool = False,
    ) -> str:
        value = self.c.check(
            clean_text,
            obj.get(key),
            join_path(path, key),
            max_length=max_length,
            required=required,
            multiline=multiline,
        )
        return value if value is not None else ""

    def choice(
        self, obj: dict[str, Any], key: str, path: str, choices: tuple[str, ...], default: str
    ) -> str:
        raw = obj.get(key)
        if raw is None and default:
            return default
        where = join_path(path, key)
        if raw is None:
            self.c.add(where, f"is required; one of: {', '.join(choices)}")
            return default
        if isinstance(raw, str) and raw.strip().lower() in choices:
            return raw.strip().lower()
        got = shown(raw) if isinstance(raw, str) else describe_type(raw)
        self.c.add(where, f"must be one of: {', '.join(choices)} (got {got})")
        return default

    def date(self, obj: dict[str, Any], key: str, path: str, *, required: bool) -> dt.date | None:
        raw = obj.get(key)
        if raw is None or raw == "":
            if required:
                self.c.add(join_path(path, key), "is required (a date, YYYY-MM-DD)")
            return None
        return self.c.check(parse_date, raw, join_path(path, key))

    def email(self, value: object, path: str) -> str | None:
        return self.c.check(normalise_email, value, path)

    def phone(self, value: object, path: str) -> str | None:
        return self.c.check(normalise_phone, value, path, default_region=self.region)

    def primary_and_list(
        self,
        obj: dict[str, Any],
        path: str,
        one_key: str,
        many_key: str,
        parse_one: Callable[[object, str], T | None],
        existing: list[T] | None,
        *,
        unique: bool = True,
    ) -> list[T] | None:
        """Resolve ``email``/``emails``-style pairs; None when neither key is present.

        The list is authoritative; a primary given alone replaces the first entry of
        ``existing`` (or becomes the only entry), and null/"" removes it.
        """
        many: list[T] | None = None
        many_ok = True
        if many_key in obj:
            mark = len(self.c)
            many = self.items(obj[many_key], join_path(path, many_key), parse_one)
            many_ok = self.ok_since(mark)
            if unique:
                many = _unique(many)
        if one_key not in obj:
            return many
        raw = obj[one_key]
        where = join_path(path, one_key)
        mark = len(self.c)
        one = None if raw is None or raw == "" else parse_one(raw, where)
        if many is not None:
            if self.ok_since(mark) and many_ok and one != (many[0] if many else None):
                self.c.add(
                    where,
                    f"does not match the first entry of {many_key!r}; send only "
                    f"{many_key!r}, or make {one_key!r} equal its first entry",
                )
            return many
        if not self.ok_since(mark):
            return None
        rest = list(existing[1:]) if existing else []
        combined = ([one] if one is not None else []) + rest
        return _unique(combined) if unique else combined

    # -- entities

    def address(self, value: object, path: str) -> Address | None:
        obj = self.obj(value, path, ADDRESS_KEYS, "an address")
        if obj is None:
            return None
        return Address(**{k: self.text(obj, k, path, MAX_ADDRESS_LINE) for k in ADDRESS_KEYS})

    def personal(self, value: object, path: str) -> PersonalProfile:
        if value is None:
            return PersonalProfile()
        obj = self.obj(value, path, PERSONAL_KEYS, "a personal profile")
        if obj is None:
            return PersonalProfile()
        fields: dict[str, str] = {}
        for key in PERSONAL_KEYS:
            raw = obj.get(key)
            if isinstance(raw, list | tuple):
                # Convenience for JSON authors: ["golf", "sailing"] -> "golf, sailing".
                mark = len(self.c)
                parts = [
                    self.c.check(
                        clean_text,
                        part,
                        index_path(join_path(path, key), i),
                        max_length=MAX_TEXT,
                        multiline=True,
                    )
                    for i, part in enumerate(raw)
                ]
                if not self.ok_since(mark):
                    fields[key] = ""
                    continue
                raw = ", ".join(p for p in parts if p)
            fields[key] = self.text({key: raw}, key, path, MAX_TEXT, multiline=True)
        return PersonalProfile(**fields)

    def contact(self, value: object, path: str) -> Contact | None:
        obj = self.obj(value, path, CONTACT_KEYS, "a contact")
        if obj is None:
            return None
        emails = self.primary_and_list(obj, path, "email", "emails", self.email, None)
        phones = self.primary_and_list(obj, path, "phone", "phones", self.phone, None)
        return Contact(
            name=self.text(obj, "name", path, required=True),
            title=self.text(obj, "title", path),
            emails=emails or [],
            phones=phones or [],
            birthday=self.date(obj, "birthday", path, required=False),
            personal=self.personal(obj.get("personal"), join_path(path, "personal")),
            notes=self.text(obj, "notes", path, MAX_TEXT, multiline=True),
        )

    def line_item(self, value: object, path: str) -> LineItem | None:
        obj = self.obj(value, path, LINE_ITEM_KEYS, "a line item")
        if obj is None:
            return None
        product = self.text(obj, "product", path, required=True)
        quantity_raw = obj.get("quantity")
        quantity = (
            Decimal("1")
            if quantity_raw is None
            else self.c.check(parse_quantity, quantity_raw, join_path(path, "quantity"))
        )
        price_raw = obj.get("unit_price")
        if price_raw is None:
            self.c.add(join_path(path, "unit_price"), 'is required (a decimal string like "19.90")')
            unit_price = None
        else:
            unit_price = self.c.check(parse_money, price_raw, join_path(path, "unit_price"))
        discount_raw = obj.get("discount_percent")
        discount = (
            Decimal("0")
            if discount_raw is None
            else self.c.check(parse_percent, discount_raw, join_path(path, "discount_percent"))
        )
        return LineItem(product, quantity, unit_price, discount)  # type: ignore[arg-type]

    def purchase(self, value: object, path: str) -> Purchase | None:
        obj = self.obj(value, path, PURCHASE_KEYS, "a purchase")
        if obj is None:
            return None
        return Purchase(
            date=self.date(obj, "date", path, required=True),  # type: ignore[arg-type]
            items=self.items(obj.get("items"), join_path(path, "items"), self.line_item),
            notes=self.text(obj, "notes", path, MAX_TEXT, multiline=True),
        )

    def pricing(self, value: object, path: str) -> PricingAgreement | None:
        obj = self.obj(value, path, PRICING_KEYS, "a pricing agreement")
        if obj is None:
            return None
        product = self.text(obj, "product", path, required=True)
        mark = len(self.c)
        price = discount = None
        if obj.get("price") is not None:
            price = self.c.check(parse_money, obj["price"], join_path(path, "price"))
        if obj.get("discount_percent") is not None:
            discount = self.c.check(
                parse_percent, obj["discount_percent"], join_path(path, "discount_percent")
            )
        if price is None and discount is None and self.ok_since(mark):
            self.c.add(path, "needs a price or a discount_percent (or both)")
        valid_from = self.date(obj, "valid_from", path, required=False)
        valid_to = self.date(obj, "valid_to", path, required=False)
        if valid_from and valid_to and valid_to < valid_from:
            self.c.add(
                join_path(path, "valid_to"),
                f"is before valid_from ({valid_from.isoformat()})",
            )
        return PricingAgreement(
            product=product,
            price=price,
            discount_percent=discount,
            valid_from=valid_from,
            valid_to=valid_to,
            terms=self.text(obj, "terms", path, MAX_TEXT, multiline=True),
        )

    def preference(self, value: object, path: str) -> Preference | None:
        obj = self.obj(value, path, PREFERENCE_KEYS, "a preference")
        if obj is None:
            return None
        return Preference(
            topic=self.text(obj, "topic", path, required=True),
            detail=self.text(obj, "detail", path, MAX_TEXT, multiline=True),
        )

    def seasonal_need(self, value: object, path: str) -> SeasonalNeed | None:
        obj = self.obj(value, path, SEASONAL_NEED_KEYS, "a seasonal need")
        if obj is None:
            return None
        months: tuple[int, ...] | None = ()
        if obj.get("months") is None:
            self.c.add(join_path(path, "months"), "is required (a list of month numbers 1-12)")
        else:
            months = self.c.check(parse_months, obj["months"], join_path(path, "months"))
        return SeasonalNeed(
            months=months or (),
            need=self.text(obj, "need", path, MAX_TEXT, required=True, multiline=True),
        )

    def specification(self, value: object, path: str) -> Specification | None:
        obj = self.obj(value, path, SPECIFICATION_KEYS, "a specification")
        if obj is None:
            return None
        return Specification(
            item=self.text(obj, "item", path, required=True),
            detail=self.text(obj, "detail", path, MAX_TEXT, multiline=True),
        )

    def interaction(self, value: object, path: str) -> Interaction | None:
        obj = self.obj(value, path, INTERACTION_KEYS, "an interaction")
        if obj is None:
            return None
        return Interaction(
            date=self.date(obj, "date", path, required=True),  # type: ignore[arg-type]
            kind=self.choice(obj, "kind", path, INTERACTION_KINDS, ""),
            contact=self.text(obj, "contact", path),
            summary=self.text(obj, "summary", path, MAX_TEXT, multiline=True),
            outcome=self.text(obj, "outcome", path, MAX_TEXT, multiline=True),
        )

    def task(self, value: object, path: str) -> Task | None:
        obj = self.obj(value, path, TASK_KEYS, "a task")
        if obj is None:
            return None
        done = obj.get("done")
        if done is None:
            done = False
        elif not isinstance(done, bool):
            got = describe_type(done)
            self.c.add(join_path(path, "done"), f"expected true or false, got {got}")
            done = False
        return Task(
            due=self.date(obj, "due", path, required=True),  # type: ignore[arg-type]
            title=self.text(obj, "title", path, required=True),
            done=done,
            contact=self.text(obj, "contact", path),
        )

    def tag(self, value: object, path: str) -> str | None:
        return self.c.check(clean_text, value, path, max_length=MAX_TAG)

    def client_fields(
        self, data: object, base: Client | None, *, ignore_read_only: bool, patching: bool
    ) -> dict[str, Any]:
        """Decode the keys present in ``data`` into Client field values."""
        if not isinstance(data, dict):
            what = "a patch" if patching else "a client"
            self.c.add("", f"expected {what} as a JSON object, got {describe_type(data)}")
            return {}
        if REDACTED_KEY in data:
            self.c.add(
                REDACTED_KEY,
                "this is a redacted export (value-added fields were removed); "
                "it cannot be imported or applied",
            )
        body: dict[str, Any] = {}
        for key, value in data.items():
            if key in READ_ONLY_KEYS:
                if not ignore_read_only:
                    how = "changed with a patch" if patching else "given"
                    self.c.add(key, f"is set by crmdesk and cannot be {how}; remove it")
            elif key != REDACTED_KEY:
                body[key] = value
        obj = self.obj(body, "", CLIENT_KEYS, "a client")
        assert obj is not None  # body is a dict
        out: dict[str, Any] = {}
        if "name" in obj or not patching:
            out["name"] = self.text(obj, "name", "", required=True)
        for key, choices, default in (
            ("kind", CLIENT_KINDS, "company"),
            ("status", CLIENT_STATUSES, "prospect"),
        ):
            if key in obj:
                out[key] = self.choice(obj, key, "", choices, default)
        for key in ("industry", "salesperson", "source"):
            if key in obj:
                out[key] = self.text(obj, key, "")
        if "notes" in obj:
            out["notes"] = self.text(obj, "notes", "", MAX_TEXT, multiline=True)
        if "website" in obj:
            raw = obj["website"]
            website = "" if raw in (None, "") else self.c.check(parse_website, raw, "website")
            out["website"] = website or ""

        pairs: tuple[tuple[str, str, Callable[[object, str], Any], bool], ...] = (
            ("email", "emails", self.email, True),
            ("phone", "phones", self.phone, True),
            ("address", "addresses", self.address, False),
        )
        for one_key, many_key, parse_one, unique in pairs:
            existing = getattr(base, many_key) if base is not None else None
            resolved = self.primary_and_list(
                obj, "", one_key, many_key, parse_one, existing, unique=unique
            )
            if resolved is not None:
                out[many_key] = resolved

        if "tags" in obj:
            tags = self.items(obj["tags"], "tags", self.tag)
            out["tags"] = _unique([t for t in tags if t], key=str.casefold)

        children: tuple[tuple[str, Callable[[object, str], Any]], ...] = (
            ("contacts", self.contact),
            ("purchases", self.purchase),
            ("pricing", self.pricing),
            ("preferences", self.preference),
            ("seasonal_needs", self.seasonal_need),
            ("specifications", self.specification),
            ("interactions", self.interaction),
            ("tasks", self.task),
        )
        for key, parse_child in children:
            if key in obj:
                out[key] = self.items(obj[key], key, parse_child)
        return out


def _unique(values: list[T], key: Callable[[T], object] | None = None) -> list[T]:
    """Drop repeats, keeping the first occurrence and the order."""
    seen: set[object] = set()
    result: list[T] = []
    for value in values:
        marker = key(value) if key else value
        if marker not in seen:
            seen.add(marker)
            result.append(value)
    return result


def client_from_json(
    data: object, *, default_region: str = "US", ignore_read_only: bool = False
) -> Client:
    """Build a new, fully validated Client from JSON data.

    Raises ValidationError listing every problem. ``id``, ``version``, ``created_at``,
    ``updated_at`` and ``patterns`` are refused unless ``ignore_read_only`` (e.g. when
    importing an earlier export), in which case they are dropped.
    """
    decoder = _Decoder(default_region)
    fields = decoder.client_fields(data, None, ignore_read_only=ignore_read_only, patching=False)
    decoder.c.raise_if_any()
    return Client(**fields)


def apply_patch(
    client: Client,
    patch: object,
    *,
    default_region: str = "US",
    ignore_read_only: bool = False,
) -> Client:
    """Return a copy of ``client`` with the patch's top-level keys replaced.

    Child lists are replaced wholesale (their entries get no ids). ``email``/``phone``/
    ``address`` alone replace only the first entry. ``id``, ``version``, timestamps and
    ``patterns`` are refused (version checks are the service's job) unless
    ``ignore_read_only``. The result keeps the client's id, version and timestamps.
    """
    decoder = _Decoder(default_region)
    fields = decoder.client_fields(patch, client, ignore_read_only=ignore_read_only, patching=True)
    decoder.c.raise_if_any()
    return dataclasses.replace(client, **fields)


def validate_client(client: Client, *, default_region: str = "US") -> Client:
    """Check and normalise a Client built in code (e.g. by the GUI) with the JSON rules.

    Returns a normalised copy (E.164 phones, trimmed text, cents...) that keeps every id,
    the version and the timestamps; raises ValidationError with JSON-style paths.
    """
    fresh = client_from_json(_client_body(client), default_region=default_region)

    def keep_ids(new: list[Any], old: list[Any]) -> list[Any]:
        return [dataclasses.replace(n, id=o.id) for n, o in zip(new, old, strict=True)]

    return dataclasses.replace(
        fresh,
        contacts=keep_ids(fresh.contacts, client.contacts),
        purchases=keep_ids(fresh.purchases, client.purchases),
        pricing=keep_ids(fresh.pricing, client.pricing),
        preferences=keep_ids(fresh.preferences, client.preferences),
        seasonal_needs=keep_ids(fresh.seasonal_needs, client.seasonal_needs),
        specifications=keep_ids(fresh.specifications, client.specifications),
        interactions=keep_ids(fresh.interactions, client.interactions),
        tasks=keep_ids(fresh.tasks, client.tasks),
        id=client.id,
        version=client.version,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


# ---------------------------------------------------------------------------- encoding
# The encoders pass through values of unexpected types unchanged, so validate_client can
# hand a half-filled Client to the decoder and get field errors instead of a crash.


def _date_out(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _decimal_out(value: object) -> object:
    return format_decimal(value) if isinstance(value, Decimal) else value


def _first(values: object) -> object:
    return values[0] if isinstance(values, list | tuple) and values else None


def _each(values: object, kind: type, encode: Callable[[Any], object]) -> object:
    if not isinstance(values, list | tuple):
        return values
    return [encode(v) if isinstance(v, kind) else v for v in values]


def _copy_list(values: object) -> object:
    return list(values) if isinstance(values, list | tuple) else values


def _address_out(a: Address) -> dict[str, Any]:
    return {
        "street": a.street,
        "city": a.city,
        "region": a.region,
        "postal_code": a.postal_code,
        "country": a.country,
    }


def _personal_out(p: PersonalProfile) -> dict[str, Any]:
    return {
        "hobbies": p.hobbies,
        "activities": p.activities,
        "education": p.education,
        "memberships": p.memberships,
        "family": p.family,
    }


def _contact_out(c: Contact) -> dict[str, Any]:
    return {
        "name": c.name,
        "title": c.title,
        "email": _first(c.emails),
        "emails": _copy_list(c.emails),
        "phone": _first(c.phones),
        "phones": _copy_list(c.phones),
        "birthday": _date_out(c.birthday),
        "personal": (
            _personal_out(c.personal) if isinstance(c.personal, PersonalProfile) else c.personal
        ),
        "notes": c.notes,
    }


def _line_item_out(i: LineItem) -> dict[str, Any]:
    return {
        "product": i.product,
        "quantity": _decimal_out(i.quantity),
        "unit_price": _decimal_out(i.unit_price),
        "discount_percent": _decimal_out(i.discount_percent),
    }


def _purchase_out(p: Purchase) -> dict[str, Any]:
    return {
        "date": _date_out(p.date),
        "items": _each(p.items, LineItem, _line_item_out),
        "notes": p.notes,
    }


def _pricing_out(p: PricingAgreement) -> dict[str, Any]:
    return {
        "product": p.product,
        "price": _decimal_out(p.price),
        "discount_percent": _decimal_out(p.discount_percent),
        "valid_from": _date_out(p.valid_from),
        "valid_to": _date_out(p.valid_to),
        "terms": p.terms,
    }


def _preference_out(p: Preference) -> dict[str, Any]:
    return {"topic": p.topic, "detail": p.detail}


def _seasonal_need_out(s: SeasonalNeed) -> dict[str, Any]:
    return {"months": _copy_list(s.months), "need": s.need}


def _specification_out(s: Specification) -> dict[str, Any]:
    return {"item": s.item, "detail": s.detail}


def _interaction_out(i: Interaction) -> dict[str, Any]:
    return {
        "date": _date_out(i.date),
        "kind": i.kind,
        "contact": i.contact,
        "summary": i.summary,
        "outcome": i.outcome,
    }


def _task_out(t: Task) -> dict[str, Any]:
    return {"due": _date_out(t.due), "title": t.title, "done": t.done, "contact": t.contact}


def _client_body(c: Client) -> dict[str, Any]:
    """Every CLIENT_KEYS key, in that order."""
    primary_address = _first(c.addresses)
    return {
        "name": c.name,
        "kind": c.kind,
        "status": c.status,
        "industry": c.industry,
        "salesperson": c.salesperson,
        "email": _first(c.emails),
        "emails": _copy_list(c.emails),
        "phone": _first(c.phones),
        "phones": _copy_list(c.phones),
        "website": c.website,
        "address": (
            _address_out(primary_address)
            if isinstance(primary_address, Address)
            else primary_address
        ),
        "addresses": _each(c.addresses, Address, _address_out),
        "tags": _copy_list(c.tags),
        "source": c.source,
        "notes": c.notes,
        "contacts": _each(c.contacts, Contact, _contact_out),
        "purchases": _each(c.purchases, Purchase, _purchase_out),
        "pricing": _each(c.pricing, PricingAgreement, _pricing_out),
        "preferences": _each(c.preferences, Preference, _preference_out),
        "seasonal_needs": _each(c.seasonal_needs, SeasonalNeed, _seasonal_need_out),
        "specifications": _each(c.specifications, Specification, _specification_out),
        "interactions": _each(c.interactions, Interaction, _interaction_out),
        "tasks": _each(c.tasks, Task, _task_out),
    }


def client_to_json(client: Client) -> dict[str, Any]:
    """The client as JSON-ready data: every key, plus id/version/timestamps once saved.

    ``version`` is emitted with ``id`` (an unsaved client has no meaningful version).
    Child ids are internal and not emitted.
    """
    out = _client_body(client)
    if client.id is not None:
        out["id"] = client.id
        out["version"] = client.version
    if client.created_at is not None:
        out["created_at"] = format_timestamp(client.created_at)
    if client.updated_at is not None:
        out["updated_at"] = format_timestamp(client.updated_at)
    return out


__all__ = [
    "ADDRESS_KEYS",
    "CLIENT_KEYS",
    "CONTACT_KEYS",
    "INTERACTION_KEYS",
    "LINE_ITEM_KEYS",
    "PERSONAL_KEYS",
    "PREFERENCE_KEYS",
    "PRICING_KEYS",
    "PURCHASE_KEYS",
    "READ_ONLY_KEYS",
    "REDACTED_KEY",
    "SEASONAL_NEED_KEYS",
    "SPECIFICATION_KEYS",
    "TASK_KEYS",
    "apply_patch",
    "client_from_json",
    "client_to_json",
    "validate_client",
]
