"""Which legacy encoding 8-bit text is in, and encodings people name.

Text that is not UTF-8 was written in the local code page of the computer that made it:
Windows-1252 in Western Europe and the Americas (Excel's plain "CSV"), Shift-JIS in
Japan, GB18030 in China, Windows-1251 for Cyrillic... A UTF-8/Windows-1252 cascade
reads all of them as Windows-1252, turning 山田 into "ŽR“c". charset-normalizer (a
maintained detector) tells the scripts apart; but on a few accented Latin letters it
guesses among a dozen Latin code pages at random, so text that reads as plain Latin
letters in Windows-1252 stays Windows-1252, as Excel writes it.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

# Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252 either.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

# Codecs by the names people know them by.
_LABELS = {
    "cp1252": "Windows-1252",
    "cp932": "Shift-JIS",
    "shift_jis": "Shift-JIS",
    "shift_jis_2004": "Shift-JIS",
    "shift_jisx0213": "Shift-JIS",
    "euc_jp": "EUC-JP",
    "euc_jis_2004": "EUC-JP",
    "iso2022_jp": "ISO-2022-JP",
    "gb18030": "GB18030 (Chinese)",
    "gbk": "GBK (Chinese)",
    "gb2312": "GB2312 (Chinese)",
    "big5": "Big5 (Chinese)",
    "big5hkscs": "Big5-HKSCS (Chinese)",
    "cp950": "Big5 (Chinese)",
    "cp949": "EUC-KR (Korean)",
    "euc_kr": "EUC-KR (Korean)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8_r": "KOI8-R (Cyrillic)",
    "koi8_u": "KOI8-U (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp1258": "Windows-1258 (Vietnamese)",
    "cp874": "Windows-874 (Thai)",
    "tis_620": "TIS-620 (Thai)",
    "latin_1": "ISO-8859-1",
    "iso8859_15": "ISO-8859-15",
    "mac_roman": "Mac Roman",
    "utf_8": "UTF-8",
    "utf-8": "UTF-8",
}
# Never the answer for a file without a byte-order mark and without NUL bytes.
_NOT_FOR_8_BIT = ("utf_16", "utf_32", "utf-16", "utf-32")
# Bytes of 8-bit text needed before a detector's word counts (two CJK characters).
_EVIDENCE = 4


@dataclass(frozen=True, slots=True)
class Legacy:
    """A legacy encoding found for some bytes: the codec, its name and why."""

    codec: str
    label: str
    reason: str


def label_of(codec: str) -> str:
    """A codec as people name it: "cp932" -> "Shift-JIS"."""
    name = codecs.lookup(codec).name.replace("-", "_")
    return _LABELS.get(name, _LABELS.get(codec, codec.upper()))


def known_codec(name: str) -> str | None:
    """The Python codec for an encoding name people write ("Shift_JIS", "windows-1251",
    "latin1"), or None when there is no such text encoding."""
    text = name.strip()
    if not text:
        return None
    try:
        info = codecs.lookup(text)
    except LookupError:
        return None
    # Only text encodings: "base64" and "rot13" are codecs too.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _reads_as_latin(text: str) -> bool:
    """Whether text decoded as Windows-1252 looks like accented Latin writing: its
    non-ASCII characters are letters standing alone in words (Zoë, Straße, Łódź), not
    runs of symbols and letters (ŽR“c‘¾, what Shift-JIS or Cyrillic become)."""
    outside = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if not outside:
        return True
    letters = sum(1 for i in outside if unicodedata.category(text[i]).startswith("L"))
    runs = sum(1 for i in outside if i + 1 < len(text) and ord(text[i + 1]) > 127)
    return letters >= 0.9 * len(outside) and runs < 0.5 * len(outside)


def detect_legacy(sample: bytes) -> Legacy | None:
    """The encoding of 8-bit text that is not UTF-8, from a sample of it; None when no
    encoding reads it."""
    cp1252_ok = not (CP1252_UNDEFINED & set(sample))
    if cp1252_ok and _reads_as_latin(sample.decode("cp1252")):
        return Legacy(
            "cp1252",
            "Windows-1252",
            "read as Windows-1252, which Excel and older programs write for plain text",
        )
    if sum(1 for b in sample if b > 127) < _EVIDENCE:
        # Too little 8-bit text to tell a script by: a stray byte is not Shift-JIS.
        return Legacy("cp1252", "Windows-1252", "read as Windows-1252") if cp1252_ok else None
    from charset_normalizer import from_bytes  # only for files that need it

    for match in from_bytes(sample):
        codec = codecs.lookup(match.encoding).name
        if codec.startswith(_NOT_FOR_8_BIT) or match.chaos > 0.2 or codec == "cp1252":
            continue  # Windows-1252 was tried first: it does not read as Latin letters
        try:
            sample.decode(codec)
        except UnicodeDecodeError:
            continue
        label = label_of(codec)
        return Legacy(codec, label, f"its text reads as {label} (found by charset-normalizer)")
    if cp1252_ok:
        return Legacy("cp1252", "Windows-1252", "read as Windows-1252 (no better match found)")
    return None
