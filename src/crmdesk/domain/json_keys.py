"""The keys of the client JSON contract (:mod:`.json_codec`), in the order they are
written, and the keys crmdesk sets itself."""

from __future__ import annotations

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

# Emitted by client_to_json (and by the service, for "patterns" and "coverage") but never
# accepted as input: crmdesk itself sets them.
READ_ONLY_KEYS: tuple[str, ...] = (
    "id", "version", "created_at", "updated_at", "patterns", "coverage",
)  # fmt: skip
# Marks a redacted export; such a document lacks value-added data, so importing or
# patching with it would silently erase that data.
REDACTED_KEY = "redacted"
