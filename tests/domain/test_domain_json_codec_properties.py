"""Property tests of the JSON contract: round trips, and only ValidationError on junk."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.domain.entities import (
    CLIENT_KINDS,
    CLIENT_STATUSES,
    INTERACTION_KINDS,
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
from crmdesk.domain.errors import ValidationError
from crmdesk.domain.json_codec import (
    ADDRESS_KEYS,
    CLIENT_KEYS,
    CONTACT_KEYS,
    INTERACTION_KEYS,
    LINE_ITEM_KEYS,
    PRICING_KEYS,
    PURCHASE_KEYS,
    READ_ONLY_KEYS,
    SEASONAL_NEED_KEYS,
    TASK_KEYS,
    apply_patch,
    client_from_json,
    client_to_json,
    validate_client,
)

# -- valid clients, already in normal form

_line_chars = st.characters(blacklist_categories=("Cc", "Cs"))
LINE = st.text(_line_chars, max_size=12).map(str.strip)
NAME = LINE.filter(bool)
TEXT = st.text(_line_chars | st.sampled_from("\n\t"), max_size=30).map(str.strip)
EMAIL = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[A-Za-z0-9._+-]{1,8}", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,8}", fullmatch=True),
    st.sampled_from(["com", "org", "co.uk"]),
)
PHONE = st.sampled_from(
    [
        phonenumbers.format_number(
            phonenumbers.example_number(region), phonenumbers.PhoneNumberFormat.E164
        )
        for region in ("US", "GB", "DE", "FR", "JP", "PL", "BR")
    ]
)
DATE = st.dates(date(1900, 1, 1), date(2100, 12, 31))
MONEY = st.decimals(0, 10**6, places=2)
QUANTITY = st.decimals(Decimal("0.001"), 10**5, places=3)
PERCENT = st.decimals(0, 100, places=2)
ADDRESS = st.builds(Address, LINE, LINE, LINE, LINE, LINE)


def _pricing(draw: st.DrawFn) -> PricingAgreement:
    price = draw(st.none() | MONEY)
    discount = draw(PERCENT if price is None else st.none() | PERCENT)
    start, end = draw(st.none() | DATE), draw(st.none() | DATE)
    if start and end and end < start:
        start, end = end, start
    return PricingAgreement(draw(NAME), price, discount, start, end, draw(TEXT))


CLIENTS = st.builds(
    Client,
    name=NAME,
    kind=st.sampled_from(CLIENT_KINDS),
    status=st.sampled_from(CLIENT_STATUSES),
    industry=LINE,
    salesperson=LINE,
    website=st.sampled_from(["", "https://acme.com", "http://shop.example.org/a?b=c"]),
    emails=st.lists(EMAIL, unique=True, max_size=3),
    phones=st.lists(PHONE, unique=True, max_size=3),
    addresses=st.lists(ADDRESS, max_size=2),
    tags=st.lists(NAME, unique_by=str.casefold, max_size=3),
    source=LINE,
    notes=TEXT,
    contacts=st.lists(
        st.builds(
            Contact,
            name=NAME,
            title=LINE,
            emails=st.lists(EMAIL, unique=True, max_size=2),
            phones=st.lists(PHONE, unique=True, max_size=2),
            birthday=st.none() | DATE,
            personal=st.builds(PersonalProfile, TEXT, TEXT, TEXT, TEXT, TEXT),
            notes=TEXT,
        ),
        max_size=2,
    ),
    purchases=st.lists(
        st.builds(
            Purchase,
            date=DATE,
            items=st.lists(st.builds(LineItem, NAME, QUANTITY, MONEY, PERCENT), max_size=3),
            notes=TEXT,
        ),
        max_size=2,
    ),
    pricing=st.lists(st.composite(_pricing)(), max_size=2),
    preferences=st.lists(st.builds(Preference, NAME, TEXT), max_size=2),
    seasonal_needs=st.lists(
        st.builds(
            SeasonalNeed,
            st.lists(st.integers(1, 12), min_size=1, unique=True).map(lambda m: tuple(sorted(m))),
            TEXT.filter(bool),
        ),
        max_size=2,
    ),
    specifications=st.lists(st.builds(Specification, NAME, TEXT), max_size=2),
    interactions=st.lists(
        st.builds(Interaction, DATE, st.sampled_from(INTERACTION_KINDS), LINE, TEXT, TEXT),
        max_size=2,
    ),
    tasks=st.lists(st.builds(Task, DATE, NAME, st.booleans(), LINE), max_size=2),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(CLIENTS)
def test_round_trip_is_identity_for_valid_clients(client: Client) -> None:
    text = json.dumps(client_to_json(client), ensure_ascii=False)
    assert client_from_json(json.loads(text)) == client
    assert validate_client(client) == client


# -- junk

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", "2024-02-29", "19.90", "-1", "NaN", "a@b.co", "+442079460958", "1e9"])
    | st.builds(pow, st.just(10), st.just(5000))  # too long for repr(): must not break messages
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


def _shaped(keys: tuple[str, ...], value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Objects that use the real keys, so the decoder's deeper paths get exercised."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, value))


_ITEM = _shaped(LINE_ITEM_KEYS, JUNK)
_CHILD_KEYS = tuple(
    sorted(
        set(CONTACT_KEYS + PURCHASE_KEYS + PRICING_KEYS + SEASONAL_NEED_KEYS)
        | set(INTERACTION_KEYS + TASK_KEYS + ADDRESS_KEYS)
    )
)
_CHILD = _shaped(_CHILD_KEYS, JUNK | st.lists(_ITEM | JUNK, max_size=3))
CLIENT_JUNK = JUNK | _shaped(
    CLIENT_KEYS + READ_ONLY_KEYS + ("redacted",), JUNK | st.lists(_CHILD | JUNK, max_size=3)
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(CLIENT_JUNK)
def test_junk_raises_only_validation_error(data: Any) -> None:
    try:
        client = client_from_json(data)
    except ValidationError as err:
        assert err.errors and all(e.message for e in err.errors)
    else:
        # Whatever was accepted is in normal form: it round-trips unchanged.
        assert client_from_json(client_to_json(client)) == client


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(CLIENT_JUNK)
def test_junk_patch_raises_only_validation_error(patch: Any) -> None:
    base = Client("Base", emails=["a@b.co"], phones=["+12025550173"])
    with contextlib.suppress(ValidationError):
        apply_patch(base, patch)
