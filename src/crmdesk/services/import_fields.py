"""What an import's columns can fill, in words, and the kinds of problem a planned row
can have: for the import wizard's column mapping (the rules live in
:mod:`crmdesk.io.mapping`)."""

from __future__ import annotations

from crmdesk.domain.phones import known_regions, region_name
from crmdesk.io.mapping import TARGETS, ProblemKind

__all__ = ["COMMON_ENCODINGS", "DUPLICATE_KINDS", "ProblemKind", "phone_regions", "target_fields"]

# A row that matches a client already in the vault, or an earlier row of the file: likely
# (the same email address) or possible (only a phone number or the name), which is merged
# only when the person chooses it.
DUPLICATE_KINDS = frozenset(
    {
        ProblemKind.DUPLICATE,
        ProblemKind.DUPLICATE_IN_FILE,
        ProblemKind.POSSIBLE_DUPLICATE,
        ProblemKind.POSSIBLE_DUPLICATE_IN_FILE,
    }
)
# Encodings people pick when detection guessed wrong, by the names they know them by.
COMMON_ENCODINGS = ("UTF-8", "Windows-1252", "Shift_JIS", "GB18030", "Big5", "EUC-KR",
                    "Windows-1250", "Windows-1251", "ISO-8859-15", "UTF-16")  # fmt: skip


def phone_regions() -> list[tuple[str, str]]:
    """Every region phone numbers can be read in: ("DE", "DE (+49)"), by code."""
    return [(code, region_name(code)) for code in sorted(known_regions())]


def target_fields() -> list[tuple[str, str]]:
    """Every field a column can be mapped to, with what it means, in the mapping's order."""
    return [(name, meaning) for name, (_how, meaning) in TARGETS.items()]
