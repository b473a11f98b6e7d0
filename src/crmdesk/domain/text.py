"""Text folding so that searching "lukasiewicz" finds "Łukasiewicz"."""

from __future__ import annotations

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
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = bare.casefold().translate(_UNDECOMPOSED)
    # Casefolding can itself produce combining marks (e.g. "İ" -> "i" + dot above).
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
