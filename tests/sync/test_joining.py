"""A laptop joins an office through three files: the invitation handed over, the join
request MACed with its secret and signed by the new device, the owner's key grant sealed
to the person (issue 14, part 1: the formats and their checks)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta

import pytest
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from crmdesk.sync import joining
from crmdesk.sync.errors import FileRejected
from crmdesk.sync.joining import Invitation, JoinRequest, KeyGrant

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class Device:
    def __init__(self) -> None:
        self._key = SigningKey.generate()
        self.public = bytes(self._key.verify_key)
        self.device_id = joining.device_id_of(self.public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message).signature


@pytest.fixture
def office():
    owner = Device()
    invitation = Invitation.new(
        office="0f1ce0000000aaaa",
        office_name="Harbour Supplies",
        login="sam",
        owner_device=owner.device_id,
        owner_sign_public=owner.public,
        syncthing_folder="crmdesk-0f1ce0000000aaaa",
        now=NOW,
    )
    return owner, invitation


def _join(invitation: Invitation, laptop: Device, person: PrivateKey) -> JoinRequest:
    handed_over = Invitation.decode(invitation.encode())  # through a file on a USB stick
    request = joining.make_request(
        handed_over,
        laptop,
        laptop.public,
        person_box_public=bytes(person.public_key),
        person_sign_public=bytes(SigningKey.generate().verify_key),
        now=NOW,
    )
    return JoinRequest.decode(request.encode())  # through the shared folder


def test_a_laptop_joins_and_opens_exactly_the_keys_granted(office):
    owner, invitation = office
    laptop, person = Device(), PrivateKey.generate()
    request = _join(invitation, laptop, person)
    joining.check_request(request, invitation, now=NOW + timedelta(hours=1))
    keys = {"office": os.urandom(32), "book:sam": os.urandom(32)}
    grant = joining.make_grant(owner, request, keys, number=1, now=NOW)
    received = KeyGrant.decode(grant.encode())
    assert joining.open_grant(received, invitation, laptop.device_id, bytes(person)) == keys
    # The grant in the folder holds the keys only sealed: not one in the clear.
    text = grant.encode()
    assert all(key not in text and joining._b64(key).encode() not in text for key in keys.values())


def test_a_request_without_the_invitations_secret_is_refused(office):
    _, invitation = office
    laptop = Device()
    guessed = dataclasses.replace(invitation, secret=os.urandom(32))
    request = _join(guessed, laptop, PrivateKey.generate())
    with pytest.raises(FileRejected) as refused:
        joining.check_request(request, invitation, now=NOW)
    assert refused.value.code == "sync.join_forged"


def test_a_request_changed_in_the_folder_is_refused(office):
    _, invitation = office
    laptop, mallory = Device(), Device()
    request = _join(invitation, laptop, PrivateKey.generate())
    for changed in (
        dataclasses.replace(request, login="owner"),
        dataclasses.replace(request, person_box_public=bytes(PrivateKey.generate().public_key)),
        # Someone with the file swaps in their own device: the MAC no longer matches.
        dataclasses.replace(request, device=mallory.device_id, device_sign_public=mallory.public),
    ):
        with pytest.raises(FileRejected) as refused:
            joining.check_request(changed, invitation, now=NOW)
        assert refused.value.code == "sync.join_forged"


def test_a_request_signed_by_another_device_than_it_names_is_refused(office):
    _, invitation = office
    laptop, other = Device(), Device()
    request = _join(invitation, laptop, PrivateKey.generate())
    # Re-MACed by the invitation's holder for another key, but not signed by that key.
    unsigned = dataclasses.replace(request, device_sign_public=other.public, device=other.device_id)
    body = joining._canonical(unsigned._body())
    mac = joining.hmac.new(invitation.secret, body, joining.hashlib.sha256).digest()
    with pytest.raises(FileRejected) as refused:
        joining.check_request(dataclasses.replace(unsigned, mac=mac), invitation, now=NOW)
    assert refused.value.code == "sync.join_forged" and "signed" in refused.value.message


def test_an_expired_invitation_is_refused_with_what_to_do(office):
    _, invitation = office
    request = _join(invitation, Device(), PrivateKey.generate())
    with pytest.raises(FileRejected) as refused:
        joining.check_request(request, invitation, now=NOW + timedelta(days=8))
    assert refused.value.code == "sync.invitation_expired"
    assert "make a new one" in refused.value.message


def test_a_grant_not_from_the_owner_device_or_for_another_laptop_is_refused(office):
    owner, invitation = office
    laptop, person = Device(), PrivateKey.generate()
    request = _join(invitation, laptop, person)
    keys = {"office": os.urandom(32)}
    forged = joining.make_grant(Device(), request, keys, number=1, now=NOW)
    with pytest.raises(FileRejected) as refused:
        joining.open_grant(forged, invitation, laptop.device_id, bytes(person))
    assert refused.value.code == "sync.grant_forged"
    true = joining.make_grant(owner, request, keys, number=1, now=NOW)
    with pytest.raises(FileRejected) as refused:
        joining.open_grant(true, invitation, Device().device_id, bytes(person))
    assert refused.value.code == "sync.grant_forged"
    with pytest.raises(FileRejected) as refused:
        joining.open_grant(true, invitation, laptop.device_id, bytes(PrivateKey.generate()))
    assert refused.value.code == "sync.grant_forged"


@pytest.mark.parametrize("data", [b"", b"{}", b"not json", b'{"format": "crmdesk-invitation 1"}'])
def test_a_damaged_invitation_says_so(data):
    with pytest.raises(FileRejected) as refused:
        Invitation.decode(data)
    assert refused.value.code == "sync.invitation_bad"
