"""Every device's audit trail, copied to the Owner's and Managers' devices (part 5).

Each device sends the entries of its own trail since its last file, sealed to the
office's audit key (only the Owner and the Managers hold its secret half): inside, each
entry's stored columns (so the receiver checks its hash and its link to the entry
before) and its details opened (value-added details sealed to the device's own audit
key are opened by the device and sealed again, at the receiver, to the office's).

A receiver holding the audit key appends each entry to its own trail, with the time it
happened there and the device named (so the Activity page, its filters and the Access
report cover every device), and keeps the device's last entry: the next batch must link
to it. A device whose trail was cut or rewritten after it sent it cannot link to the
copy, and is reported.

Entries copied from another device are never sent on (every device sends its own), and
an exchange records an entry only when it changed something, so devices do not echo.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from crmdesk import audit
from crmdesk.services import audit_sealing
from crmdesk.vault.keys.audit_box import AuditOpener, seal_to

from . import ledger, state

TRAIL = "trail"  # the item of an office section that carries a sealed batch
SENT_KEY = "sync.trail_sent"
HEAD_PREFIX = "sync.trail:"
AUDIT_PUBLIC_KEY = "sync.audit_public"
AUDIT_SECTION = "audit@"  # a member's section keys may hold the audit secret, by generation
COPIED = "copied_from"  # the details member naming the device an entry was copied from
MAX_ENTRIES = 20_000


def office_audit_key(vault: Any, office: state.Office) -> tuple[int, bytes] | None:
    """(generation, public half) of the office's audit key, to seal batches to."""
    if office.kind == state.OWNER:
        return audit_sealing.sealing_key(vault, vault.connection)
    text = ledger.info(vault, AUDIT_PUBLIC_KEY)
    if text is None:
        return None
    generation, public = json.loads(text)
    return int(generation), state.unb64(public)


def directory_entry(vault: Any) -> list[Any]:
    """What the owner device's directory says of the audit key: [generation, public]."""
    generation, public = audit_sealing.sealing_key(vault, vault.connection)
    return [generation, state.b64(public)]


def take_directory_entry(vault: Any, entry: Any) -> None:
    if isinstance(entry, list) and len(entry) == 2:
        ledger.set_info(vault, AUDIT_PUBLIC_KEY, json.dumps(entry))


def outgoing(vault: Any, office: state.Office) -> dict[str, Any] | None:
    """This device's new trail entries as one sealed item, or None (nothing new, or no
    audit key known yet). In the caller's transaction: the mark moves with the file."""
    key = office_audit_key(vault, office)
    if key is None:
        return None
    sent = int(ledger.info(vault, SENT_KEY) or "0")
    rows = vault.connection.execute(
        "SELECT seq, ts, actor, action, object, details, prev_hash, hash FROM audit_events"
        " WHERE seq > ? ORDER BY seq LIMIT ?",
        (sent, MAX_ENTRIES),
    ).fetchall()
    if all(COPIED in json.loads(r[5]) for r in rows):
        return None  # only copies of others' entries: they go along with the next own one
    keys = audit_sealing.opener(vault)
    entries = []
    for seq, ts, actor, action, obj, details, prev, digest in rows:
        stored = json.loads(details)
        entries.append(
            {
                "seq": seq,
                "ts": ts,
                "actor": actor,
                "action": action,
                "object": obj,
                "details": details,
                "prev": prev,
                "hash": digest,
                "opened": audit_sealing.open_details(keys, stored),
            }
        )
    ledger.set_info(vault, SENT_KEY, str(rows[-1][0]))
    # The copies this device holds of others' entries go along (they are part of its
    # chain: the receiver checks every link) but are not copied again there.
    generation, public = key
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return {TRAIL: {"generation": generation, "sealed": state.b64(seal_to(public, body))}}


def audit_opener(vault: Any, office: state.Office, held: dict[str, bytes]) -> AuditOpener:
    if office.kind == state.OWNER:
        return audit_sealing.opener(vault)
    secrets = {
        int(k[len(AUDIT_SECTION) :]): v
        for k, v in held.items()
        if k.startswith(AUDIT_SECTION) and k[len(AUDIT_SECTION) :].isdigit()
    }
    return AuditOpener(secrets)


def take(
    vault: Any, device: str, login: str, item: dict[str, Any], opener: AuditOpener
) -> tuple[int, str | None]:
    """Append another device's entries to this trail (in the caller's transaction).
    Returns (entries copied, the problem when the batch does not link to the copy)."""
    generation = int(item.get("generation", 0))
    if not opener.holds(generation):
        return 0, None  # not the Owner or a Manager: the batch is not for this device
    content = opener.open(generation, state.unb64(str(item.get("sealed", ""))))
    if content is None:
        return 0, f"the audit entries of device {device[:8]} do not open"
    entries = json.loads(content)
    head = json.loads(ledger.info(vault, HEAD_PREFIX + device) or "null")
    last_seq, last_hash = (head[0], head[1]) if head else (0, None)
    copied = 0
    try:
        for entry in entries:
            problem = _check(entry, device, login, last_seq, last_hash)
            if problem is not None:
                return copied, problem
            last_seq, last_hash = int(entry["seq"]), str(entry["hash"])
            opened = dict(entry["opened"])
            if COPIED in opened:
                continue  # a copy it holds of a third device's entry: that one sends its own
            details = {**opened, COPIED: device, "device_seq": last_seq}
            vault.record_event(
                entry["actor"],
                entry["action"],
                object=entry["object"],
                details=audit_sealing.seal_details(vault, vault.connection, details),
                at=dt.datetime.fromisoformat(entry["ts"]),
            )
            copied += 1
    finally:
        ledger.set_info(vault, HEAD_PREFIX + device, json.dumps([last_seq, last_hash]))
    return copied, None


def _check(
    entry: dict[str, Any], device: str, login: str, last_seq: int, last_hash: str | None
) -> str | None:
    """Why ``entry`` does not continue the copy of ``device``'s trail, or None."""
    seq, prev = int(entry["seq"]), str(entry["prev"])
    digest = audit.entry_hash(
        seq, entry["ts"], entry["actor"], entry["action"], entry["object"], entry["details"], prev
    )
    if digest != entry["hash"]:
        return f"an audit entry of device {device[:8]} was changed (entry {seq})"
    if seq != last_seq + 1 or (last_hash is not None and prev != last_hash):
        return (
            f"the audit trail of device {device[:8]} ({login}) was cut or rewritten after "
            f"entry {last_seq}, which it had sent before (now it sends entry {seq})"
        )
    return None
