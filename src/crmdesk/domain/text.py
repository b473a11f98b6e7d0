"""Text folding so that searching "lukasiewicz" finds "Łukasiewicz"."""

from __future__ import annotations

import functools
import sys
import unicodedata

# Letters that NFKD leaves whole (they are letters in their own right, not a base letter
# plus an accent), so stripping combining marks alone would not make them searchable
# from a plain keyboard. Keys are lowercase because the text is casefolded first.
_UNDECOMPOSED = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ŧ": "t",
        "ı": "i",
        "ȷ": "j",
        "ƒ": "f",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ĸ": "k",
        "ŋ": "n",
    }
)


def fold(text: str) -> str:
    """Return ``text`` without accents and case: ``"Zoë Łukasiewicz"`` -> ``"zoe lukasiewicz"``."""
    if text.isascii():
        # Most text is plain ASCII: lower() is the whole job, and far faster.
        return text.lower()
    # Every step works character by character and a space never combines, so folding
    # word by word gives the same result; names and places repeat, so words are cached.
    return " ".join(map(_fold_word, text.split(" ")))


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    if word.isascii():
        return word.lower()
    return _strip_marks(_strip_marks(word).casefold().translate(_UNDECOMPOSED))


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    # Casefolding can itself produce combining marks (e.g. "İ" -> "i" + dot above),
    # which is why fold() strips twice.
    return decomposed.translate(_combining_marks())


@functools.cache
def _combining_marks() -> dict[int, None]:
    """A translation table that deletes every character with a non-zero combining class
    (built once: ``str.translate`` runs in C instead of a Python loop per character)."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}
