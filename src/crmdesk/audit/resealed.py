"""Entries of an upgraded vault whose details were sealed after they were written.

Vaults made before entries were signed kept the old and new values of value-added fields
in plain audit details. The upgrade replaces such details by a *resealed* form,
``{..., "resealed": {"key": "audit@<generation>", "box": "<b64>"}}``, whose box holds the
entry's original details text. The entry keeps its hash and the next entry's link, both
computed over the original text, so that reports printed before the upgrade (their
footers carry the head hashes of that time) still match the trail.

Whoever holds the audit key opens the box and recomputes the hash. Whoever does not
checks the links and a digest of every resealed entry as stored (:class:`ResealDigest`),
which the owner signed in the ``vault.upgraded`` entry. The sealing itself (keys, boxes)
is the services' job: this module only knows the form and the digest.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

RESEALED = "resealed"
_MARK = f'"{RESEALED}":{{'


def resealed_box(details: str) -> dict[str, Any] | None:
    """The ``resealed`` member of ``details`` (stored text), or None if it has none."""
    if _MARK not in details:  # cheap: nearly every entry stops here
        return None
    try:
        parsed = json.loads(details)
    except ValueError:
        return None
    box = parsed.get(RESEALED) if isinstance(parsed, dict) else None
    if not isinstance(box, dict):
        return None
    return box if isinstance(box.get("key"), str) and isinstance(box.get("box"), str) else None


class ResealDigest:
    """SHA-256 over every resealed entry exactly as stored, in order of sequence."""

    __slots__ = ("_sha", "count", "first_seq")

    def __init__(self) -> None:
        self._sha = hashlib.sha256(b"crmdesk resealed audit entries v1\n")
        self.count = 0
        self.first_seq: int | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        """``row``: seq, ts, actor, action, object, details, prev_hash, hash."""
        seq = int(row[0])
        if self.first_seq is None:
            self.first_seq = seq
        self.count += 1
        text = json.dumps(list(row[:8]), ensure_ascii=False, separators=(",", ":"))
        self._sha.update(text.encode("utf-8") + b"\n")

    def hexdigest(self) -> str:
        return self._sha.hexdigest()
