"""Phone numbers in their country: the vault's region, numbers read and shown in it.

A vault has one default region (a two-letter country code such as "DE"): numbers
written without "+" (``0351 223344``) are read as numbers of that region, and numbers
of that region are shown in its national format (``0351 223344``), every other one in
the international format (``+1 202-555-0173``). Numbers are stored in E.164
(``+49351223344``); an extension follows as in a tel: URI (``+12025550173;ext=102``),
which phonenumbers reads back.

phonenumbers is imported inside the functions: a command that only reads (``client show
--json``) never loads it (about 20 ms).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

DEFAULT_REGION = "US"
EXTENSION_MARK = ";ext="
_REGION_TEXT = re.compile(r"[A-Za-z]{2}")
# Locale variables in the order the C library reads them for a country's conventions.
_LOCALE_VARIABLES = ("LC_ALL", "LC_TELEPHONE", "LC_CTYPE", "LANG")


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region phonenumbers has numbering rules for ("US", "DE", "IN"...)."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def region_or_none(text: str | None) -> str | None:
    """``"de"`` -> ``"DE"``; None for text that is not a region phonenumbers knows."""
    if not text:
        return None
    code = text.strip().upper()
    if not _REGION_TEXT.fullmatch(code):
        return None
    return code if code in known_regions() else None


def region_of_locale(name: str | None) -> str | None:
    """The country of a locale name: ``"de_DE.UTF-8"`` -> ``"DE"``; None for "C" or
    "POSIX" or a name without a country."""
    if not name:
        return None
    country = name.split(".")[0].split("@")[0].replace("-", "_").partition("_")[2]
    return region_or_none(country)


def locale_region(environ: Mapping[str, str], fallback_locale: str | None = None) -> str:
    """The region of this computer's locale (LC_ALL, LC_TELEPHONE, LC_CTYPE, LANG, else
    ``fallback_locale``), or US when none names a country."""
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            region = region_of_locale(value)
            if region:
                return region
    return region_of_locale(fallback_locale) or DEFAULT_REGION


def region_name(region: str) -> str:
    """The region as people read it: "DE (+49)"."""
    import phonenumbers

    code = phonenumbers.country_code_for_region(region)
    return f"{region} (+{code})" if code else region


def split_extension(stored: str) -> tuple[str, str]:
    """``"+12025550173;ext=102"`` -> ``("+12025550173", "102")``."""
    number, _, extension = stored.partition(EXTENSION_MARK)
    return number, extension


@functools.lru_cache(maxsize=4096)  # a list or day view shows the same numbers again
def display_phone(stored: str, region: str) -> str:
    """A stored number as people read it: national for the vault's region, international
    for others, with its extension (``0351 223344``, ``+1 202-555-0173 ext. 102``).

    A value that is not a stored number (text from before, or withheld) is shown as is.
    """
    import phonenumbers

    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    home = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else None
    return phonenumbers.format_number(number, style or phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def region_of_number(stored: str) -> str | None:
    """The region a stored number belongs to ("DE" for +49...), or None."""
    import phonenumbers

    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(stored, None))
    except phonenumbers.NumberParseException:
        return None


def with_phones_shown(client: dict[str, Any], region: str) -> dict[str, Any]:
    """Client JSON for people to read (a printed summary or brief): the client's and each
    contact's numbers through :func:`display_phone`; the rest as it was."""

    def shown(part: dict[str, Any]) -> dict[str, Any]:
        out = dict(part)
        if part.get("phones"):
            out["phones"] = [display_phone(n, region) for n in part["phones"]]
        if part.get("phone"):
            out["phone"] = display_phone(part["phone"], region)
        return out

    out = shown(client)
    if client.get("contacts"):
        out["contacts"] = [shown(c) if isinstance(c, dict) else c for c in client["contacts"]]
    return out
