"""Client JSON into a validated :class:`~crmdesk.domain.entities.Client`: the records and
their keys, on top of :mod:`.json_reader`'s building blocks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .entities import (
    CLIENT_KINDS,
    CLIENT_STATUSES,
    INTERACTION_KINDS,
    MAX_ADDRESS_LINE,
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
from .json_encoder import client_body
from .json_keys import (
    ADDRESS_KEYS,
    CLIENT_KEYS,
    CONTACT_KEYS,
    INTERACTION_KEYS,
    LINE_ITEM_KEYS,
    PERSONAL_KEYS,
    PREFERENCE_KEYS,
    PRICING_KEYS,
    PURCHASE_KEYS,
    READ_ONLY_KEYS,
    REDACTED_KEY,
    SEASONAL_NEED_KEYS,
    SPECIFICATION_KEYS,
    TASK_KEYS,
)
from .json_reader import JsonReader, unique_values
from .validation import (
    clean_text,
    describe_type,
    parse_money,
    parse_months,
    parse_percent,
    parse_quantity,
    parse_website,
)


class _Decoder(JsonReader):
    """Turns JSON-like data into entities, recording every problem in one Collector."""

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
            self.c.add(
                join_path(path, "unit_price"),
                'is required (a decimal string like "19.90")',
                "field.required",
            )
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
            self.c.add(
                join_path(path, "months"),
                "is required (a list of month numbers 1-12)",
                "field.required",
            )
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
            out["tags"] = unique_values([t for t in tags if t], key=str.casefold)

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
    fresh = client_from_json(client_body(client), default_region=default_region)

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
