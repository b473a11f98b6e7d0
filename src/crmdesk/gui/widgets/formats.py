"""One way to show each kind of value, everywhere in the app.

- dates and times in the system's locale (its short date format; times to the minute,
  audit times to the second);
- stored words of a fixed list ("company", "active", "follow_up") as words: "Company";
- money from its Decimal (never a float) with the locale's separators and the vault's
  currency (a vault setting; the locale's own currency until the owner sets one);
- phone numbers, stored in E.164 (+12025550173), grouped as people write them.

The editor's fields parse what these show (:mod:`crmdesk.gui.clients.detail`), so a
value reads the same in a list, a form and a report preview.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

_CENT = Decimal("0.01")
# Symbols of the currencies people most often keep accounts in; any other ISO code is
# shown as the code itself ("CHF 1,250.00"), which every reader understands.
SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩",
    "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "MXN": "MX$", "BRL": "R$", "HKD": "HK$",
    "SGD": "S$", "ILS": "₪", "PLN": "zł", "TRY": "₺", "RUB": "₽", "UAH": "₴", "ZAR": "R",
    "SEK": "kr", "NOK": "kr", "DKK": "kr",
}  # fmt: skip
_SUFFIXED = frozenset({"PLN", "SEK", "NOK", "DKK"})  # written after the amount
_currency = ""  # the vault's setting; "" = the locale's currency


def set_currency(code: str) -> None:
    """The vault's currency (an ISO 4217 code, "" for the computer's own)."""
    global _currency
    _currency = (code or "").strip().upper()


def currency_code() -> str:
    """The currency shown: the vault's, else the locale's, else US dollars."""
    if _currency:
        return _currency
    return QLocale().currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode) or "USD"


def currency_symbol(code: str | None = None) -> str:
    code = code or currency_code()
    return SYMBOLS.get(code, code)


def format_count(n: int) -> str:
    """An integer with the locale's thousands separator (the C locale would omit it)."""
    return format(n, ",").replace(",", QLocale().groupSeparator())


def format_number(amount: Decimal) -> str:
    """Two decimals and thousands separators, computed on the Decimal."""
    locale = QLocale()
    text = format(amount.quantize(_CENT, rounding=ROUND_HALF_EVEN), ",.2f")
    # Swap through a placeholder: some locales use "." to group and "," for decimals.
    text = text.replace(",", "\0").replace(".", locale.decimalPoint())
    return text.replace("\0", locale.groupSeparator()).replace("-", locale.negativeSign())


def format_money(amount: Decimal | str | None, *, symbol: bool = True) -> str:
    """An amount in the vault's currency: "$1,234.50"; a dash for none or a value
    withheld from the signed-in person."""
    if amount is None or amount == "":
        return "—"
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        return str(amount)
    number = format_number(value)
    if not symbol:
        return number
    code = currency_code()
    sign = currency_symbol(code)
    negative = number.startswith(QLocale().negativeSign())
    digits = number[len(QLocale().negativeSign()) :] if negative else number
    if code in _SUFFIXED:
        text = f"{digits} {sign}"
    elif len(sign) > 1 and sign.isalpha():
        text = f"{sign} {digits}"
    else:
        text = f"{sign}{digits}"
    return QLocale().negativeSign() + text if negative else text


def parse_money(text: str) -> str | None:
    """What a person typed as an amount, as the plain decimal text the domain reads:
    currency symbols and thousands separators dropped ("$1,250.5" -> "1250.5"). Text
    that is no amount is passed on as typed, so the domain can name the problem."""
    locale = QLocale()
    cleaned = text.strip()
    if not cleaned:
        return None
    for sign in {currency_symbol(), currency_code(), "$", "€", "£"}:
        cleaned = cleaned.replace(sign, "")
    cleaned = cleaned.replace(locale.groupSeparator(), "").replace(" ", "").replace("\u202f", "")
    cleaned = cleaned.replace(locale.decimalPoint(), ".").replace(locale.negativeSign(), "-")
    try:
        Decimal(cleaned)
    except InvalidOperation:
        return text.strip()
    return cleaned


def format_date(day: dt.date | str | None) -> str:
    """A date in the locale's short format; "" for none (ISO text is read first)."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return day
    if not day:
        return ""
    return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat)


def full_year_date_format() -> str:
    """The locale's short date pattern with the year in full (for date pickers)."""
    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def format_long_date(day: dt.date) -> str:
    """A date with its month's name: for headings and sentences."""
    return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat)


def _local(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def format_datetime(moment: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """A moment in local time, the locale's short date and time: "11/29/26 2:05 PM"."""
    if moment is None:
        return ""
    local = _local(moment, tz)
    qt = QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second)
    )
    return QLocale().toString(qt, QLocale.FormatType.ShortFormat)


def format_timestamp(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """A moment to the second (the audit trail): the locale's short date and time."""
    local = _local(moment, tz)
    pattern = QLocale().dateTimeFormat(QLocale.FormatType.ShortFormat)
    if "ss" not in pattern:
        pattern = pattern.replace("mm", "mm:ss", 1)
    qt = QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second)
    )
    return QLocale().toString(qt, pattern)


def value_words(value: str | None) -> str:
    """A stored word of a fixed list as a person writes it: "follow_up" -> "Follow up"."""
    return (value or "").replace("_", " ").strip().capitalize()


def warm_up(numbers: list[str] | tuple[str, ...] = ("+12025550173", "+442079460958")) -> None:
    """Load the phone number tables (and the countries of ``numbers``) ahead of time, on
    the database worker: the first client shown then does not wait for them."""
    for number in numbers:
        format_phone(number)


def format_phone(number: str | None) -> str:
    """A stored phone number (E.164) grouped for reading: "+1 202-555-0173". Anything
    that is not a number phonenumbers knows is shown as stored."""
    if not number:
        return ""
    import phonenumbers  # loaded on first use: its tables take a moment

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


__all__ = [
    "currency_code",
    "currency_symbol",
    "format_count",
    "format_date",
    "format_datetime",
    "format_long_date",
    "full_year_date_format",
    "warm_up",
    "format_money",
    "format_number",
    "format_phone",
    "format_timestamp",
    "parse_money",
    "set_currency",
    "value_words",
]
