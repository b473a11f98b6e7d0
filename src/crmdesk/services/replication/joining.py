"""Making an office, inviting a person's laptop into it, and the laptop joining.

The files are :mod:`crmdesk.sync.joining`'s; this module keeps what each side must
remember (the owner: each invitation's secret, sealed to the owner, until it is used;
the laptop: its invitation, sealed to its person) and answers requests at sync time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput
from crmdesk.services.access import require
from crmdesk.services.user_session import Session
from crmdesk.sync import joining as files
from crmdesk.sync.errors import FileRejected
from crmdesk.vault.keys.device import DeviceKey
from crmdesk.vault.keys.person import CannotOpen

from . import directory, keys, ledger, state
from .refusals import passed_on

JOINS, GRANTS = "joins", "grants"
INVITATION_PREFIX = "sync.invitation:"
MEMBER_INVITATION_KEY = "sync.invitation"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_office(session: Session, folder: Path) -> state.Office:
    """The owner's vault becomes an office whose devices share ``folder``."""
    require(session, Permission.MANAGE_USERS, what="office")
    vault = session.vault
    person = vault.person
    assert person is not None
    with vault.transaction():
        if state.office(vault) is not None:
            raise BadInput(
                "This vault is an office already; its sync status shows its devices.",
                code="sync.office_exists",
            )
        device = DeviceKey.generate()
        name = ledger.info(vault, "business_name") or ledger.info(vault, "owner_name") or ""
        office = state.Office(
            office=vault.meta.vault_id,
            name=name,
            folder=str(Path(os.path.abspath(folder))),
            kind=state.OWNER,
            device=device.device_id,
            login=person.login,
            device_sealed=state.b64(device.sealed_to(person.public)),
            owner_device=device.device_id,
            owner_sign_public=state.b64(device.public),
        )
        office.sync_folder.prepare()
        state.save_office(vault, office)
        state.save_devices(
            vault,
            {
                device.device_id: state.Device(
                    device.device_id, person.login, state.b64(device.public), _now().isoformat()
                )
            },
        )
        vault.record_event(
            session.actor,
            "office.created",
            object=f"office:{office.office}",
            details={"device": device.device_id, "folder": office.folder},
        )
    return office


def invite(session: Session, login: str) -> bytes:
    """An invitation for ``login``'s laptop (to hand over in person: it holds a secret)."""
    require(session, Permission.MANAGE_USERS, what=f"office invitation for {login}")
    vault = session.vault
    person = vault.person
    assert person is not None
    with vault.transaction() as conn:
        office = state.require_office(vault)
        if office.kind != state.OWNER:
            raise BadInput(
                "Only the office's own vault invites devices; this one is a laptop of it.",
                code="sync.not_office_vault",
            )
        row = conn.execute(
            "SELECT login, disabled_at FROM users WHERE login = ? COLLATE NOCASE", (login,)
        ).fetchone()
        if row is None or row[1] is not None:
            raise BadInput(
                f"There is no enabled user {login!r}. Add them as a user first.",
                code="sync.invite_unknown_user",
                login=login,
            )
        invitation = files.Invitation.new(
            office=office.office,
            office_name=office.name,
            login=str(row[0]),
            owner_device=office.device,
            owner_sign_public=state.unb64(office.owner_sign_public),
            syncthing_folder=f"crmdesk-{office.office[:16]}",
        )
        data = invitation.encode()
        record = {
            "login": invitation.login,
            "expires_at": invitation.expires_at,
            "sealed": state.b64(person.public.seal(data)),
            "used_by": None,
        }
        ledger.set_info(vault, INVITATION_PREFIX + invitation.invitation_id, json.dumps(record))
        vault.record_event(
            session.actor,
            "office.invited",
            object=invitation.login,
            details={"invitation": invitation.invitation_id, "expires_at": invitation.expires_at},
        )
    return data


def read_invitation(data: bytes) -> files.Invitation:
    """The invitation in ``data``; a damaged or expired one is a crmdesk error."""
    with passed_on():
        return _read_invitation(data)


def _read_invitation(data: bytes) -> files.Invitation:
    invitation = files.Invitation.decode(data)
    if invitation.expired():
        raise FileRejected(
            f"This invitation expired on {invitation.expires_at[:10]}. Ask the owner for a "
            "new one.",
            code="sync.invitation_expired",
            login=invitation.login,
        )
    return invitation


def become_member(session: Session, invitation: files.Invitation, folder: Path) -> state.Office:
    """A new vault becomes ``invitation``'s laptop of the office: its device key, and
    its join request written into the shared folder for the owner's next sync."""
    vault = session.vault
    person = vault.person
    assert person is not None
    device = DeviceKey.generate()
    office = state.Office(
        office=invitation.office,
        name=invitation.office_name,
        folder=str(Path(os.path.abspath(folder))),
        kind=state.MEMBER,
        device=device.device_id,
        login=person.login,
        device_sealed=state.b64(device.sealed_to(person.public)),
        owner_device=invitation.owner_device,
        owner_sign_public=state.b64(invitation.owner_sign_public),
        invitation=invitation.invitation_id,
    )
    request = files.make_request(
        invitation,
        device,
        device.public,
        person_box_public=person.public.box_public,
        person_sign_public=person.public.sign_public,
    )
    with vault.transaction():
        state.save_office(vault, office)
        ledger.set_info(
            vault,
            MEMBER_INVITATION_KEY,
            state.b64(person.public.seal(invitation.encode())),
        )
        state.save_devices(
            vault,
            {
                invitation.owner_device: state.Device(
                    invitation.owner_device,
                    "",
                    state.b64(invitation.owner_sign_public),
                    invitation.issued_at,
                )
            },
        )
        sync_folder = office.sync_folder
        sync_folder.prepare()
        write_once(joins_folder(office) / f"{device.device_id}.request", request.encode())
        vault.record_event(
            session.actor,
            "office.joined",
            object=f"office:{office.office}",
            details={"device": device.device_id, "office_name": office.name},
        )
    return office


@dataclass(slots=True)
class Answered:
    joined: list[str]  # logins whose devices were given their keys
    refused: list[str]  # why a request was refused


def answer_requests(session: Session, office: state.Office, device: DeviceKey) -> Answered:
    """The owner device's answer to each new join request in the shared folder."""
    vault = session.vault
    answered = Answered([], [])
    folder = joins_folder(office)
    if not folder.is_dir():
        return answered
    known = state.devices(vault)
    for path in sorted(folder.glob("*.request")):
        if path.stem in known:
            continue
        try:
            request = files.JoinRequest.decode(path.read_bytes())
            with vault.transaction() as conn:
                record_text = ledger.info(vault, INVITATION_PREFIX + request.invitation_id)
                if record_text is None:
                    raise FileRejected(
                        "a join request names an invitation this office never made",
                        code="sync.join_forged",
                        device=request.device,
                    )
                record = json.loads(record_text)
                if record["used_by"] is not None:
                    raise FileRejected(
                        "a join request names an invitation used already",
                        code="sync.invitation_used",
                        device=request.device,
                    )
                invitation = files.Invitation.decode(
                    vault.person.secret.open(state.unb64(record["sealed"]))
                )
                files.check_request(request, invitation)
                role = conn.execute(
                    "SELECT role FROM users WHERE login = ? COLLATE NOCASE AND disabled_at IS NULL",
                    (request.login,),
                ).fetchone()
                if role is None:
                    raise FileRejected(
                        f"{request.login} is no longer an enabled user",
                        code="sync.invite_unknown_user",
                        device=request.device,
                    )
                given = keys.for_person(vault, str(role[0]), request.login)
                grant = files.make_grant(device, request, given, number=1)
                record["used_by"] = request.device
                ledger.set_info(
                    vault, INVITATION_PREFIX + request.invitation_id, json.dumps(record)
                )
                known[request.device] = state.Device(
                    request.device,
                    request.login,
                    state.b64(request.device_sign_public),
                    _now().isoformat(),
                    books=sorted(keys.base_of(k) for k in given),
                    sections=sorted(given),
                )
                state.save_devices(vault, known)
                write_once(grants_folder(office) / f"{request.device}.grant-1", grant.encode())
                vault.record_event(
                    session.actor,
                    "office.device_joined",
                    object=request.login,
                    details={"device": request.device, "sections": sorted(given)},
                )
            answered.joined.append(request.login)
        except (FileRejected, CannotOpen, KeyError, ValueError) as exc:
            answered.refused.append(f"{path.name}: {getattr(exc, 'message', exc)}")
    return answered


def take_grant(session: Session, office: state.Office) -> bool:
    """A member device opens the first key grant the owner device wrote for it; False
    while there is none yet."""
    vault = session.vault
    if not (grants_folder(office) / f"{office.device}.grant-1").is_file():
        return False
    opened = open_grant_file(session, office, 1)
    with vault.transaction():
        state.save_member_keys(vault, opened)
        ledger.set_info(vault, "sync.grant_number", "1")
        vault.record_event(
            session.actor,
            "office.keys_received",
            object=f"office:{office.office}",
            details={"device": office.device, "grant": 1, "sections": sorted(opened)},
        )
    directory.make_held_books(vault, opened)
    return True


def open_grant_file(session: Session, office: state.Office, number: int) -> dict[str, bytes]:
    """The keys of this device's grant ``number``, checked against the office's owner
    device (named by the invitation this laptop joined with)."""
    person = session.vault.person
    assert person is not None
    sealed = ledger.info(session.vault, MEMBER_INVITATION_KEY)
    assert sealed is not None
    invitation = files.Invitation.decode(person.secret.open(state.unb64(sealed)))
    path = grants_folder(office) / f"{office.device}.grant-{number}"
    grant = files.KeyGrant.decode(path.read_bytes())
    return files.open_grant(grant, invitation, office.device, person.secret.raw[:32])


def joins_folder(office: state.Office) -> Path:
    return office.sync_folder.root / office.office / JOINS


def grants_folder(office: state.Office) -> Path:
    return office.sync_folder.root / office.office / GRANTS


def write_once(path: Path, data: bytes) -> None:
    """A file written whole under its name, never over another (fsynced, then linked)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{path.name}")
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(partial, path)
    except FileExistsError:
        if path.read_bytes() != data:
            raise
    finally:
        partial.unlink(missing_ok=True)
