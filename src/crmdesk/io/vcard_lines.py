"""vCard files as the programs write them, cut into cards of properties.

Lines are read as bytes and unfolded before they are decoded: ownCloud folds a line
every 75 bytes, even in the middle of a UTF-8 character, and vCard 2.1 writers break
quoted-printable values with a soft line break ("=" at the end of a line). Only a
whole property is decoded: in the character set it names (CHARSET=, vCard 2.1), else as
UTF-8, else in the legacy encoding found for the file's 8-bit text (an old phone's
Windows-1252 or Shift-JIS written without CHARSET). UTF-16 and UTF-32 files are decoded
first and their lines handled as UTF-8.

Every size is checked as the lines arrive (see :mod:`.limits`); a card that breaks a
rule is marked broken without holding the rest of it. Photos, logos, sounds and keys
are skipped unread and counted.
"""

from __future__ import annotations

import binascii
import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .encodings import Legacy, detect_legacy, known_codec
from .import_text import SAVE_AS_UTF8, LineCounter, TextEncoding
from .limits import DEFAULT_LIMITS, ImportFormatError, Limits

SKIPPED = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_LEGACY_SAMPLE = 256 * 1024


@dataclass(slots=True)
class Property:
    """One property of a card: where it starts, its group (Apple's ``item1.``), name,
    parameters (names upper-case; TYPE values lower-case, however they were spelled)
    and its value decoded to text, still escaped as the file has it."""

    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    value: str

    def param(self, name: str) -> str:
        values = self.params.get(name)
        return values[0] if values else ""

    @property
    def types(self) -> list[str]:
        return self.params.get("TYPE", [])

    @property
    def where(self) -> str:
        """How problems name it: ``TEL (line 12)``."""
        return f"{self.name} (line {self.line:,})"


@dataclass(slots=True)
class Card:
    """The properties of one card, or why it cannot be read."""

    number: int
    line: int
    properties: list[Property] = field(default_factory=list)
    broken: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)  # PHOTO -> how many
    unreadable: list[tuple[int, str, str]] = field(default_factory=list)  # line, why, text
    legacy_lines: list[int] = field(default_factory=list)
    chars: int = 0

    def fail(self, why: str) -> None:
        if not self.broken:
            self.broken = why
            self.properties = []


@dataclass(slots=True)
class _Pending:
    """A property being unfolded."""

    line: int
    data: bytearray
    qp: bool


def vcard_encoding(head: bytes) -> TextEncoding:
    """How a vCard file's bytes become lines: a byte-order mark's encoding, else UTF-8
    line by line (with each property's CHARSET, or the legacy encoding of 8-bit text)."""
    if head.startswith(codecs.BOM_UTF8):
        return TextEncoding(
            "utf-8-sig", "UTF-8 with BOM", "the file starts with its byte-order mark"
        )
    for bom, codec, label in (
        (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
        (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
    ):
        if head.startswith(bom):
            return TextEncoding(codec, label, "the file starts with its byte-order mark")
    if head[:200].count(0) > 20:
        half = head[:2000]
        if half[1::2].count(0) > half[0::2].count(0):
            return TextEncoding(
                "utf-16-le", "UTF-16 LE", "no byte-order mark, every other byte zero"
            )
        return TextEncoding("utf-16-be", "UTF-16 BE", "no byte-order mark, every other byte zero")
    return TextEncoding(
        "utf-8",
        "UTF-8",
        "each property in the character set it names, else UTF-8, else the legacy "
        "encoding of the file's 8-bit text",
    )


def _text_mode(encoding: TextEncoding) -> bool:
    return encoding.codec.startswith(("utf-16", "utf-32"))


class PropertyReader:
    """Reads the cards of a vCard file from its bytes (hashed by the caller's stream)."""

    def __init__(
        self,
        raw: BinaryIO,
        path: Path,
        encoding: TextEncoding,
        limits: Limits = DEFAULT_LIMITS,
        fallback: str | None = None,
    ) -> None:
        self.raw, self.path, self.encoding, self.limits = raw, path, encoding, limits
        self.counter = LineCounter()
        self.offset = 0  # bytes read so far (not for UTF-16 and UTF-32 files)
        self._text: io.TextIOWrapper | None = None
        # The legacy encoding of 8-bit text without a CHARSET: as given, or found at the
        # first such property (from the bytes that follow it), once.
        self.legacy: Legacy | None = Legacy(fallback, fallback, "as given") if fallback else None
        self.legacy_first_line: int | None = None

    # -- physical lines -----------------------------------------------------------------

    def _lines(self) -> Iterator[bytes]:
        size = self.limits.max_line_chars
        name = self.path.name
        if _text_mode(self.encoding):
            # Kept on the reader: a wrapper that is collected closes the stream under it.
            self._text = text = io.TextIOWrapper(self.raw, encoding=self.encoding.codec, newline="")
            reader = lambda: text.readline(size + 1).encode("utf-8")  # noqa: E731
        else:
            reader = lambda: self.raw.readline(size + 1)  # noqa: E731
        first = True
        while True:
            try:
                line = reader()
            except UnicodeDecodeError:
                raise ImportFormatError(
                    f"Line {self.counter.line + 1:,} of {name} is not valid "
                    f"{self.encoding.label}: the file is damaged or truncated. " + SAVE_AS_UTF8,
                    code="import.encoding.bad",
                    line=self.counter.line + 1,
                ) from None
            if not line:
                return
            self.offset += len(line)
            self.counter.line += 1
            if first and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            first = False
            body = line.rstrip(b"\r\n")
            if len(line) > size and len(body) > size:
                raise ImportFormatError(
                    f"Line {self.counter.line:,} of {name} is longer than {size:,} characters: "
                    "the file is damaged, or not a contact list. Nothing was imported.",
                    code="import.line_too_long",
                    line=self.counter.line,
                )
            if b"\x00" in body:
                raise ImportFormatError(
                    f"Line {self.counter.line:,} of {name} holds a NUL character: the file "
                    "holds binary data, not text. " + SAVE_AS_UTF8,
                    code="import.binary",
                    line=self.counter.line,
                )
            yield body

    # -- cards --------------------------------------------------------------------------

    def cards(self) -> Iterator[Card]:
        limits, name = self.limits, self.path.name
        card: Card | None = None
        depth = 0
        number = 0
        pending: _Pending | None = None
        skipping = False  # inside a skipped property (a photo) or a too-long one
        last = ""  # the card's last property name: vCard 2.1's AGENT holds a nested card
        for raw in self._lines():
            line = self.counter.line
            if card is None:
                if not raw.strip():
                    continue
                if _squeezed(raw) != b"BEGIN:VCARD":
                    raise ImportFormatError(
                        f"Line {line:,} of {name} is not part of a vCard: a vCard file holds "
                        "cards from BEGIN:VCARD to END:VCARD. If it is a CSV file, import it "
                        "as CSV.",
                        code="import.vcard.not_a_card",
                        line=line,
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
                card, depth, pending, skipping, last = Card(number, line), 1, None, False, ""
                continue
            card.chars += len(raw)
            if card.chars > limits.max_record_chars and not card.broken:
                card.fail(f"the card is longer than {limits.max_record_chars:,} characters")
            continuing = raw[:1] in (b" ", b"\t")
            if pending is not None and pending.qp and pending.data.endswith(b"="):
                # A quoted-printable soft line break: the value goes on, unindented.
                del pending.data[-1]
                continuing, raw = True, b" " + raw
            if continuing:
                if skipping or pending is None or card.broken:
                    continue
                pending.data += raw[1:]
                if len(pending.data) > limits.max_property_chars:
                    prop = _squeezed(_name_part(bytes(pending.data)))
                    card.fail(
                        f"the {prop.decode('ascii', 'replace')} property (line "
                        f"{pending.line:,}) is longer than {limits.max_property_chars:,} "
                        "characters"
                    )
                    skipping, pending = True, None
                continue
            if pending is not None:
                self._finish(card, pending)
                pending = None
            if not raw.strip():
                continue  # vCard 2.1 ends inline binary data with a blank line
            prop = _property_name(raw)
            skipping = prop in SKIPPED
            if prop == "BEGIN" and depth == 1 and last != "AGENT" and card.properties:
                # The card before had no END:VCARD (a writer cut it, or a hand edit): it
                # is kept as it is, said, and this line begins the next card.
                card.unreadable.append(
                    (line, "the card before it has no END:VCARD; a new card begins here", "")
                )
                yield card
                number += 1
                card, depth, pending, skipping, last = Card(number, line), 1, None, False, ""
                continue
            last = prop
            if prop == "BEGIN":
                depth += 1
                if depth > limits.max_nesting:
                    card.fail(
                        f"cards are nested more than {limits.max_nesting} deep (line {line:,})"
                    )
                continue
            if prop == "END":
                depth -= 1
                if depth == 0:
                    yield card
                    card = None
                continue
            if skipping:
                card.skipped[prop] = card.skipped.get(prop, 0) + 1
                continue
            if card.broken or depth > 1:
                continue  # a nested card (vCard 2.1 AGENT) is not imported
            if len(raw) > limits.max_property_chars:
                card.fail(
                    f"the {prop} property (line {line:,}) is longer than "
                    f"{limits.max_property_chars:,} characters"
                )
                skipping = True
                continue
            pending = _Pending(line, bytearray(raw), _is_quoted_printable(raw))
        if card is not None:
            card.fail(f"it has no END:VCARD: {name} is truncated, or the card is damaged")
            yield card

    # -- one property -------------------------------------------------------------------

    def _finish(self, card: Card, pending: _Pending) -> None:
        data = bytes(pending.data)
        split = _split_value(data)
        shown = data.decode("utf-8", errors="replace").strip()
        if split is None:
            if data.strip().replace(b"-", b"").isalnum():
                return  # a bare "FN" line: a property with nothing in it
            card.unreadable.append(
                (pending.line, 'it has no ":" between its name and value', shown)
            )
            return
        name_part, value = split
        group, prop, params = _parse_name(name_part)
        if not prop:
            card.unreadable.append((pending.line, "it has no property name", shown))
            return
        encoding = params.get("ENCODING", [""])[0].upper()
        if encoding in ("QUOTED-PRINTABLE", "QP"):
            value = binascii.a2b_qp(value)
        elif encoding in ("B", "BASE64"):
            card.skipped[prop] = card.skipped.get(prop, 0) + 1
            return
        text = self._decode(value, params, pending.line, card)
        card.properties.append(Property(pending.line, group, prop, params, text))

    def _decode(self, value: bytes, params: dict[str, list[str]], line: int, card: Card) -> str:
        charset = params.get("CHARSET", [""])[0]
        codec = known_codec(charset) if charset else None
        if codec:
            try:
                return value.decode(codec)
            except UnicodeDecodeError:
                pass  # a CHARSET that does not fit: read it as the rest of the file
        if value.isascii():
            return value.decode("ascii")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            pass
        legacy = self._legacy(value, line)
        card.legacy_lines.append(line)
        return value.decode(legacy.codec, errors="replace")

    def _legacy(self, value: bytes, line: int) -> Legacy:
        if self.legacy is None:
            # What follows in the file shows more of its 8-bit text than one value does;
            # read apart from the hashed stream, which must see each byte once.
            try:
                with self.path.open("rb") as f:
                    f.seek(self.offset)
                    sample = value + f.read(_LEGACY_SAMPLE)
            except OSError:
                sample = value
            self.legacy = detect_legacy(sample) or Legacy(
                "cp1252", "Windows-1252", "read as Windows-1252"
            )
        if self.legacy_first_line is None:
            self.legacy_first_line = line
        return self.legacy


def _squeezed(raw: bytes) -> bytes:
    return raw.strip().upper().replace(b" ", b"")


def _name_part(raw: bytes) -> bytes:
    end = len(raw)
    for sep in (b":", b";"):
        i = raw.find(sep)
        if i != -1:
            end = min(end, i)
    return raw[:end]


def _property_name(raw: bytes) -> str:
    """``item1.EMAIL;TYPE=work:x`` -> ``EMAIL``."""
    return _name_part(raw).rsplit(b".", 1)[-1].strip().upper().decode("ascii", "replace")


def _is_quoted_printable(raw: bytes) -> bool:
    head = raw.split(b":", 1)[0].upper()
    return b"QUOTED-PRINTABLE" in head


def _split_value(data: bytes) -> tuple[bytes, bytes] | None:
    """Name and parameters, and the value: split at the first ":" outside quotes."""
    quoted = False
    for i, byte in enumerate(data):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return data[:i], data[i + 1 :]
    return None


def _parse_name(part: bytes) -> tuple[str, str, dict[str, list[str]]]:
    text = part.decode("utf-8", errors="replace")
    pieces = _split_outside_quotes(text, ";")
    head = pieces[0].strip()
    group, _, prop = head.rpartition(".")
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, eq, raw_value = piece.partition("=")
        key = key.strip().upper()
        if not key:
            continue
        if not eq:  # vCard 2.1: a bare TYPE value, or the encoding
            bare = key
            key = "ENCODING" if bare in _BARE_ENCODINGS else "TYPE"
            values = [bare]
        else:
            values = [v.strip().strip('"') for v in _split_outside_quotes(raw_value, ",")]
        if key == "TYPE":
            values = [v.lower() for v in values if v]
        params.setdefault(key, []).extend(values)
    return group.strip(), prop.strip().upper(), params


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    out, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out
