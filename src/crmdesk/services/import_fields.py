"""What an import's columns can fill, in words, and the kinds of problem a planned row
can have: for the import wizard's column mapping (the rules live in
:mod:`crmdesk.io.mapping`)."""

from __future__ import annotations

from crmdesk.io.mapping import TARGETS, ProblemKind

__all__ = ["DUPLICATE_KINDS", "ProblemKind", "target_fields"]

# A row that matches a client already in the vault, or an earlier row of the file.
DUPLICATE_KINDS = frozenset({ProblemKind.DUPLICATE, ProblemKind.DUPLICATE_IN_FILE})


def target_fields() -> list[tuple[str, str]]:
    """Every field a column can be mapped to, with what it means, in the mapping's order."""
    return [(name, meaning) for name, (_how, meaning) in TARGETS.items()]
