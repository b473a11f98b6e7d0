"""The JSON contract of a client record (used by the CLI and documented for users).

Money, quantities and percentages travel as decimal strings ("19.90"), dates as
"YYYY-MM-DD", timestamps as ISO 8601 with an offset. ``email``/``phone``/``address`` are
the primary (first) entry of ``emails``/``phones``/``addresses``.

The contract in one place for its callers; its parts: the keys (:mod:`.json_keys`),
reading JSON into a validated client (:mod:`.json_decoder`, on the building blocks of
:mod:`.json_reader`) and writing a client as JSON (:mod:`.json_encoder`).
"""

from __future__ import annotations

from .json_decoder import apply_patch, client_from_json, validate_client
from .json_encoder import client_to_json
from .json_keys import (
    ADDRESS_KEYS,
    CLIENT_KEYS,
    CONTACT_KEYS,
    INTERACTION_KEYS,
    LINE_ITEM_KEYS,
    PERSONAL_KEYS,
    PREFERENCE_KEYS,
    PRICING_KEYS,
    PURCHASE_KEYS,
    READ_ONLY_KEYS,
    REDACTED_KEY,
    SEASONAL_NEED_KEYS,
    SPECIFICATION_KEYS,
    TASK_KEYS,
)

__all__ = [
    "ADDRESS_KEYS",
    "CLIENT_KEYS",
    "CONTACT_KEYS",
    "INTERACTION_KEYS",
    "LINE_ITEM_KEYS",
    "PERSONAL_KEYS",
    "PREFERENCE_KEYS",
    "PRICING_KEYS",
    "PURCHASE_KEYS",
    "READ_ONLY_KEYS",
    "REDACTED_KEY",
    "SEASONAL_NEED_KEYS",
    "SPECIFICATION_KEYS",
    "TASK_KEYS",
    "apply_patch",
    "client_from_json",
    "client_to_json",
    "validate_client",
]
