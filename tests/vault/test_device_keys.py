"""A device's signing key opens only for its person; section keys are derived apart from
the data keys (issue 14)."""

from __future__ import annotations

import os

import pytest
from nacl.signing import VerifyKey

from crmdesk.sync import joining
from crmdesk.vault.keys.device import DeviceKey, section_key
from crmdesk.vault.keys.person import CannotOpen, PersonSecret


def test_a_device_key_sealed_to_its_person_opens_only_for_them():
    sam, kim = PersonSecret.generate(), PersonSecret.generate()
    device = DeviceKey.generate()
    sealed = device.sealed_to(sam.public("sam", 1))
    assert device.public not in sealed  # the public half is not what is sealed either
    again = DeviceKey.opened_by(sam, sealed)
    assert again.device_id == device.device_id == joining.device_id_of(device.public)
    VerifyKey(device.public).verify(b"change file", again.sign(b"change file"))
    with pytest.raises(CannotOpen):
        DeviceKey.opened_by(kim, sealed)
    assert "hidden" in repr(device) and sealed.hex() not in repr(device)


def test_section_keys_differ_from_the_data_key_by_id_and_generation():
    data = os.urandom(32)
    first = section_key(data, "book:sam", 1)
    assert len(first) == 32 and first != data
    assert first == section_key(data, "book:sam", 1)
    assert first != section_key(data, "book:sam", 2)
    assert first != section_key(data, "book:kim", 1)
    assert first != section_key(os.urandom(32), "book:sam", 1)
