from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from crmdesk.domain.errors import ValidationError
from crmdesk.domain.validation import (
    clean_text,
    format_timestamp,
    normalise_email,
    normalise_phone,
    parse_date,
    parse_money,
    parse_months,
    parse_percent,
    parse_quantity,
    parse_timestamp,
    parse_website,
)


def message(fn, value, path="field", **kwargs) -> str:  # type: ignore[no-untyped-def]
    """The single error message ``fn`` gives for ``value``, checking it names ``path``."""
    with pytest.raises(ValidationError) as caught:
        fn(value, path, **kwargs)
    [error] = caught.value.errors
    assert error.path == path
    assert str(caught.value).startswith(f"{path}: ")
    return error.message


# -- email


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Bob.Smith@Example.COM ", "Bob.Smith@example.com"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
    ],
)
def test_email_is_trimmed_and_only_the_domain_lowercased(raw: str, clean: str) -> None:
    assert normalise_email(raw, "email") == clean


@pytest.mark.parametrize(
    "raw", ["bob@", "@example.com", "bob", "bob@example", "bo b@example.com", "a@b@c.com",
            "bob@example..com", "bob@.example.com", ""],
)  # fmt: skip
def test_bad_email_is_refused_naming_the_field_and_value(raw: str) -> None:
    text = message(normalise_email, raw, "contacts[0].email")
    assert text == f"not a valid email address: {raw!r}"


def test_long_refused_values_are_cut_short_in_messages() -> None:
    text = message(normalise_email, "x" * 5000, "email")
    assert len(text) < 100 and text.endswith("...")


def test_email_must_be_a_string() -> None:
    assert "got a number" in message(normalise_email, 42, "email")


# -- phone


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(202) 555-0173", "US", "+12025550173"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+1-202-555-0173", "GB", "+12025550173"),
    ],
)
def test_phone_becomes_e164(raw: str, region: str, e164: str) -> None:
    assert normalise_phone(raw, "phone", default_region=region) == e164


@pytest.mark.parametrize(
    ("raw", "region", "stored"),
    [
        # Issue 15: extensions are kept after the number, as a tel: URI writes them.
        ("(202) 555-0173 ext. 12", "US", "+12025550173;ext=12"),
        ("+1 202 555 0173;ext=102", "DE", "+12025550173;ext=102"),
        # National numbers are read in the vault's region.
        ("0351 223344", "DE", "+49351223344"),
        ("010-67255922", "CN", "+861067255922"),
        ("098765 43210", "IN", "+919876543210"),
    ],
)
def test_phone_keeps_its_extension_and_reads_the_region(raw: str, region: str, stored: str) -> None:
    assert normalise_phone(raw, "phone", default_region=region) == stored
    assert normalise_phone(stored, "phone", default_region="US") == stored  # read back


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("123", "not a possible phone number"),
        ("+1 555 555 5555", "not a valid phone number"),
        ("call me", "not a phone number"),
    ],
)
def test_bad_phone_is_refused_naming_the_field(raw: str, words: str) -> None:
    text = message(normalise_phone, raw, "phones[1]")
    assert words in text
    assert repr(raw) in text


# -- dates


def test_date_accepts_iso_text_and_date_objects() -> None:
    assert parse_date(" 2024-02-29 ", "due") == date(2024, 2, 29)
    assert parse_date(date(2024, 1, 2), "due") == date(2024, 1, 2)


@pytest.mark.parametrize("raw", ["2023-02-29", "2024/01/02", "02-01-2024", "2024-1-2", "today"])
def test_bad_date_is_refused_with_the_expected_format(raw: str) -> None:
    assert message(parse_date, raw, "purchases[0].date") == (
        f"not a valid date (use YYYY-MM-DD): {raw!r}"
    )


def test_datetime_is_not_a_date() -> None:
    assert "not a date and time" in message(parse_date, datetime(2024, 1, 2, tzinfo=UTC))


def test_timestamps_are_utc_with_offset() -> None:
    plus_two = timezone(timedelta(hours=2))
    parsed = parse_timestamp("2024-05-01T14:00:00+02:00", "created_at")
    assert parsed == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert format_timestamp(datetime(2024, 5, 1, 14, 0, tzinfo=plus_two)) == (
        "2024-05-01T12:00:00+00:00"
    )
    assert "offset" in message(parse_timestamp, "2024-05-01T12:00:00")


# -- money and numbers


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("19.90", "19.90"), ("19.9", "19.90"), (5, "5.00"), ("0", "0.00"), ("19.995", "20.00"),
     ("1.2340", "1.23"), (Decimal("7.5"), "7.50")],
)  # fmt: skip
def test_money_is_a_decimal_to_the_cent(raw: object, amount: str) -> None:
    result = parse_money(raw, "price")
    assert result == Decimal(amount)
    assert str(result) == amount


def test_float_money_is_refused_with_a_hint() -> None:
    text = message(parse_money, 19.9, "purchases[2].items[0].unit_price")
    assert 'decimal string like "19.90"' in text
    assert "19.9" in text


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("-1", "must not be negative"),
        ("1.23456", "more than 4 decimal places"),
        ("NaN", "not a valid"),
        ("Infinity", "not a valid"),
        (Decimal("NaN"), "finite"),
        ("1e3", "not a valid"),
        ("1,000", "not a valid"),
        ("", "not a valid"),
        (True, "got true/false"),
        (None, "got null"),
        ("1000000000000", "too large"),
        (10**40, "too large"),
        pytest.param(10**5000, "a number too long to show", id="5001-digit-int"),
    ],
)
def test_bad_money_is_refused(raw: object, words: str) -> None:
    assert words in message(parse_money, raw, "price")


def test_quantity() -> None:
    assert parse_quantity("2.5", "q") == Decimal("2.5")
    assert parse_quantity(3, "q") == Decimal(3)
    assert "greater than zero" in message(parse_quantity, "0", "q")
    assert "more than 3 decimal places" in message(parse_quantity, "1.0001", "q")
    assert "floating-point" in message(parse_quantity, 2.5, "q")


def test_percent() -> None:
    assert parse_percent("12.5", "d") == Decimal("12.5")
    assert parse_percent(100, "d") == Decimal(100)
    assert "between 0 and 100" in message(parse_percent, "100.01", "d")
    assert "between 0 and 100" in message(parse_percent, "-1", "d")


def test_months_are_sorted_and_unique() -> None:
    assert parse_months([12, 1, 12, 6], "months") == (1, 6, 12)


@pytest.mark.parametrize(
    ("raw", "words"),
    [([], "at least one month"), ([0], "1 to 12"), ([13], "1 to 12"), ([True], "1 to 12"),
     (["3"], "1 to 12"), ([2.0], "1 to 12"), ("3", "expected a list")],
)  # fmt: skip
def test_bad_months_are_refused(raw: object, words: str) -> None:
    assert words in message(parse_months, raw, "seasonal_needs[0].months")


# -- website and text


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("acme.com", "https://acme.com"),
        (" HTTP://Acme.COM/Path?q=A ", "http://acme.com/Path?q=A"),
        ("www.acme.co.uk/shop", "https://www.acme.co.uk/shop"),
    ],
)
def test_website_gets_a_scheme(raw: str, url: str) -> None:
    assert parse_website(raw, "website") == url
    assert parse_website(url, "website") == url  # idempotent


@pytest.mark.parametrize(
    "raw", ["localhost", "ftp://acme.com", "acme .com", "https://", "http://a.com:x"]
)
def test_bad_website_is_refused(raw: str) -> None:
    assert message(parse_website, raw, "website") == f"not a valid web address: {raw.strip()!r}"


def test_text_limits_and_control_characters() -> None:
    assert clean_text("  Acme  ", "name", max_length=200, required=True) == "Acme"
    assert clean_text(None, "title", max_length=200) == ""
    assert message(clean_text, "  ", "name", max_length=200, required=True) == "is required"
    assert message(clean_text, "x" * 201, "name", max_length=200) == (
        "is too long (201 characters; at most 200)"
    )
    assert "control character" in message(clean_text, "a\nb", "name", max_length=200)
    assert clean_text("line 1\nline 2", "notes", max_length=20, multiline=True) == "line 1\nline 2"
    assert "not valid Unicode" in message(clean_text, "\ud800", "notes", max_length=10)
