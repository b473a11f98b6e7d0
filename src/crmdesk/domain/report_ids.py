"""Report IDs: short, typable codes printed on every page of a report.

Ten random Crockford base32 characters and one Crockford check symbol (mod 37), shown as
``XXXX-XXXX-XXC``. Typing is forgiving: case, spaces and dashes do not matter, and I/L
read as 1, O as 0. The check symbol catches any single mistyped character.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 10
_VALUES = {c: i for i, c in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _check_symbol(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + _VALUES[char]
    return CHECK_ALPHABET[value % 37]


def _format(body: str) -> str:
    code = body + _check_symbol(body)
    return f"{code[0:4]}-{code[4:8]}-{code[8:]}"


def new_report_id() -> str:
    """A fresh random report ID such as ``7K3M-Q2ZD-AB5``."""
    return _format("".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH)))


def normalise_report_id(text: str, kind: str = "report") -> str:
    """The canonical ``XXXX-XXXX-XXC`` form of a typed report ID (``kind``: "report" or
    "export", the ID's name in the message; exports share the format).

    Raises ValueError with a message for the user on a wrong length, a character that
    cannot be in a report ID, or a failed check symbol.
    """
    typo = f"That {kind} ID has a typo"
    compact = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(compact) != BODY_LENGTH + 1:
        raise ValueError(
            f"{typo}: a {kind} ID has {BODY_LENGTH + 1} letters and digits "
            f"(like 7K3M-Q2ZD-AB5), this has {len(compact)}."
        )
    body, check = compact[:BODY_LENGTH], compact[BODY_LENGTH]
    bad = sorted({c for c in body if c not in _VALUES} | ({check} - set(CHECK_ALPHABET)))
    if bad:
        raise ValueError(f"{typo}: {', '.join(repr(c) for c in bad)} cannot be in a {kind} ID.")
    if _check_symbol(body) != check:
        raise ValueError(f"{typo}: please compare it with the printed page once more.")
    return _format(body)


__all__ = ["new_report_id", "normalise_report_id"]
