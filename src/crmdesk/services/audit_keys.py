"""The audit key pair's public halves, vouched for in the database.

keys.json names each generation's public half, but anyone who can write the vault folder
can change keys.json, and sealing value-added details to a public half someone put there
would hand those details to them. So each generation is also recorded in the
``audit_keys`` table with an endorsement: signed by an Owner or a Manager who holds the
pair (they made it, or were granted it). Details are sealed only to a public half whose
endorsement checks back to the owner's pinned key (:mod:`crmdesk.services.audit_sealing`).

The endorsement is written where a generation is made: when the vault is created
(:func:`crmdesk.services.people.ensure_people`), upgraded
(:func:`crmdesk.services.upgrade.convert`) and after the audit key is rotated
(:func:`crmdesk.services.key_access.rotate_keys`); and, should a crash have come between
a rotation and its endorsement, by the next holder who seals something.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from crmdesk.vault import Vault
from crmdesk.vault.keys.person import PersonPublic, b64
from crmdesk.vault.keys.slots import audit_public

_LABEL = "crmdesk audit key v1"


def endorsement_message(vault_id: str, generation: int, public: bytes) -> bytes:
    """What an endorsement signs: this is the vault's audit key of this generation."""
    return "\x1f".join((_LABEL, vault_id, str(generation), b64(public))).encode("utf-8")


@dataclass(frozen=True, slots=True)
class AuditKeyRow:
    generation: int
    public: bytes
    endorsed_by: str
    endorser_serial: int
    endorsement: bytes


def rows(conn: Any) -> list[AuditKeyRow]:
    """Every recorded generation, newest first."""
    return [
        AuditKeyRow(int(r[0]), bytes(r[1]), r[2], int(r[3]), bytes(r[4]))
        for r in conn.execute(
            "SELECT generation, public, endorsed_by, endorser_serial, endorsement"
            " FROM audit_keys ORDER BY generation DESC"
        )
    ]


# (vault id, generation, public, endorsement) rows this process found true.
_confirmed: set[tuple[str, int, bytes, bytes]] = set()


def endorse_held(vault: Vault, conn: Any) -> list[int]:
    """Record, signed by the person who has the vault open, each audit generation they
    hold that the table lacks or records wrongly; returns the generations written.

    Holding the secret half is what lets them vouch for the public half: they derive it.
    A row whose public half differs, or whose endorsement does not match the key its
    endorser recorded, was put there by someone else and is replaced. Runs inside the
    caller's transaction.
    """
    person = vault.person
    if person is None or not vault.held.audit:
        return []
    recorded = {row.generation: row for row in rows(conn)}
    written = []
    for generation, secret in sorted(vault.held.audit.items()):
        public = audit_public(secret)
        row = recorded.get(generation)
        if row is not None and row.public == public:
            name = (vault.meta.vault_id, generation, public, row.endorsement)
            if name in _confirmed:
                continue
            if _signature_holds(vault, conn, row):
                _confirmed.add(name)  # every later seal by this process skips the check
                continue
        conn.execute(
            "INSERT INTO audit_keys (generation, public, created_at, endorsed_by,"
            " endorser_serial, endorsement) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (generation) DO UPDATE SET public = excluded.public,"
            " endorsed_by = excluded.endorsed_by, endorser_serial = excluded.endorser_serial,"
            " endorsement = excluded.endorsement",
            (
                generation,
                public,
                dt.datetime.now(dt.UTC).isoformat(),
                person.login,
                person.serial,
                person.sign(endorsement_message(vault.meta.vault_id, generation, public)),
            ),
        )
        written.append(generation)
    return written


def _signature_holds(vault: Vault, conn: Any, row: AuditKeyRow) -> bool:
    """The endorsement matches the key its endorser recorded (whether that key is
    vouched for is checked where the public half is used)."""
    found = conn.execute(
        "SELECT box_public, sign_public FROM person_keys WHERE login = ? AND serial = ?",
        (row.endorsed_by, row.endorser_serial),
    ).fetchone()
    if found is None:
        return False
    endorser = PersonPublic(row.endorsed_by, row.endorser_serial, bytes(found[0]), bytes(found[1]))
    message = endorsement_message(vault.meta.vault_id, row.generation, row.public)
    return endorser.verify(message, row.endorsement)
