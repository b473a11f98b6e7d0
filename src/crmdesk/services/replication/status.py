"""What ``crmdesk sync status`` and the app's Sync page show: the office, this device,
each peer and when its last file was taken in, what waits, what was refused, conflicts."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from crmdesk.services import client_store as store
from crmdesk.services.user_session import Session

from . import keys, ledger, state

SEEN_PREFIX = "sync.seen:"
LAST_SYNC_KEY = "sync.last"
REJECTED_KEY = "sync.rejected"
KEEP_REJECTED = 50


@dataclass(frozen=True, slots=True)
class Peer:
    device: str
    login: str  # "" for the office's own device as a laptop first knows it
    is_office: bool
    files_taken: int  # how many of its files this device has applied
    last_taken_at: str | None  # UTC, when this device last applied one of its files
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class SyncStatus:
    office: str
    office_name: str
    kind: str  # "owner" (the office's own vault) or "member" (a laptop)
    device: str
    login: str
    folder: str
    waiting_for_grant: bool
    last_sync: str | None
    # This device's changes not yet written into a file: those captured, plus one for each
    # client edited here since the last sync (captured at the next one).
    changes_waiting: int
    conflicts: int  # clients with fields in conflict
    peers: list[Peer] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # newest last


def sync_status(session: Session) -> SyncStatus | None:
    """None when this vault is not part of an office."""
    vault = session.vault
    with vault.reading():
        office = state.office(vault)
        if office is None:
            return None
        peers = []
        for device in sorted(state.devices(vault).values(), key=lambda d: (d.login, d.device)):
            if device.device == office.device:
                continue
            peers.append(
                Peer(
                    device.device,
                    device.login,
                    device.device == office.owner_device,
                    state.log(vault, device.device).number,
                    ledger.info(vault, SEEN_PREFIX + device.device),
                    device.revoked_at,
                )
            )
        conflicts = int(
            vault.connection.execute("SELECT count(*) FROM repl_conflicted").fetchone()[0]
        )
        rejected = json.loads(ledger.info(vault, REJECTED_KEY) or "[]")
        waiting_for_grant = office.kind == state.MEMBER and not keys.held(vault, office)
        return SyncStatus(
            office.office,
            office.name,
            office.kind,
            office.device,
            office.login,
            office.folder,
            waiting_for_grant,
            ledger.info(vault, LAST_SYNC_KEY),
            ledger.waiting(vault) + _edited_since_capture(vault),
            conflicts,
            peers,
            rejected,
        )


def _edited_since_capture(vault: Any) -> int:
    """Clients created, edited or deleted here that no sync has captured yet."""
    return store.count_uncaptured(vault.connection)


def note_taken(vault: Any, device: str) -> None:
    """In the transaction that applied one of ``device``'s files."""
    ledger.set_info(vault, SEEN_PREFIX + device, _now())


def note_sync(vault: Any, rejected: list[str]) -> None:
    """After an exchange: when, and what was refused (the newest kept)."""
    with vault.transaction():
        ledger.set_info(vault, LAST_SYNC_KEY, _now())
        if rejected:
            kept = json.loads(ledger.info(vault, REJECTED_KEY) or "[]")
            stamp = _now()
            kept = [*kept, *(f"{stamp} {r}" for r in rejected)][-KEEP_REJECTED:]
            ledger.set_info(vault, REJECTED_KEY, json.dumps(kept))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
