"""What this vault knows of its office, kept in ``vault_info``: which office, which
device it is (its signing key sealed to the person whose device it is), the devices of
the office, its clock, and how far it has read each device's files.

The device's secret and a member device's section keys are sealed to its person's key
(X25519 sealed boxes, like their key-slot grants): they open only once that person has
signed in, so another user of the same computer reads nothing of them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crmdesk.domain.replication.clock import HybridClock, Stamp
from crmdesk.errors import BadInput, CannotUnlock, NotAllowed
from crmdesk.sync.folder import DeviceLog, SyncFolder
from crmdesk.vault.keys.device import DeviceKey
from crmdesk.vault.keys.person import CannotOpen

from . import ledger

OFFICE_KEY = "sync.office"
DEVICES_KEY = "sync.devices"
CLOCK_KEY = "sync.clock"
OWN_LOG_KEY = "sync.own_log"
SECTION_KEYS_KEY = "sync.keys"
LOG_PREFIX = "sync.log:"
OWNER, MEMBER = "owner", "member"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(slots=True)
class Office:
    """This vault's place in an office."""

    office: str  # the office's id (the owner's vault id)
    name: str
    folder: str  # the shared folder on this computer
    kind: str  # OWNER (the office's own vault) or MEMBER (a person's laptop)
    device: str
    login: str  # whose device this is: its secret is sealed to them
    device_sealed: str
    owner_device: str
    owner_sign_public: str
    invitation: str = ""  # a member's invitation id

    @property
    def sync_folder(self) -> SyncFolder:
        return SyncFolder(Path(self.folder), self.office)


@dataclass(slots=True)
class Device:
    device: str
    login: str
    sign_public: str
    joined_at: str
    revoked_at: str | None = None
    books: list[str] = field(default_factory=list)  # the sections' bases it was given
    sections: list[str] = field(default_factory=list)  # the key ids of its newest grant


def office(vault: Any) -> Office | None:
    text = ledger.info(vault, OFFICE_KEY)
    return None if text is None else Office(**json.loads(text))


def require_office(vault: Any) -> Office:
    found = office(vault)
    if found is None:
        raise BadInput(
            "This vault is not part of an office yet: the owner makes the office, and a "
            "laptop joins it with the invitation the owner gives.",
            code="sync.no_office",
        )
    return found


def save_office(vault: Any, found: Office) -> None:
    ledger.set_info(vault, OFFICE_KEY, json.dumps(asdict(found), sort_keys=True))


def device_key(vault: Any, found: Office) -> DeviceKey:
    """This device's signing key, opened with the signed-in person's key."""
    person = vault.person
    if person is None or person.login.casefold() != found.login.casefold():
        raise NotAllowed(
            f"This vault's device belongs to {found.login}: only they sync it. "
            f"Sign in as {found.login}.",
            code="sync.not_your_device",
            login=found.login,
        )
    try:
        return DeviceKey.opened_by(person.secret, unb64(found.device_sealed))
    except (CannotOpen, ValueError):
        raise CannotUnlock(
            "This device's signing key does not open with your key (your keys were "
            "renewed since the office was set up here). Ask the owner for a new invitation.",
            code="sync.device_key_lost",
        ) from None


def devices(vault: Any) -> dict[str, Device]:
    text = ledger.info(vault, DEVICES_KEY)
    return {} if text is None else {k: Device(**v) for k, v in json.loads(text).items()}


def save_devices(vault: Any, found: dict[str, Device]) -> None:
    ledger.set_info(
        vault, DEVICES_KEY, json.dumps({k: asdict(v) for k, v in found.items()}, sort_keys=True)
    )


def clock(vault: Any, device: str) -> HybridClock:
    text = ledger.info(vault, CLOCK_KEY)
    return HybridClock(device, last=Stamp.decode(text) if text else None)


def save_clock(vault: Any, found: HybridClock) -> None:
    ledger.set_info(vault, CLOCK_KEY, found.last.encode())


def log(vault: Any, device: str) -> DeviceLog:
    text = ledger.info(vault, LOG_PREFIX + device)
    return DeviceLog() if text is None else DeviceLog.from_json(json.loads(text))


def save_log(vault: Any, device: str, found: DeviceLog) -> None:
    ledger.set_info(vault, LOG_PREFIX + device, json.dumps(found.to_json(), sort_keys=True))


def own_log(vault: Any) -> DeviceLog:
    text = ledger.info(vault, OWN_LOG_KEY)
    return DeviceLog() if text is None else DeviceLog.from_json(json.loads(text))


def save_own_log(vault: Any, found: DeviceLog) -> None:
    ledger.set_info(vault, OWN_LOG_KEY, json.dumps(found.to_json(), sort_keys=True))


def member_keys(vault: Any) -> dict[str, bytes]:
    """A member device's section keys (``office@1``, ``book:<id>@1``...), opened."""
    text = ledger.info(vault, SECTION_KEYS_KEY)
    if text is None or vault.person is None:
        return {}
    try:
        opened = vault.person.secret.open(unb64(text))
    except CannotOpen:
        return {}
    return {k: unb64(v) for k, v in json.loads(opened).items()}


def save_member_keys(vault: Any, keys: dict[str, bytes]) -> None:
    person = vault.person
    assert person is not None
    body = json.dumps({k: b64(v) for k, v in sorted(keys.items())}).encode()
    ledger.set_info(vault, SECTION_KEYS_KEY, b64(person.public.seal(body)))
