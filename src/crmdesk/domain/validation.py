"""Field validators and normalisers.

Each validator takes ``(value, path)`` and returns the clean value or raises a
:class:`ValidationError` naming ``path``. Wrap calls in a :class:`Collector` to gather every
problem of one input before refusing it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .errors import FieldError, ValidationError

T = TypeVar("T")

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
MAX_WEBSITE_LENGTH = 2000
# Far above any real price or quantity; keeps every product of them inside Decimal's
# default 28 digits so arithmetic stays exact.
MAX_MONEY = Decimal("1000000000000")  # 10^12
MAX_QUANTITY = Decimal("1000000000")  # 10^9

CENT = Decimal("0.01")
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class Collector:
    """Gathers field errors so one refusal can list all of them."""

    __slots__ = ("errors",)

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str, code: str = "field.invalid", **facts: Any) -> None:
        """Record a problem found by the caller itself."""
        self.errors.append(FieldError(path, message, code, facts))

    def extend(self, errors: Iterable[FieldError]) -> None:
        self.errors.extend(errors)

    def check(self, fn: Callable[..., T], value: object, path: str, /, **kwargs: Any) -> T | None:
        """Return ``fn(value, path, **kwargs)``, or record its errors and return None."""
        try:
            return fn(value, path, **kwargs)
        except ValidationError as err:
            self.errors.extend(err.errors)
            return None

    def raise_if_any(self) -> None:
        """Raise one ValidationError holding everything recorded so far."""
        if self.errors:
            raise ValidationError(self.errors)

    def __len__(self) -> int:
        return len(self.errors)


def describe_type(value: object) -> str:
    """Name a value's JSON type for messages: 'a string', 'a list', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(value: object, limit: int = 60) -> str:
    """``repr`` of a refused value, cut short so a pasted essay does not flood the message."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for Python to print (over 4300 digits)
        return "a number too long to show"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _fail(path: str, message: str, code: str = "field.invalid", **facts: Any) -> ValidationError:
    return ValidationError.single(path, message, code, **facts)


def _require_str(value: object, path: str, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected {what} as a string, got {describe_type(value)}", "field.type")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates can arrive through JSON escapes and cannot be stored.
        raise _fail(
            path, "contains characters that are not valid Unicode", "field.unicode"
        ) from None
    return value


# A control character (category Cc is exactly U+0000-U+001F and U+007F-U+009F): one
# regex search, not a Python loop over every character of every field of an import.
# Multi-line fields (notes) may hold newlines and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(
    value: object,
    path: str,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Strip a text field, enforce its length and refuse control characters.

    ``None`` counts as empty. Multi-line fields (notes) may hold newlines and tabs.
    """
    if value is None:
        value = ""
    text = _require_str(value, path, "text").strip()
    if required and not text:
        raise _fail(path, "is required", "field.required")
    if len(text) > max_length:
        raise _fail(
            path,
            f"is too long ({len(text)} characters; at most {max_length})",
            "field.too_long",
            length=len(text),
            most=max_length,
        )
    found = (_CONTROL_IN_NOTES if multiline else _CONTROL).search(text)
    if found:
        where = "" if multiline else " (this field is a single line)"
        raise _fail(
            path,
            f"contains a control character {found.group()!r}{where}",
            "field.control_character",
        )
    return text


# A space (what str.isspace calls one: \s reads the same table) or a control character
# (category Cc is exactly U+0000-U+001F and U+007F-U+009F): one regex search, not a
# Python loop over every character of every address of an import.
_EMAIL_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def normalise_email(value: object, path: str) -> str:
    """Return the address stripped, with its domain lowercased; the local part keeps its case."""
    text = _require_str(value, path, "an email address").strip()
    local, at, domain = text.rpartition("@")
    labels = domain.split(".")
    ok = (
        at == "@"
        and "@" not in local
        and bool(local)
        and len(labels) >= 2
        and all(labels)
        and not _EMAIL_SPACE_OR_CONTROL.search(text)
        and len(text) <= MAX_EMAIL_LENGTH
    )
    if not ok:
        raise _fail(
            path, f"not a valid email address: {shown(text)}", "field.email", shown=shown(text)
        )
    return f"{local}@{domain.lower()}"


def normalise_phone(value: object, path: str, default_region: str = "US") -> str:
    """Return the number in E.164 (``+12025550173``), with its extension after
    ``;ext=`` as a tel: URI writes it (``+12025550173;ext=102``).

    A number without a leading ``+`` is read as a number of ``default_region`` (the
    vault's region, see :mod:`crmdesk.domain.phones`).
    """
    text = _require_str(value, path, "a phone number").strip()
    e164, why = _read_phone(text, default_region)
    if why:
        raise _fail(path, f"{why}: {shown(text)}", "field.phone", shown=shown(text))
    return e164


@functools.lru_cache(maxsize=1 << 16)
def _read_phone(text: str, region: str) -> tuple[str, str]:
    """(E.164, "") or ("", why not). Cached: reading a number is most of an import row's
    time, and files repeat them (a company's line on each person's row; an import's
    plan and commit read every row)."""
    import phonenumbers  # here, not above: a command that only reads never loads it (~20 ms)

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return "", "not a phone number"
    if not phonenumbers.is_possible_number(number):
        return "", "not a possible phone number (wrong length?)"
    if not phonenumbers.is_valid_number(number):
        return "", "not a valid phone number for its country"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # E.164 has no room for an extension; it follows as in a tel: URI, never dropped.
    return (f"{e164};ext={number.extension}" if number.extension else e164), ""


def parse_date(value: object, path: str) -> date:
    """Accept a ``date`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        raise _fail(path, "expected a date (YYYY-MM-DD), not a date and time", "field.date_time")
    if isinstance(value, date):
        return value
    text = _require_str(value, path, "a date (YYYY-MM-DD)").strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _fail(
        path, f"not a valid date (use YYYY-MM-DD): {shown(text)}", "field.date", shown=shown(text)
    )


def parse_timestamp(value: object, path: str) -> datetime:
    """Accept an aware ``datetime`` or an ISO 8601 string with an offset; return it in UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _fail(
                path, f"not a valid ISO 8601 timestamp: {shown(value)}", "field.timestamp"
            ) from None
    if not isinstance(value, datetime):
        raise _fail(path, f"expected a timestamp, got {describe_type(value)}", "field.type")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _fail(
            path, "timestamp needs a UTC offset, e.g. 2024-05-01T12:00:00+00:00", "field.timestamp"
        )
    return value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with its offset, e.g. ``2024-05-01T12:00:00+00:00``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat()


def format_decimal(value: Decimal) -> str:
    """Plain decimal text, never exponent notation: ``Decimal("1E+2")`` -> ``"100"``."""
    return format(value, "f")


def _parse_decimal(value: object, path: str, what: str, example: str, max_places: int) -> Decimal:
    """Shared parsing of money, quantities and percentages: int, str or Decimal only."""
    hint = f'a decimal string like "{example}"'
    if isinstance(value, float):
        raise _fail(
            path,
            f"must be {hint}, not the floating-point number {shown(value)} "
            "(floating point cannot hold every decimal exactly)",
            "field.float",
        )
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise _fail(path, f"must be {hint}, got {describe_type(value)}", "field.type")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise _fail(
                path,
                f"not a valid {what}: {shown(value)} (write it like {example!r})",
                "field.number",
            )
        number = Decimal(text)
    else:
        number = value
    if not number.is_finite():
        raise _fail(path, f"must be a finite number, not {shown(value)}", "field.number")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > max_places:
        raise _fail(
            path,
            f"has more than {max_places} decimal places: {shown(value)}",
            "field.decimal_places",
            most=max_places,
        )
    return number


def parse_money(value: object, path: str) -> Decimal:
    """A price: int or decimal string, not negative, at most 4 places, returned to the cent."""
    number = _parse_decimal(value, path, "amount of money", "19.90", 4)
    if number < 0:
        raise _fail(path, f"must not be negative: {shown(value)}", "field.negative")
    if number >= MAX_MONEY:
        raise _fail(
            path, f"is too large (must be below {MAX_MONEY}): {shown(value)}", "field.too_large"
        )
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_quantity(value: object, path: str) -> Decimal:
    """A quantity: greater than zero, at most 3 decimal places."""
    number = _parse_decimal(value, path, "quantity", "2.5", 3)
    if number <= 0:
        raise _fail(path, f"must be greater than zero: {shown(value)}", "field.not_positive")
    if number >= MAX_QUANTITY:
        raise _fail(
            path, f"is too large (must be below {MAX_QUANTITY}): {shown(value)}", "field.too_large"
        )
    return number


def parse_percent(value: object, path: str) -> Decimal:
    """A percentage from 0 to 100 inclusive, at most 4 decimal places."""
    number = _parse_decimal(value, path, "percentage", "12.5", 4)
    if not 0 <= number <= 100:
        raise _fail(path, f"must be between 0 and 100: {shown(value)}", "field.percent")
    return number


def parse_months(value: object, path: str) -> tuple[int, ...]:
    """A non-empty list of month numbers 1-12; returned sorted without repeats."""
    if not isinstance(value, list | tuple):
        raise _fail(
            path, f"expected a list of month numbers 1-12, got {describe_type(value)}", "field.type"
        )
    bad = [m for m in value if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12]
    if bad:
        raise _fail(
            path, f"months must be whole numbers from 1 to 12, got {shown(bad[0])}", "field.months"
        )
    if not value:
        raise _fail(path, "needs at least one month", "field.months")
    return tuple(sorted(set(value)))


def parse_website(value: object, path: str) -> str:
    """A web address; ``https://`` is added when no scheme is given."""
    text = _require_str(value, path, "a web address").strip()
    candidate = text if "://" in text else f"https://{text}"
    message = f"not a valid web address: {shown(text)}"
    if len(candidate) > MAX_WEBSITE_LENGTH:
        raise _fail(
            path,
            f"web address is too long (at most {MAX_WEBSITE_LENGTH} characters)",
            "field.too_long",
            most=MAX_WEBSITE_LENGTH,
        )
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in candidate):
        raise _fail(path, message, "field.website")
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        raise _fail(path, message, "field.website") from None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or "." not in host.strip("."):
        raise _fail(path, message, "field.website")
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment)
    )
