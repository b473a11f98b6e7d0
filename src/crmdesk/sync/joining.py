"""How a laptop joins an office without a server (issue 14, part 1), as three files.

1. The **invitation** (``office invite``), handed over in person or on a USB stick: the
   office's identity, the owner device's signing key (so the laptop can check what the
   office sends it), the Syncthing folder and device to pair with, the login it is for,
   an expiry, and a one-time secret of 32 bytes.
2. The **join request**, which the laptop writes into the shared folder: its new
   device's public keys and the person's new key-slot public keys, MACed with the
   invitation's secret (HMAC-SHA256: only someone who holds the invitation can write it)
   and signed with the device's own key (it holds the key it names).
3. The **key grant**, which the owner's device writes back once it has checked the
   request: the data keys the person's role allows, each sealed to the person's X25519
   key (libsodium sealed boxes), the whole signed by the owner device (Ed25519) whose key
   the invitation carried.

The owner's vault keeps each invitation's secret until it is used or expires; a request
for an invitation used or unknown is refused there (the services do that).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import VerifyKey

from crmdesk.sync.changefile import Signer
from crmdesk.sync.errors import FileRejected

INVITATION_MAGIC = "crmdesk-invitation 1"
REQUEST_MAGIC = "crmdesk-join-request 1"
GRANT_MAGIC = "crmdesk-key-grant 1"
VALID_FOR = timedelta(days=7)
_SIGNED_REQUEST = b"crmdesk join request v1\x00"
_SIGNED_GRANT = b"crmdesk key grant v1\x00"


@dataclass(frozen=True, slots=True)
class Invitation:
    invitation_id: str
    office: str
    office_name: str
    login: str
    owner_device: str
    owner_sign_public: bytes
    syncthing_folder: str
    syncthing_device: str  # the owner's Syncthing device ID ("" when none is set up)
    issued_at: str
    expires_at: str
    secret: bytes

    @classmethod
    def new(
        cls,
        *,
        office: str,
        office_name: str,
        login: str,
        owner_device: str,
        owner_sign_public: bytes,
        syncthing_folder: str,
        syncthing_device: str = "",
        now: datetime | None = None,
    ) -> Invitation:
        issued = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(
            secrets.token_hex(16),
            office,
            office_name,
            login,
            owner_device,
            owner_sign_public,
            syncthing_folder,
            syncthing_device,
            issued.isoformat(timespec="seconds"),
            (issued + VALID_FOR).isoformat(timespec="seconds"),
            secrets.token_bytes(32),
        )

    def encode(self) -> bytes:
        body = {
            "format": INVITATION_MAGIC,
            "invitation": self.invitation_id,
            "office": self.office,
            "office_name": self.office_name,
            "login": self.login,
            "owner_device": self.owner_device,
            "owner_sign_public": _b64(self.owner_sign_public),
            "syncthing_folder": self.syncthing_folder,
            "syncthing_device": self.syncthing_device,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "secret": _b64(self.secret),
        }
        return _canonical(body) + b"\n"

    @classmethod
    def decode(cls, data: bytes) -> Invitation:
        try:
            body = json.loads(data)
            if body.get("format") != INVITATION_MAGIC:
                raise ValueError("format")
            found = cls(
                str(body["invitation"]),
                str(body["office"]),
                str(body["office_name"]),
                str(body["login"]),
                str(body["owner_device"]),
                _unb64(body["owner_sign_public"], 32),
                str(body["syncthing_folder"]),
                str(body.get("syncthing_device", "")),
                str(body["issued_at"]),
                str(body["expires_at"]),
                _unb64(body["secret"], 32),
            )
            datetime.fromisoformat(found.expires_at)
            return found
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise FileRejected(
                "this file is not a crmdesk invitation, or it was damaged",
                code="sync.invitation_bad",
            ) from None

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= datetime.fromisoformat(self.expires_at)


@dataclass(frozen=True, slots=True)
class JoinRequest:
    invitation_id: str
    office: str
    login: str
    device: str
    device_sign_public: bytes
    person_box_public: bytes
    person_sign_public: bytes
    made_at: str
    mac: bytes
    signature: bytes

    def _body(self) -> dict[str, Any]:
        return {
            "format": REQUEST_MAGIC,
            "invitation": self.invitation_id,
            "office": self.office,
            "login": self.login,
            "device": self.device,
            "device_sign_public": _b64(self.device_sign_public),
            "person_box_public": _b64(self.person_box_public),
            "person_sign_public": _b64(self.person_sign_public),
            "made_at": self.made_at,
        }

    def encode(self) -> bytes:
        body = self._body() | {"mac": _b64(self.mac), "signature": _b64(self.signature)}
        return _canonical(body) + b"\n"

    @classmethod
    def decode(cls, data: bytes) -> JoinRequest:
        try:
            body = json.loads(data)
            if body.get("format") != REQUEST_MAGIC:
                raise ValueError("format")
            return cls(
                str(body["invitation"]),
                str(body["office"]),
                str(body["login"]),
                str(body["device"]),
                _unb64(body["device_sign_public"], 32),
                _unb64(body["person_box_public"], 32),
                _unb64(body["person_sign_public"], 32),
                str(body["made_at"]),
                _unb64(body["mac"], 32),
                _unb64(body["signature"], 64),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise FileRejected(
                "a join request in the shared folder cannot be read", code="sync.join_bad"
            ) from None


def make_request(
    invitation: Invitation,
    device: Signer,
    device_sign_public: bytes,
    *,
    person_box_public: bytes,
    person_sign_public: bytes,
    now: datetime | None = None,
) -> JoinRequest:
    """The laptop's request to join, for the invitation it was given."""
    unsigned = JoinRequest(
        invitation.invitation_id,
        invitation.office,
        invitation.login,
        device.device_id,
        device_sign_public,
        person_box_public,
        person_sign_public,
        (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        b"",
        b"",
    )
    body = _canonical(unsigned._body())
    mac = hmac.new(invitation.secret, body, hashlib.sha256).digest()
    signature = device.sign(_SIGNED_REQUEST + body + mac)
    return JoinRequest(**{**_fields(unsigned), "mac": mac, "signature": signature})


def check_request(
    request: JoinRequest, invitation: Invitation, now: datetime | None = None
) -> None:
    """The owner's check of a request against the invitation it names (its secret is
    the owner's); raises :class:`FileRejected` saying why not."""
    facts = {"login": request.login, "device": request.device}
    body = _canonical(request._body())
    expected = hmac.new(invitation.secret, body, hashlib.sha256).digest()
    if request.invitation_id != invitation.invitation_id or not hmac.compare_digest(
        request.mac, expected
    ):
        raise FileRejected(
            "a join request does not come from the holder of the invitation it names",
            code="sync.join_forged",
            **facts,
        )
    if (request.office, request.login) != (invitation.office, invitation.login):
        raise FileRejected(
            "a join request names another office or person than its invitation",
            code="sync.join_forged",
            **facts,
        )
    try:
        VerifyKey(request.device_sign_public).verify(
            _SIGNED_REQUEST + body + request.mac, request.signature
        )
    except (BadSignatureError, ValueError):
        raise FileRejected(
            "a join request is not signed by the device it names", code="sync.join_forged", **facts
        ) from None
    if request.device != device_id_of(request.device_sign_public):
        raise FileRejected(
            "a join request's device id is not its key's", code="sync.join_forged", **facts
        )
    if invitation.expired(now):
        raise FileRejected(
            f"the invitation for {invitation.login} expired on {invitation.expires_at[:10]}: "
            "make a new one",
            code="sync.invitation_expired",
            **facts,
        )


@dataclass(frozen=True, slots=True)
class KeyGrant:
    """Data keys for one person's device, sealed to the person, signed by the owner."""

    office: str
    device: str
    login: str
    number: int  # grants to a device are numbered: the newest holds its keys now
    sealed: Mapping[str, bytes]  # key id -> the key sealed to the person's X25519 key
    made_at: str
    signature: bytes = b""

    def _body(self) -> dict[str, Any]:
        return {
            "format": GRANT_MAGIC,
            "office": self.office,
            "device": self.device,
            "login": self.login,
            "number": self.number,
            "keys": {k: _b64(v) for k, v in sorted(self.sealed.items())},
            "made_at": self.made_at,
        }

    def encode(self) -> bytes:
        return _canonical(self._body() | {"signature": _b64(self.signature)}) + b"\n"

    @classmethod
    def decode(cls, data: bytes) -> KeyGrant:
        try:
            body = json.loads(data)
            if body.get("format") != GRANT_MAGIC or not isinstance(body["number"], int):
                raise ValueError("format")
            return cls(
                str(body["office"]),
                str(body["device"]),
                str(body["login"]),
                body["number"],
                {str(k): _unb64(v) for k, v in body["keys"].items()},
                str(body["made_at"]),
                _unb64(body["signature"], 64),
            )
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise FileRejected("a key grant cannot be read", code="sync.grant_bad") from None


def make_grant(
    owner_device: Signer,
    request: JoinRequest,
    keys: Mapping[str, bytes],
    *,
    number: int,
    now: datetime | None = None,
) -> KeyGrant:
    """The keys ``keys`` (already chosen by the person's role) sealed to the person."""
    box = SealedBox(PublicKey(request.person_box_public))
    unsigned = KeyGrant(
        request.office,
        request.device,
        request.login,
        number,
        {key_id: box.encrypt(key) for key_id, key in keys.items()},
        (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
    )
    signature = owner_device.sign(_SIGNED_GRANT + _canonical(unsigned._body()))
    return KeyGrant(**{**_fields(unsigned), "signature": signature})


def open_grant(
    grant: KeyGrant, invitation: Invitation, device: str, person_box_secret: bytes
) -> dict[str, bytes]:
    """The laptop's check of a grant (signed by the office's owner device, for this
    device and person) and its keys opened."""
    facts = {"device": device}
    try:
        VerifyKey(invitation.owner_sign_public).verify(
            _SIGNED_GRANT + _canonical(grant._body()), grant.signature
        )
    except (BadSignatureError, ValueError):
        raise FileRejected(
            "a key grant is not signed by the office's owner device",
            code="sync.grant_forged",
            **facts,
        ) from None
    if (grant.office, grant.device, grant.login) != (invitation.office, device, invitation.login):
        raise FileRejected(
            "a key grant is for another office, device or person", code="sync.grant_forged", **facts
        )
    box = SealedBox(PrivateKey(person_box_secret))
    try:
        return {key_id: box.decrypt(sealed) for key_id, sealed in grant.sealed.items()}
    except CryptoError:
        raise FileRejected(
            "a key grant's keys are sealed to someone else", code="sync.grant_forged", **facts
        ) from None


def device_id_of(sign_public: bytes) -> str:
    """A device's id: the first 16 bytes of the SHA-256 of its signing key, in hex."""
    return hashlib.sha256(sign_public).hexdigest()[:32]


def _fields(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


def _canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, size: int | None = None) -> bytes:
    data = base64.b64decode(str(text), validate=True)
    if size is not None and len(data) != size:
        raise ValueError("length")
    return data
