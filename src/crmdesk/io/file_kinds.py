"""What kind of file an import was given: CSV, vCard or crmdesk's JSON Lines, or a file
that is not a contact list at all (a calendar, other JSON, a spreadsheet, an LDIF address
book, a web page), refused by name with the way to a file that can be imported.

Binary files (images, archives, spreadsheets) are named by their first bytes
(:func:`crmdesk.io.import_text.refuse_binary`); text files by their first line.
"""

from __future__ import annotations

import codecs
import json

from .limits import ImportFormatError

FORMATS = {"csv": "CSV", "vcf": "vCard", "json": "crmdesk JSON Lines"}
_ALIASES = {
    "vcard": "vcf",
    "vcf": "vcf",
    "csv": "csv",
    "tsv": "csv",
    "txt": "csv",
    "json": "json",
    "jsonl": "json",
    "ndjson": "json",
}
_CLIENT_KEYS_SEEN = frozenset({"name", "kind", "emails", "contacts", "phones", "id", "status"})


def format_named(given: str) -> str | None:
    """The format a person names ("vCard", ".jsonl"), or None for none of ours."""
    return _ALIASES.get(given.strip().lower().lstrip("."))


def _text_of(head: bytes) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(codec, errors="replace")
    if head[:200].count(0) > 20:  # UTF-16 without a mark
        le = head[1::2].count(0) > head[0::2].count(0)
        return head.decode("utf-16-le" if le else "utf-16-be", errors="replace")
    return head.decode("utf-8", errors="replace")


def is_client_json_line(line: str) -> bool:
    """Whether a line is a client of crmdesk's JSON Lines export: one JSON object with a
    name and keys of the client contract."""
    try:
        value = json.loads(line)
    except ValueError:
        return False
    return isinstance(value, dict) and "name" in value and bool(_CLIENT_KEYS_SEEN & set(value))


def sniff_format(head: bytes, name: str, suffix: str) -> str:
    """ "csv", "vcf" or "json" from the start of a file (its first bytes decoded as best
    they can be); raises :class:`ImportFormatError` naming what it is otherwise."""
    text = _text_of(head)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    squeezed = first.upper().replace(" ", "")
    if squeezed.startswith("BEGIN:VCARD"):
        return "vcf"
    if squeezed.startswith("BEGIN:VCALENDAR"):
        raise ImportFormatError(
            f"{name} is an iCalendar (.ics) file: a calendar of events or tasks, not a list "
            "of contacts. Export the contacts themselves as CSV or vCard, and import that.",
            code="import.not_contacts",
            what="calendar",
            file=name,
        )
    if first[:1] in ("{", "["):
        if first[:1] == "{" and is_client_json_line(first):
            return "json"
        raise ImportFormatError(
            f"{name} is a JSON file, but not one crmdesk exported (JSON Lines: one client "
            "a line). Export the contacts as CSV or vCard, and import that.",
            code="import.not_contacts",
            what="json",
            file=name,
        )
    lowered = first.lower()
    if lowered.startswith("dn:") or (lowered.startswith("version:") and any(
        line.lower().startswith("dn:") for line in lines[1:3]
    )):  # fmt: skip
        raise ImportFormatError(
            f"{name} is an LDIF address book (as Thunderbird exports one). Export the "
            "address book as CSV or vCard instead, and import that.",
            code="import.not_contacts",
            what="ldif",
            file=name,
        )
    if lowered.startswith(("<?xml", "<!doctype", "<html", "<table")):
        raise ImportFormatError(
            f"{name} is an XML or HTML document, not a contact list. Save the contacts as "
            "CSV or vCard, and import that.",
            code="import.not_contacts",
            what="markup",
            file=name,
        )
    if suffix in (".vcf", ".vcard"):
        return "vcf"
    if suffix in (".jsonl", ".ndjson"):
        return "json"
    return "csv"
