"""Devices leaving and keys moving on: revocation at offboarding, and new key grants to
the devices that stay.

Disabling a person rotates every key they held (services/people.py); their devices are
revoked in the same step: the office's directory marks them, every device stops taking
their files, and they are given no key of the new generations, so nothing written after
it is readable to them. The devices that stay get a new grant, with the new
generations, at the owner device's next sync; a laptop keeps its older keys too, to read
files written before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crmdesk.sync import joining as files
from crmdesk.sync.errors import FileRejected
from crmdesk.vault.keys.device import DeviceKey

from . import directory, keys, ledger, state
from .joining import grants_folder, joins_folder, open_grant_file, write_once

GRANT_GLOB = "{device}.grant-*"


def revoke_devices_of(vault: Any, actor: str, login: str) -> list[state.Device]:
    """In the caller's transaction: every device of ``login`` revoked now, each recorded
    with the books it held (for the Access report) and until when."""
    found = state.office(vault)
    if found is None or found.kind != state.OWNER:
        return []
    devices = state.devices(vault)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    revoked = []
    for device in devices.values():
        if device.login.casefold() == login.casefold() and device.revoked_at is None:
            device.revoked_at = now
            revoked.append(device)
            vault.record_event(
                actor,
                "office.device_revoked",
                object=device.login,
                details={"device": device.device, "books": device.books, "until": now},
            )
    if revoked:
        state.save_devices(vault, devices)
    return revoked


def renew_grants(vault: Any, actor: str, office: state.Office, device: DeviceKey) -> list[str]:
    """The owner device's new grant to each device whose keys are no longer the ones its
    person's role gives now (a rotation, a role change); returns their logins."""
    devices = state.devices(vault)
    renewed = []
    with vault.transaction() as conn:
        for member in devices.values():
            if member.device == office.device or member.revoked_at is not None:
                continue
            role = conn.execute(
                "SELECT role FROM users WHERE login = ? COLLATE NOCASE AND disabled_at IS NULL",
                (member.login,),
            ).fetchone()
            if role is None:
                continue
            given = keys.for_person(vault, str(role[0]), member.login)
            if sorted(given) == sorted(member.sections):
                continue
            request = _request_of(office, member)
            if request is None:
                continue
            number = _newest_grant(office, member.device) + 1
            grant = files.make_grant(device, request, given, number=number)
            write_once(grants_folder(office) / f"{member.device}.grant-{number}", grant.encode())
            member.sections = sorted(given)
            member.books = sorted(keys.base_of(k) for k in given)
            renewed.append(member.login)
            vault.record_event(
                actor,
                "office.keys_granted",
                object=member.login,
                details={"device": member.device, "sections": member.sections},
            )
        if renewed:
            state.save_devices(vault, devices)
    return renewed


def _request_of(office: state.Office, member: state.Device) -> files.JoinRequest | None:
    path = joins_folder(office) / f"{member.device}.request"
    try:
        return files.JoinRequest.decode(path.read_bytes())
    except (OSError, FileRejected):
        return None


def _newest_grant(office: state.Office, device: str) -> int:
    numbers = [
        int(p.name.rpartition("-")[2])
        for p in grants_folder(office).glob(GRANT_GLOB.format(device=device))
        if p.name.rpartition("-")[2].isdigit()
    ]
    return max(numbers, default=0)


def take_newer_grant(session: Any, office: state.Office) -> bool:
    """A member device takes a grant newer than the one it holds (keys of a new
    generation); its older keys stay, for the files written before."""
    vault = session.vault
    have = int(ledger.info(vault, "sync.grant_number") or "0")
    newest = _newest_grant(office, office.device)
    if newest <= have:
        return False
    opened = open_grant_file(session, office, newest)
    with vault.transaction():
        state.save_member_keys(vault, {**state.member_keys(vault), **opened})
        ledger.set_info(vault, "sync.grant_number", str(newest))
        vault.record_event(
            session.actor,
            "office.keys_received",
            object=f"office:{office.office}",
            details={"device": office.device, "grant": newest, "sections": sorted(opened)},
        )
    directory.make_held_books(vault, opened)
    return True
