"""Bytes to text for imports: file type, encoding, hashing and lines of bounded length.

The encoding is decided, never guessed silently: one the person names wins, then a
byte-order mark (UTF-8, UTF-16, UTF-32); otherwise the whole file is checked as strict
UTF-8, which is cheap and catches a stray Windows-1252 byte on line 90,000. A file that
is UTF-8 up to a broken byte is refused (it is damaged or mixes encodings); one with no
UTF-8 text before its first non-UTF-8 byte is in a legacy code page, found by
:mod:`.encodings` (Windows-1252, which is what Excel writes as plain "CSV", or Shift-JIS,
GB18030, Windows-1251...). Either way the caller gets the reason to show.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from .encodings import CP1252_UNDEFINED, detect_legacy, known_codec, label_of
from .limits import DEFAULT_LIMITS, ImportFormatError, Limits

_CHUNK = 1 << 20

# Files people rename to .csv or pick by mistake, by their first bytes.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument file is one)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"%PDF-", "a PDF document"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or Word document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program"),
)

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian mark starts like UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)

# How much of the text from the first non-UTF-8 byte on is shown to the detector.
_LEGACY_SAMPLE = 256 * 1024

SAVE_AS_UTF8 = "Open it in a spreadsheet and save it again as CSV UTF-8, then import that."


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """How a file's bytes become text: the codec, its name for people, and why."""

    codec: str  # a Python codec; with a BOM it also consumes the mark
    label: str  # "UTF-8 with BOM", "Windows-1252"...
    reason: str


# Spreadsheets are ZIP archives; the names of their parts say which program wrote them.
_SPREADSHEETS: tuple[tuple[bytes, str, str], ...] = (
    (b"xl/", "an Excel workbook (.xlsx)", "In Excel: File › Save As › CSV UTF-8"),
    (
        b"[Content_Types].xml",
        "an Office document (.xlsx or .docx)",
        "In Excel: File › Save As › CSV UTF-8",
    ),
    (
        b"application/vnd.oasis.opendocument.spreadsheet",
        "an OpenDocument spreadsheet (.ods)",
        "In LibreOffice: File › Save As › Text CSV",
    ),
    (b"Index/Document.iwa", "an Apple Numbers document", "In Numbers: File › Export To › CSV"),
    (b"Index/", "an Apple Numbers document", "In Numbers: File › Export To › CSV"),
)


def refuse_binary(head: bytes, name: str) -> None:
    """Refuse images, archives and the like by their first bytes, saying what they are;
    a spreadsheet is named with the way to save it as CSV."""
    if head.startswith(b"PK\x03\x04"):
        for mark, what, how in _SPREADSHEETS:
            if mark in head:
                raise ImportFormatError(
                    f"{name} is {what}, not a CSV or vCard file. {how}, then import the CSV file.",
                    code="import.spreadsheet",
                    what=what,
                    line=1,
                )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ImportFormatError(
            f"{name} is an old Excel workbook (.xls) or another Office document, not a CSV "
            "or vCard file. In Excel: File › Save As › CSV UTF-8, then import the CSV file.",
            code="import.spreadsheet",
            what="an old Excel workbook (.xls)",
            line=1,
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ImportFormatError(
                f"{name} is {what}, not a CSV or vCard file. Export the contacts as CSV "
                "(in Excel: File › Save As › CSV UTF-8) or as vCard, and import that.",
                code="import.not_text",
                line=1,
            )


def given_encoding(name: str) -> TextEncoding:
    """The encoding a person names ("Shift_JIS", "windows-1251"), or BadInput."""
    codec = known_codec(name)
    if codec is None:
        raise ImportFormatError(
            f"{name!r} is not a text encoding crmdesk knows; give one such as UTF-8, "
            "Windows-1252, Shift_JIS, GB18030 or Windows-1251.",
            code="import.encoding.unknown_name",
            value=name,
        )
    return TextEncoding(codec, label_of(codec), "as given")


def detect_encoding(
    path: Path, limits: Limits = DEFAULT_LIMITS, given: str | None = None
) -> TextEncoding:
    """Decide how to decode ``path`` (in the encoding ``given``, if one is); raise
    :class:`ImportFormatError` if it is not text."""
    name = path.name
    head = _head(path, limits.sample_bytes)
    if not head:
        raise ImportFormatError(
            f"{name} is empty: there is nothing to import.", code="import.empty"
        )
    refuse_binary(head, name)
    if given:
        chosen = given_encoding(given)
        if chosen.codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
            return TextEncoding("utf-8-sig", "UTF-8 with BOM", "as given")
        return chosen
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return TextEncoding(codec, label, "the file starts with its byte-order mark")
    if b"\x00" in head:
        return _utf16_without_bom(head, name)
    return _utf8_or_cp1252(path)


def _head(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(size)
    except OSError as exc:
        raise unreadable(path, exc) from None


def unreadable(path: Path, exc: OSError) -> ImportFormatError:
    """The error for a file that cannot be opened or read at all."""
    why = exc.strerror or type(exc).__name__
    return ImportFormatError(
        f"Cannot read {path}: {why}. Check the name and that you may read it.",
        code="import.cannot_read",
        path=path,
    )


def _utf16_without_bom(head: bytes, name: str) -> TextEncoding:
    """Text saved as UTF-16 without a mark has a zero in every other byte; else binary."""
    half = max(len(head) // 2, 1)
    zeros_even, zeros_odd = head[0::2].count(0), head[1::2].count(0)
    if zeros_odd > 0.3 * half and zeros_even < 0.05 * half:
        return TextEncoding("utf-16-le", "UTF-16 LE", "no byte-order mark, every other byte zero")
    if zeros_even > 0.3 * half and zeros_odd < 0.05 * half:
        return TextEncoding("utf-16-be", "UTF-16 BE", "no byte-order mark, every other byte zero")
    line = head[: head.index(0)].count(b"\n") + 1
    raise ImportFormatError(
        f"{name} holds binary data (a NUL byte on line {line}), not text: it is not a CSV "
        "or vCard file, or it is damaged. " + SAVE_AS_UTF8,
        code="import.binary",
        line=line,
    )


def _utf8_or_cp1252(path: Path) -> TextEncoding:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    fed = newlines = 0
    ascii_so_far = True
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                good = data[: exc.start]
                offset = fed - len(pending) + exc.start
                line = newlines + good.count(b"\n") + 1
                bad = data[exc.start]
                if not (ascii_so_far and good.isascii()):
                    raise ImportFormatError(
                        f"{path.name} is not valid UTF-8 on line {line} (byte 0x{bad:02X} at "
                        f"offset {offset:,}), although the text before it is UTF-8: the file "
                        "is damaged or mixes encodings. " + SAVE_AS_UTF8,
                        code="import.encoding.bad_utf8",
                        line=line,
                    ) from None
                start = data.rfind(b"\n", 0, exc.start) + 1
                sample = data[start : start + _LEGACY_SAMPLE]
                if len(sample) < _LEGACY_SAMPLE:
                    sample += f.read(_LEGACY_SAMPLE - len(sample))
                    f.seek(fed + len(chunk))
                legacy = detect_legacy(sample)
                if legacy is None or legacy.codec == "cp1252":
                    _check_cp1252(path.name, data[exc.start :], f, line)
                assert legacy is not None  # without one, _check_cp1252 refused the file
                return TextEncoding(
                    legacy.codec,
                    legacy.label,
                    f"no byte-order mark and not UTF-8 (byte 0x{bad:02X} on line {line}): "
                    f"{legacy.reason}",
                )
            fed += len(chunk)
            newlines += chunk.count(b"\n")
            ascii_so_far = ascii_so_far and chunk.isascii()
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            line = newlines + 1
            raise ImportFormatError(
                f"{path.name} ends in the middle of a UTF-8 character on line {line}: it is "
                "truncated. Export or copy it again.",
                code="import.encoding.truncated_utf8",
                line=line,
            ) from None
    what = "plain ASCII" if ascii_so_far else "every byte is valid UTF-8"
    return TextEncoding("utf-8", "UTF-8", f"no byte-order mark; {what}")


def _check_cp1252(name: str, rest: bytes, f: BinaryIO, line: int) -> None:
    """Refuse a file holding bytes that Windows-1252 does not define (line is where
    ``rest`` starts)."""
    chunk = rest
    while chunk:
        bad = next((i for i, b in enumerate(chunk) if b in CP1252_UNDEFINED), None)
        if bad is not None:
            where = line + chunk[:bad].count(b"\n")
            raise ImportFormatError(
                f"{name} is neither UTF-8 nor Windows-1252 text (byte 0x{chunk[bad]:02X} on "
                f"line {where}). " + SAVE_AS_UTF8,
                code="import.encoding.unknown",
                line=where,
            )
        line += chunk.count(b"\n")
        chunk = f.read(_CHUNK)


def read_sample(path: Path, encoding: TextEncoding, limits: Limits = DEFAULT_LIMITS) -> str:
    """The decoded start of the file (up to ``sample_bytes``), for sniffing."""
    head = _head(path, limits.sample_bytes)
    decoder = codecs.getincrementaldecoder(encoding.codec)("replace")
    # Not final: a character cut in half at the end of the sample is left out.
    return decoder.decode(head, final=False)


class HashingReader(io.RawIOBase):
    """A raw byte stream that feeds SHA-256 with every byte read through it."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._sha = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._sha.update(memoryview(buffer)[:n])
            self.bytes_read += n
        return n or 0

    def finish(self) -> str:
        """Read to the end (what the parser did not need still counts) and return the
        hex digest of the whole file."""
        while chunk := self._raw.read(_CHUNK):
            self._sha.update(chunk)
            self.bytes_read += len(chunk)
        return self._sha.hexdigest()

    def close(self) -> None:
        self._raw.close()
        super().close()


@contextlib.contextmanager
def open_text(
    path: Path, encoding: TextEncoding
) -> Iterator[tuple[io.TextIOWrapper, HashingReader]]:
    """The file as text with universal line ends kept (``newline=""``, as csv wants),
    and the reader hashing its bytes."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise unreadable(path, exc) from None
    hashing = HashingReader(raw)
    text = io.TextIOWrapper(
        io.BufferedReader(hashing, _CHUNK // 16), encoding=encoding.codec, newline=""
    )
    try:
        yield text, hashing
    finally:
        text.close()


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file's bytes, in hex."""
    sha = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                sha.update(chunk)
    except OSError as exc:
        raise unreadable(path, exc) from None
    return sha.hexdigest()


@dataclass(slots=True)
class LineCounter:
    """Where a reader is: lines read so far and characters of the current record."""

    line: int = 0
    record_chars: int = 0


def bounded_lines(
    text: io.TextIOWrapper,
    counter: LineCounter,
    path: Path,
    encoding: TextEncoding,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[str]:
    """The file's lines (line ends kept), refusing an over-long line before it is held
    whole, NUL characters (binary data) and bytes the encoding cannot decode."""
    size = limits.max_line_chars
    while True:
        try:
            line = text.readline(size + 1)
        except UnicodeDecodeError as exc:
            raise decode_error(path, encoding, exc) from None
        if not line:
            return
        counter.line += 1
        if len(line) > size and len(line.rstrip("\r\n")) > size:
            raise ImportFormatError(
                f"Line {counter.line:,} of {path.name} is longer than {size:,} characters: "
                "the file is damaged, or not a contact list. Nothing was imported.",
                code="import.line_too_long",
                line=counter.line,
            )
        if "\x00" in line:
            raise ImportFormatError(
                f"Line {counter.line:,} of {path.name} holds a NUL character: the file holds "
                "binary data, not text. " + SAVE_AS_UTF8,
                code="import.binary",
                line=counter.line,
            )
        counter.record_chars += len(line)
        yield line


def decode_error(path: Path, encoding: TextEncoding, exc: UnicodeDecodeError) -> ImportFormatError:
    """Name the line with the bytes that do not decode (found again from the start:
    the text reader decodes ahead, so its own position is not the culprit's)."""
    decoder = codecs.getincrementaldecoder(encoding.codec)("strict")
    newlines = 0
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                pending = decoder.getstate()[0]
                try:
                    newlines += decoder.decode(chunk).count("\n")
                except UnicodeDecodeError as again:
                    # A failed call leaves the decoder as it was: decode up to the culprit.
                    cut = max(again.start - len(pending), 0)
                    newlines += decoder.decode(chunk[:cut]).count("\n")
                    break
            else:
                decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError):
        pass
    line = newlines + 1
    return ImportFormatError(
        f"Line {line:,} of {path.name} is not valid {encoding.label} ({exc.reason}): the "
        "file is damaged or truncated. " + SAVE_AS_UTF8,
        code="import.encoding.bad",
        line=line,
    )


class StreamedFile:
    """A text file read once, front to back, while its bytes are hashed: the shared
    plumbing of the CSV and vCard readers. Use as a context manager; :meth:`finish`
    returns the SHA-256 of the whole file."""

    def __init__(self, path: Path, encoding: TextEncoding) -> None:
        self.path, self.encoding = path, encoding
        self._opened = open_text(path, encoding)
        self._text: io.TextIOWrapper | None = None
        self._hashing: HashingReader | None = None

    def __enter__(self) -> Self:
        self._text, self._hashing = self._opened.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._opened.__exit__(exc_type, exc, tb)

    @property
    def bytes_read(self) -> int:
        return self._hashing.bytes_read if self._hashing else 0

    def finish(self) -> str:
        assert self._hashing is not None, f"use {type(self).__name__} as a context manager"
        return self._hashing.finish()
