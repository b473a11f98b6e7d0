"""Sealing the value-added content of audit entries to the Owner and Managers.

Audit details that hold value-added content (today: the old and new values of the
value-added fields an edit changed, ``value_added_changes``) are sealed before they are
recorded, to the audit key pair's newest generation whose public half the vault vouches
for (:mod:`crmdesk.services.audit_keys`)::

    {"fields": ["notes"], "sealed": {"key": "audit@2", "box": "<b64 sealed box>"}}

The box holds the sealed members as canonical JSON; the entry is hashed and signed in
its sealed form. Only those who hold the audit key (Owners and Managers, through their
grants) open it: the Activity page and the Access report show the values to them and
"sealed" to anyone else. Someone with the database key alone reads the field names and
nothing more.

Entries of a vault upgraded from before sealing are *resealed* once by
:func:`seal_old_details` (see :mod:`crmdesk.audit.resealed`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crmdesk import audit
from crmdesk.domain.roles import Role
from crmdesk.errors import VaultDamaged
from crmdesk.services import audit_keys, key_access
from crmdesk.vault import Vault
from crmdesk.vault.keys.audit_box import AuditOpener, seal_to
from crmdesk.vault.keys.person import b64, unb64
from crmdesk.vault.keys.slots import AUDIT, audit_public
from crmdesk.vault.migrations import AUDIT_APPEND_ONLY

# Members of audit details that hold value-added content.
VALUE_ADDED_DETAILS = ("value_added_changes",)
SEALED = "sealed"  # the member that replaces them; also what is shown to whom it is closed

NO_AUDIT_KEY = (
    "The vault records no audit key that its owner vouches for, so a change of value-added "
    "information cannot be recorded sealed. Ask the owner to open the vault; if this "
    "stays, keep the vault as it is (it is evidence) and restore from your latest backup."
)


def holds_value_added(details: Mapping[str, Any]) -> bool:
    return any(details.get(name) for name in VALUE_ADDED_DETAILS)


def seal_details(vault: Vault, conn: Any, details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` with their value-added members sealed (unchanged if they have none).

    Call it inside the transaction that records the entry.
    """
    if not holds_value_added(details):
        return dict(details)
    generation, public = sealing_key(vault, conn)
    secret = {k: details[k] for k in VALUE_ADDED_DETAILS if k in details}
    plain = {k: v for k, v in details.items() if k not in VALUE_ADDED_DETAILS}
    box = seal_to(public, audit.canonical_details(secret).encode("utf-8"))
    plain[SEALED] = {"key": f"{AUDIT}@{generation}", "box": b64(box)}
    return plain


# (vault id, generation, public, endorsement) found vouched for in this process.
_vouched: set[tuple[str, int, bytes, bytes]] = set()


def sealing_key(vault: Vault, conn: Any) -> tuple[int, bytes]:
    """The newest audit generation the vault vouches for: (generation, public half).

    A person who holds the audit key first records their endorsement of any generation
    they hold that lacks one (a rotation cut short before it was endorsed). Someone who
    does not hold it takes the newest generation endorsed by an Owner or a Manager whose
    key checks back to the owner's pinned key; a row anyone else put there is skipped.
    """
    if vault.held.audit:
        audit_keys.endorse_held(vault, conn)
    for row in audit_keys.rows(conn):
        held = vault.held.audit.get(row.generation)
        if held is not None:
            if audit_public(held) == row.public:
                return row.generation, row.public  # derived from the secret in hand
            continue
        if _is_vouched(vault, conn, row):
            return row.generation, row.public
    raise VaultDamaged(NO_AUDIT_KEY, code="audit.no_key")


def _is_vouched(vault: Vault, conn: Any, row: audit_keys.AuditKeyRow) -> bool:
    name = (vault.meta.vault_id, row.generation, row.public, row.endorsement)
    if name in _vouched:
        return True
    try:
        endorser = key_access.verified_key(vault, conn, row.endorsed_by, row.endorser_serial)
    except VaultDamaged:
        return False
    message = audit_keys.endorsement_message(vault.meta.vault_id, row.generation, row.public)
    if endorser.role not in (Role.OWNER, Role.MANAGER) or not endorser.public.verify(
        message, row.endorsement
    ):
        return False
    _vouched.add(name)
    return True


# -- opening ----------------------------------------------------------------------------


def opener(vault: Vault) -> AuditOpener:
    """What opens sealed details for the person who has the vault open (nothing for
    anyone but Owners and Managers: only they are granted the audit key)."""
    return AuditOpener(dict(vault.held.audit))


def _generation(box: Mapping[str, Any]) -> int | None:
    key_id, _, number = str(box.get("key", "")).rpartition("@")
    return int(number) if key_id == AUDIT and number.isdigit() else None


def _open_box(keys: AuditOpener, box: Any) -> bytes | None:
    if not isinstance(box, Mapping) or not isinstance(box.get("box"), str):
        return None
    generation = _generation(box)
    if generation is None:
        return None
    try:
        sealed = unb64(box["box"])
    except ValueError:
        return None
    return keys.open(generation, sealed)


def open_details(keys: AuditOpener, details: Mapping[str, Any]) -> dict[str, Any]:
    """Details as recorded before sealing, for whoever ``keys`` belong to; for anyone
    else the sealed part reads "sealed"."""
    if SEALED not in details and audit.RESEALED not in details:
        return dict(details)
    plain = {k: v for k, v in details.items() if k not in (SEALED, audit.RESEALED)}
    if isinstance(details.get(audit.RESEALED), Mapping):
        content = _open_box(keys, details[audit.RESEALED])
        original = _json_object(content)
        return original if original is not None else {**plain, SEALED: SEALED}
    content = _open_box(keys, details.get(SEALED))
    opened = _json_object(content)
    return {**plain, **opened} if opened is not None else {**plain, SEALED: SEALED}


def _json_object(content: bytes | None) -> dict[str, Any] | None:
    if content is None:
        return None
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def unsealer(keys: AuditOpener) -> audit.Unsealer:
    """For :func:`crmdesk.audit.verify`: a resealed entry's original details text."""

    def unseal(details: str) -> str | None:
        box = audit.resealed_box(details)
        content = _open_box(keys, box) if box is not None else None
        if content is None:
            return None
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return None

    return unseal


# -- the upgrade of a vault from before sealing -------------------------------------------


@dataclass(frozen=True, slots=True)
class Resealed:
    """What the upgrade's entry records about the entries written before signatures."""

    unsigned_until: int  # the last unsigned entry
    entries: int  # how many of them hold resealed details
    digest: str  # audit.ResealDigest over them, as stored
    resealed_now: int  # how many this call resealed

    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {"unsigned_until": self.unsigned_until}
        if self.entries:
            out["resealed"] = {"entries": self.entries, "digest": self.digest}
            out["audit_triggers"] = (
                "the append-only triggers were dropped and made again inside the one "
                "transaction that resealed these entries' details"
            )
        return out


def seal_old_details(vault: Vault) -> Resealed:
    """Reseal the value-added details of entries written before the upgrade.

    Each such entry's details become ``{<its other members>, "resealed": {"key":
    "audit@<generation>", "box": <its exact original details text, sealed>}}``; its hash
    and the next entry's link stay as they were (over the original text), so reports
    printed before the upgrade still match. The append-only triggers forbid any UPDATE:
    they are dropped and made again inside the one transaction that reseals, the owner's
    one-time act, which the ``vault.upgraded`` entry records (:meth:`Resealed.details`).
    Run it before that entry is recorded; running it again reseals nothing more and
    returns the same digest.
    """
    with vault.transaction() as conn:
        until = int(
            conn.execute(
                "SELECT coalesce(max(seq), 0) FROM audit_events WHERE sig IS NULL"
            ).fetchone()[0]
        )
        changes = []
        for seq, details in conn.execute(
            "SELECT seq, details FROM audit_events WHERE seq <= ? AND sig IS NULL"
            " AND details LIKE '%value\\_added%' ESCAPE '\\' ORDER BY seq",
            (until,),
        ).fetchall():
            parsed = _json_object(details.encode("utf-8"))
            if parsed is None or audit.RESEALED in parsed or not holds_value_added(parsed):
                continue
            changes.append((seq, details, parsed))
        if changes:
            generation, public = sealing_key(vault, conn)
            for statement in AUDIT_APPEND_ONLY.drop:
                conn.execute(statement)
            for seq, details, parsed in changes:
                plain = {k: v for k, v in parsed.items() if k not in VALUE_ADDED_DETAILS}
                box = seal_to(public, details.encode("utf-8"))
                plain[audit.RESEALED] = {"key": f"{AUDIT}@{generation}", "box": b64(box)}
                conn.execute(
                    "UPDATE audit_events SET details = ? WHERE seq = ?",
                    (audit.canonical_details(plain), seq),
                )
            for statement in AUDIT_APPEND_ONLY.create:
                conn.execute(statement)
        digest = audit.ResealDigest()
        for row in conn.execute(
            "SELECT seq, ts, actor, action, object, details, prev_hash, hash FROM audit_events"
            " WHERE seq <= ? ORDER BY seq",
            (until,),
        ):
            if audit.resealed_box(row[5]) is not None:
                digest.add(row)
    return Resealed(until, digest.count, digest.hexdigest(), len(changes))
