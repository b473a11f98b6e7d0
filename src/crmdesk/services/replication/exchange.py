"""``crmdesk sync``: this device's new changes written into the shared folder, and every
other device's new files read and merged.

Sending: in one transaction, local edits are captured and the outbox is written as this
device's next change file (one section per key: the office's basic information, each
book's value-added information), then the outbox is emptied and the device's log moves
on. A crash after the file is on disk and before the commit leaves a file the next sync
finds in its own folder: it checks it is its own, takes its log past it, and sends the
outbox again (the receivers drop what they already have).

Receiving: one transaction per file: local edits captured first (so nothing received
overwrites an edit unrecorded), then the file's changes merged, the device's log moved
past it and an audit entry made. A process killed half-way resumes at that file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from crmdesk.domain.replication.changes import Change
from crmdesk.domain.replication.errors import ReplicationError
from crmdesk.domain.roles import Permission, Role, allowed
from crmdesk.services.people import owner_principal
from crmdesk.services.user_session import Session
from crmdesk.sync import changefile
from crmdesk.sync.changefile import Section
from crmdesk.sync.errors import FileRejected
from crmdesk.vault import crash
from crmdesk.vault.keys.device import DeviceKey

from . import (
    devices,
    directory,
    joining,
    keys,
    ledger,
    state,
    status,
    syncthing_setup,
    trails,
)
from .apply import apply_changes
from .capture import capture
from .refusals import passed_on

DIRECTORY = "directory"  # an item of the owner device's office section
MAX_CHANGES_PER_FILE = 20_000


@dataclass(slots=True)
class SyncReport:
    """What one exchange did, for the command line and the app to word."""

    sent_changes: int = 0
    sent_files: int = 0
    read_files: int = 0
    received_changes: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    new_conflicts: int = 0
    joined: list[str] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)  # devices given keys of a new generation
    rejected: list[str] = field(default_factory=list)
    waiting_for_grant: bool = False
    waiting_files: dict[str, int] = field(default_factory=dict)  # device -> file number
    unknown_devices: list[str] = field(default_factory=list)  # folders of devices not known
    # Why the local Syncthing could not be asked to send the new files at once (its file
    # watcher sends them a few seconds later anyway), or None.
    syncthing_note: str | None = None


def sync_now(session: Session) -> SyncReport:
    """Exchange now: this device's changes out, every other device's new files in.
    A refusal that stops the exchange (this device's own files out of line, a key grant
    that does not check out) is a crmdesk error with its code and facts."""
    with passed_on():
        return _sync_now(session)


def _sync_now(session: Session) -> SyncReport:
    vault = session.vault
    office = state.require_office(vault)
    device = state.device_key(vault, office)
    office.sync_folder.prepare()
    report = SyncReport()
    if office.kind == state.OWNER:
        answered = joining.answer_requests(session, office, device)
        report.joined, report.rejected = answered.joined, answered.refused
        report.renewed = devices.renew_grants(vault, session.actor, office, device)
    elif not state.member_keys(vault) and not joining.take_grant(session, office):
        report.waiting_for_grant = True
        return report
    else:
        devices.take_newer_grant(session, office)
    held = keys.held(vault, office)
    directory.make_held_books(vault, held)
    _send(session, office, device, held, report)
    if report.sent_files:
        report.syncthing_note = syncthing_setup.nudge(vault)
    _receive(session, office, device, held, report)
    status.note_sync(vault, report.rejected)
    if office.kind == state.MEMBER:
        # The office may have named (or changed) this person's role: act in it from now.
        session.user = owner_principal(vault)
    return report


def _send(
    session: Session,
    office: state.Office,
    device: DeviceKey,
    held: dict[str, bytes],
    report: SyncReport,
) -> None:
    """Capture, then write the outbox as this device's next files (one transaction per
    file, :data:`MAX_CHANGES_PER_FILE` changes or so each) until it is empty."""
    vault = session.vault
    with vault.transaction():
        clock = state.clock(vault, office.device)
        capture(vault, clock)
        state.save_clock(vault, clock)
    after, first = 0, True
    while True:
        with vault.transaction():
            after, sent = _send_one(session, office, device, held, after, first=first)
        first = False
        if sent is None:
            return
        if sent >= 0:
            report.sent_changes += sent
            report.sent_files += 1


def _send_one(
    session: Session,
    office: state.Office,
    device: DeviceKey,
    held: dict[str, bytes],
    after: int,
    *,
    first: bool,
) -> tuple[int, int | None]:
    """One file of the outbox after number ``after`` (in the caller's transaction):
    (the last outbox number looked at, how many changes the file written carries; -1
    when that part of the outbox needed no file, None when nothing is left)."""
    vault = session.vault
    newest = keys.newest(held)
    folder = office.sync_folder
    log = state.own_log(vault)
    _catch_up_own(folder, device, log, held)
    queued = ledger.queued(vault, MAX_CHANGES_PER_FILE, after=after)
    by_section: dict[str, list[dict[str, Any]]] = {}
    numbers = []
    for number, base, change in queued:
        section_id = newest.get(base)
        if section_id is None:
            continue  # no key for that section here: it waits (sync status says so)
        by_section.setdefault(section_id, []).append(change.to_json())
        numbers.append(number)
    last = queued[-1][0] if queued else after
    office_id = newest[ledger.OFFICE]
    if first:
        if office.kind == state.OWNER:
            found = directory.changed_since_sent(vault)
            if found is not None:
                by_section.setdefault(office_id, []).insert(0, {DIRECTORY: found})
        trail = trails.outgoing(vault, office)
        if trail is not None:
            by_section.setdefault(office_id, []).append(trail)
    if not by_section:
        state.save_own_log(vault, log)
        # Nothing this device can send in this part of the outbox: on to the next part.
        return (last, -1) if queued else (last, None)
    sections = [Section(k, tuple(v)) for k, v in sorted(by_section.items())]
    folder.write(
        device,
        log,
        made_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        sections=sections,
        keys={s.key_id: held[s.key_id] for s in sections},
    )
    crash.point("sync:file_written")  # the file is there, its commit not yet
    ledger.sent(vault, numbers)
    state.save_own_log(vault, log)
    return last, len(numbers)


def _catch_up_own(folder: Any, device: DeviceKey, log: Any, held: dict[str, bytes]) -> None:
    """Move this device's log past files it wrote whose commit was lost (a crash between
    writing a file and committing): each must verify as its own, in line."""
    while True:
        path = folder.device_dir(device.device_id) / changefile.file_name(log.number + 1)
        if not path.is_file():
            return
        data = path.read_bytes()
        found = changefile.decode(
            data,
            office=folder.office,
            device=device.device_id,
            number=log.number + 1,
            device_key=device.public,
            keys=held,
        )
        if found.previous != log.digest:
            raise FileRejected(
                "this device's own files are out of line (its folder was changed)",
                code="sync.file_out_of_line",
                device=device.device_id,
                number=log.number + 1,
            )
        assert found.digest == hashlib.sha256(data).hexdigest()
        log.advance(found)


def _receive(
    session: Session,
    office: state.Office,
    device: DeviceKey,
    held: dict[str, bytes],
    report: SyncReport,
) -> None:
    vault = session.vault
    folder = office.sync_folder
    for other in folder.devices():
        if other == device.device_id:
            continue
        known = state.devices(vault).get(other)
        if known is None:
            # Not in the office's directory (yet: a laptop learns of a new one from the
            # office's next file; or never: a folder someone else put there).
            report.unknown_devices.append(other)
            continue
        if known.revoked_at is not None:
            continue
        log = state.log(vault, other)
        found = folder.read_new(other, log, device_key=state.unb64(known.sign_public), keys=held)
        report.rejected.extend(f"{r.device[:8]} #{r.number}: {r.message}" for r in found.rejected)
        if found.waiting is not None:
            report.waiting_files[other] = found.waiting
        for file in found.files:
            try:
                _apply_file(session, office, other, file, held, report)
            except ReplicationError as exc:
                report.rejected.append(f"{other[:8]} #{file.number}: {exc}")
                break


def _apply_file(
    session: Session,
    office: state.Office,
    other: str,
    file: changefile.ChangeFile,
    held: dict[str, bytes],
    report: SyncReport,
) -> None:
    vault = session.vault
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    with vault.transaction():
        clock = state.clock(vault, office.device)
        capture(vault, clock)
        totals = [0, 0, 0, 0, 0]
        refused: list[str] = []
        copied = 0
        known = state.devices(vault).get(other)
        opener = trails.audit_opener(vault, office, held)
        may_delete = _may_delete(vault, known)
        # The office's section first: records are made there, books fill them in.
        for section in sorted(file.opened, key=lambda s: not s.key_id.startswith("office@")):
            base = keys.base_of(section.key_id)
            changes: list[Change] = []
            for item in section.items:
                if DIRECTORY in item:
                    if other == office.owner_device and office.kind == state.MEMBER:
                        directory.take(vault, office, dict(item[DIRECTORY]), held)
                    continue
                if trails.TRAIL in item:
                    login = known.login if known else ""
                    took, problem = trails.take(
                        vault, other, login, dict(item[trails.TRAIL]), opener
                    )
                    copied += took
                    if problem is not None:
                        refused.append(problem)
                        vault.record_event(
                            session.actor,
                            "sync.trail_broken",
                            object=f"device:{other}",
                            details={"login": login, "problem": problem},
                        )
                    continue
                changes.append(Change.from_json(dict(item)))
            applied = apply_changes(vault, base, changes, clock, now, today, may_delete=may_delete)
            totals[0] += applied.changes
            totals[1] += len(applied.created)
            totals[2] += len(applied.updated)
            totals[3] += len(applied.deleted)
            totals[4] += applied.conflicts
            refused.extend(applied.refused)
        log = state.log(vault, other)
        log.advance(file)
        state.save_log(vault, other, log)
        status.note_taken(vault, other)
        state.save_clock(vault, clock)
        if totals[0] or refused:  # not for a file of trail entries alone: no echo
            _record_received(session, other, file.number, totals, copied, refused)
        crash.point("sync:file_applied")  # all of the file written, its commit not yet
    report.read_files += 1
    report.received_changes += totals[0]
    report.created += totals[1]
    report.updated += totals[2]
    report.deleted += totals[3]
    report.new_conflicts += totals[4]
    report.rejected.extend(refused)


def _may_delete(vault: Any, known: state.Device | None) -> bool:
    """Whether the person of the device that wrote a file may delete clients, by their
    role in the office (the office device's person always may)."""
    if known is None or not known.login:
        return True  # the office's own device, as a laptop first knows it
    row = vault.connection.execute(
        "SELECT role FROM users WHERE login = ? COLLATE NOCASE", (known.login,)
    ).fetchone()
    if row is None:
        return False
    return allowed(Role(str(row[0])), Permission.DELETE_CLIENT)


def _record_received(
    session: Session,
    other: str,
    number: int,
    totals: list[int],
    copied: int,
    refused: list[str],
) -> None:
    session.vault.record_event(
        session.actor,
        "sync.received",
        object=f"device:{other}",
        details={
            "file": number,
            "changes": totals[0],
            "created": totals[1],
            "updated": totals[2],
            "deleted": totals[3],
            "conflicts": totals[4],
            "audit_entries": copied,
            "refused": len(refused),
        },
    )
