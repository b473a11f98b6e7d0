"""``sync``, ``sync status``, ``sync setup --syncthing``, ``conflicts`` and ``conflicts
settle``: exchanging changes with the office's other devices (issue 14).

A refused file is reported, line by line, and changes nothing; the exit status stays 0
for it (the exchange did what it could). Only a failure of the exchange itself (this
device's own files out of line, the shared folder unusable, a key that does not open)
ends with a non-zero status.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from dataclasses import asdict
from typing import Any

from crmdesk.commands.io import print_json
from crmdesk.commands.unlock import open_session
from crmdesk.errors import BadInput, NotFound
from crmdesk.services.replication import conflicts, exchange, status, syncthing_setup
from crmdesk.services.replication.syncthing_setup import passed_on

DELETION = "deletion"  # how FIELD names it on the command line
SHORT_ID = 8


def cmd_sync(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        try:
            with passed_on():
                report = exchange.sync_now(session)
        except BadInput as exc:
            if not exc.code.startswith("sync.file_"):
                raise
            # Only this device's own files stop an exchange (another device's are
            # refused and reported): said as such, with what to do.
            raise BadInput(
                f"This device's own file #{exc.facts.get('number', 0)} in the shared folder "
                "was refused; nothing was sent or taken in.",
                code="cli.sync.own_file_refused",
                cause=exc,
                device=str(exc.facts.get("device", "")),
                number=int(exc.facts.get("number", 0)),
            ) from None
        except OSError as exc:
            raise BadInput(
                f"A file of the shared folder cannot be read or written ({exc.strerror or exc}: "
                f"{exc.filename}). If the shared folder is on a drive or a network share, "
                "connect it; then run crmdesk sync again.",
                code="cli.sync.folder_unusable",
            ) from None
    if report.waiting_for_grant:
        print(
            "This laptop waits for the owner's approval: its join request is in the shared "
            "folder, and the owner has not synced since it reached the office's computer. "
            "Once the owner has run crmdesk sync, run crmdesk sync here again."
        )
        return 0
    for line in sync_lines(report):
        print(line)
    return 0


def sync_lines(report: exchange.SyncReport) -> list[str]:
    lines = []
    if report.sent_files:
        lines.append(
            f"Sent {_n(report.sent_changes, 'change')} in {_n(report.sent_files, 'file')}."
        )
    else:
        lines.append("Nothing new to send.")
    if report.read_files:
        lines.append(
            f"Took in {_n(report.read_files, 'file')} from other devices "
            f"({_n(report.received_changes, 'change')}): clients {report.created} created, "
            f"{report.updated} updated, {report.deleted} deleted."
        )
    else:
        lines.append("Nothing new from other devices.")
    for login in report.joined:
        lines.append(f"{login}'s laptop joined the office: it was given its keys.")
    if report.renewed:
        lines.append(
            f"Gave {_n(len(report.renewed), 'device')} the office's new keys (after an "
            "offboarding): " + ", ".join(d[:8] for d in report.renewed) + "."
        )
    if report.new_conflicts:
        lines.append(
            f"{_n(report.new_conflicts, 'new conflict')}: two people changed the same field; "
            "see crmdesk conflicts."
        )
    for device, number in sorted(report.waiting_files.items()):
        lines.append(
            f"Waiting for file #{number} of device {device[:8]}: it has not arrived in the "
            "shared folder yet (its later files wait for it)."
        )
    if report.syncthing_note:
        lines.append(
            "Syncthing could not be asked to send the new files at once "
            f"({report.syncthing_note}); it sends them when it next notices them "
            "(within seconds while it runs). "
            "`crmdesk sync setup --syncthing` sets it up again."
        )
    if report.unknown_devices:
        lines.append(
            f"Not taken: the files of {_n(len(report.unknown_devices), 'device')} the office "
            "does not know (yet: a laptop learns of a new one from the office's next file): "
            + ", ".join(d[:8] for d in report.unknown_devices)
            + "."
        )
    if report.rejected:
        lines.append(
            f"Refused ({len(report.rejected)}), nothing of it applied; the other devices' "
            "files were taken in as usual:"
        )
        lines.extend(f"  {line}" for line in report.rejected)
    return lines


def cmd_status(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        found = status.sync_status(session)
    if found is None:
        raise BadInput(
            "This vault is not part of an office.",
            code="sync.no_office",
        )
    if args.json:
        print_json(asdict(found))
        return 0
    whose = "the office's own vault" if found.kind == "owner" else f"{found.login}'s laptop"
    print(f"Office:          {found.office_name} ({found.office})")
    print(f"This device:     {found.device} ({whose})")
    print(f"Shared folder:   {found.folder}")
    if found.waiting_for_grant:
        print("Waiting for:     the owner's approval (the owner syncs once after this joined)")
    print(f"Last sync:       {_local(found.last_sync) or 'never'}")
    print(f"Changes waiting: {found.changes_waiting} (sent at the next crmdesk sync)")
    print(f"Conflicts:       {_n(found.conflicts, 'client')} (crmdesk conflicts)")
    print("Peers:" if found.peers else "Peers:           none yet")
    for peer in found.peers:
        who = peer.login or "the office"
        if peer.is_office and peer.login:
            who += " (the office)"
        taken = _local(peer.last_taken_at) or "never"
        revoked = f", REVOKED {_local(peer.revoked_at)}" if peer.revoked_at else ""
        print(
            f"  {who:<20} {peer.device[:8]}  {_n(peer.files_taken, 'file')} taken, "
            f"last {taken}{revoked}"
        )
    if found.rejected:
        print("Refused recently (newest last):")
        for line in found.rejected:
            print(f"  {line}")
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        done = syncthing_setup.set_up_syncthing(
            session,
            devices=args.device,
            untrusted=args.untrusted_device,
            config_dir=args.config_dir,
        )
    print(f"Syncthing shares the office's folder {done.folder_id} at {done.path}.")
    print(f"This computer's Syncthing device ID: {done.this_device}")
    print("  (give it to the office's other devices: crmdesk sync setup --syncthing --device ID)")
    for device in done.added:
        print(f"Added device {device}.")
    if done.shared_with:
        print("Shared with:")
        for device in done.shared_with:
            how = " (untrusted: an encrypted copy only)" if device in done.untrusted else ""
            print(f"  {device}{how}")
    else:
        print("Shared with no other device yet: add them with --device ID.")
    return 0


# -- conflicts ----------------------------------------------------------------------------


def cmd_conflicts(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        found = conflicts.list_conflicts(session)
    if not found:
        print("No conflicts.")
        return 0
    for conflict in found:
        of = f" of {conflict.table} {conflict.record_label!r}" if conflict.record_label else ""
        print(f"Client {conflict.client_id} {conflict.client_name}: {field_name(conflict)}{of}")
        for kind, version in (("kept", conflict.kept), *(("lost", v) for v in conflict.lost)):
            print(f"  {kind}: {_value(conflict, version)}  {_who(version)}  [{short(version)}]")
        print()
    print(
        "Keep one version on every device: crmdesk conflicts settle CLIENT_ID FIELD --keep "
        "VERSION, with FIELD as listed and VERSION the id in brackets (keeping the kept one "
        "ends the conflict as it is)."
    )
    return 0


def cmd_settle(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        candidates = [
            c
            for c in conflicts.list_conflicts(session)
            if c.client_id == args.client_id and field_name(c) == args.field.strip()
        ]
        if not candidates:
            raise NotFound(
                f"Client {args.client_id} has no conflict on {args.field!r}. List them with "
                "crmdesk conflicts.",
                code="cli.conflicts.none",
            )
        conflict, version = _chosen(candidates, args.keep.strip())
        conflicts.settle(session, args.client_id, conflict.record, conflict.column, version.stamp)
    print(
        f"Settled {field_name(conflict)} of client {args.client_id}: kept "
        f"{_value(conflict, version)} ({_who(version)}). Every device shows it after its next "
        "crmdesk sync."
    )
    return 0


def field_name(conflict: conflicts.FieldConflict) -> str:
    """FIELD as the list shows it: ``notes`` for the client's own, ``contact.email`` for
    a field of one of its records, ``deletion`` (``contact.deletion``) for a deletion."""
    column = DELETION if conflict.is_deletion else conflict.column
    return column if conflict.table == "client" else f"{conflict.table}.{column}"


def short(version: conflicts.Version) -> str:
    """A version's id for the command line: short, and the same on every device."""
    return hashlib.sha256(version.stamp.encode()).hexdigest()[:SHORT_ID]


def _chosen(
    candidates: list[conflicts.FieldConflict], keep: str
) -> tuple[conflicts.FieldConflict, conflicts.Version]:
    keep = keep.lower()
    matches = [
        (c, v)
        for c in candidates
        for v in (c.kept, *c.lost)
        if v.stamp == keep or (len(keep) >= 4 and short(v).startswith(keep))
    ]
    if len(matches) != 1:
        raise BadInput(
            (
                f"{keep!r} is not one of this conflict's versions."
                if not matches
                else f"{keep!r} names several versions: give more of its id."
            )
            + " Give the id in brackets that crmdesk conflicts shows.",
            code="cli.conflicts.no_such_version",
        )
    return matches[0]


def _value(conflict: conflicts.FieldConflict, version: conflicts.Version) -> str:
    if conflict.is_deletion and version.value is None:
        return "(deleted)"
    if version.value is None or version.value == "":
        return "(empty)"
    text = json.dumps(version.value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _who(version: conflicts.Version) -> str:
    who = version.login or f"device {version.device[:8]}"
    return f"by {who}, {_local(version.at)}"


def _n(count: int, what: str) -> str:
    return f"{count} {what}" + ("" if count == 1 else "s")


def _local(utc_text: Any) -> str:
    if not utc_text:
        return ""
    try:
        return dt.datetime.fromisoformat(str(utc_text)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(utc_text)
