"""The local Syncthing set up for this vault's office (issue 14, part 6), through its
REST API (:mod:`crmdesk.sync.syncthing`): the office's shared folder, shared with the
office's devices, and never any other folder or a device Syncthing knew already.

The folder's id is the one the invitation names (``crmdesk-`` and the first 16
characters of the office id), so that the owner's and each laptop's Syncthing pair the
same folder. An untrusted device (a NAS, a relay server) gets the folder with an
encryption password: it stores only Syncthing's encrypted copy. Every trusted device
must give that device the same password, so it is derived from a key every device of
the office holds, the office's section key (HMAC-SHA256 with a label of its own): no
one types it, and nothing else is derived from it. It follows the office key's newest
generation: after an offboarding rotated the keys, the set-up is run again on each
device (and the untrusted device's copy is made again), so that a revoked device's
person no longer knows it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput
from crmdesk.services.access import require
from crmdesk.services.user_session import Session
from crmdesk.sync.errors import SyncthingError
from crmdesk.sync.syncthing import Endpoint, Syncthing

from . import keys, ledger, state
from .refusals import passed_on

SYNCTHING_KEY = "sync.syncthing"
NUDGE_TIMEOUT_S = 3.0
FOLDER_PREFIX = "crmdesk-"  # joining.invite names the folder the same way
_PASSWORD_LABEL = b"crmdesk syncthing untrusted-device password v1\x00"
_BASE32 = re.compile(r"^[A-Z2-7]{56}$")


def folder_id(office: str) -> str:
    """The Syncthing folder id of an office (as its invitations name it)."""
    return FOLDER_PREFIX + office[:16]


def device_id(text: str) -> str:
    """A Syncthing device ID as Syncthing writes it (eight groups of seven), from any
    spelling a person may copy (lower case, spaces or dashes)."""
    bare = re.sub(r"[\s-]", "", text).upper()
    if not _BASE32.match(bare):
        raise BadInput(
            f"{text.strip()[:80]!r} is not a Syncthing device ID (eight groups of seven "
            "letters and digits, as Syncthing shows under Actions › Show ID).",
            code="sync.syncthing_device_bad",
            device=text.strip()[:80],
        )
    return "-".join(bare[i : i + 7] for i in range(0, 56, 7))


@dataclass(frozen=True, slots=True)
class SyncthingSetup:
    folder_id: str
    path: str
    this_device: str  # this computer's Syncthing device ID, to give to the others
    added: list[str]  # devices Syncthing did not know before
    shared_with: list[str]  # every other device the folder is shared with now
    untrusted: list[str]  # of those, the ones that get only an encrypted copy


def set_up_syncthing(
    session: Session,
    *,
    devices: Iterable[str] = (),
    untrusted: Iterable[str] = (),
    config_dir: Path | None = None,
) -> SyncthingSetup:
    """Add (or complete) the office's folder in the local Syncthing, shared with
    ``devices`` (send-receive) and ``untrusted`` devices (encrypted copy only)."""
    require(session, Permission.VIEW_BASIC, what="office")
    vault = session.vault
    with vault.reading():
        office = state.require_office(vault)
    trusted = list(dict.fromkeys(device_id(d) for d in devices))
    relays = list(dict.fromkeys(device_id(d) for d in untrusted))
    both = sorted(set(trusted) & set(relays))
    if both:
        raise BadInput(
            f"Device {both[0]} is named both as an office device and as untrusted; it can "
            "be only one of them.",
            code="sync.syncthing_device_twice",
            device=both[0],
        )
    password = untrusted_password(session, office) if relays else None
    office.sync_folder.prepare()  # the folder and its ignore file before Syncthing scans it
    with passed_on():
        api = Syncthing(Endpoint.from_home(config_dir))
        me = api.my_id()
        trusted = [d for d in trusted if d != me]
        relays = [d for d in relays if d != me]
        added = [d for d in trusted if api.ensure_device(d, f"crmdesk {office.name}".strip())]
        added += [d for d in relays if api.ensure_device(d, "crmdesk untrusted copy")]
        fid = folder_id(office.office)
        api.ensure_folder(
            fid,
            Path(office.folder),
            label=f"crmdesk {office.name}".strip(),
            devices=trusted,
            untrusted=dict.fromkeys(relays, password or ""),
        )
        found = api.folder(fid) or {}
    entries = [d for d in found.get("devices", []) if d.get("deviceID") != me]
    with vault.transaction():
        # Where this Syncthing is, so that each sync can ask it to look at the folder at
        # once (:func:`nudge`) instead of after its file watcher's delay.
        where = {"folder": fid, "config_dir": str(config_dir) if config_dir else None}
        ledger.set_info(vault, SYNCTHING_KEY, json.dumps(where))
        vault.record_event(
            session.actor,
            "office.syncthing_set_up",
            object=f"office:{office.office}",
            details={"folder": fid, "devices": trusted, "untrusted": relays},
        )
    return SyncthingSetup(
        fid,
        office.folder,
        me,
        added,
        sorted(str(d["deviceID"]) for d in entries),
        sorted(str(d["deviceID"]) for d in entries if d.get("encryptionPassword")),
    )


def nudge(vault: Any) -> str | None:
    """Ask the local Syncthing, if crmdesk set it up, to look at the office's folder now:
    files just written then leave in a fraction of a second instead of after the file
    watcher's delay (10 s). Returns why it could not (the watcher still sends them), or
    None."""
    text = ledger.info(vault, SYNCTHING_KEY)
    if text is None:
        return None
    where = json.loads(text)
    home = Path(where["config_dir"]) if where.get("config_dir") else None
    try:
        Syncthing(Endpoint.from_home(home), timeout=NUDGE_TIMEOUT_S).scan(where["folder"])
    except SyncthingError as exc:
        return exc.message
    return None


def untrusted_password(session: Session, office: state.Office) -> str:
    """The password an untrusted device's encrypted copy is made with: the same on every
    device of the office that holds the office key's newest generation."""
    vault = session.vault
    with vault.reading():
        held = keys.held(vault, office)
    section = keys.newest(held).get(ledger.OFFICE)
    if section is None:
        raise BadInput(
            "This device holds no office key yet (the owner has not answered its join "
            "request), so it cannot share the folder with an untrusted device. Sync once "
            "the owner has, then set it up again.",
            code="sync.syncthing_no_key",
        )
    digest = hmac.new(
        held[section], _PASSWORD_LABEL + office.office.encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=")
