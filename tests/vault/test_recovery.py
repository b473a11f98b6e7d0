"""Recovery keys a person can type, and recovery onto a fresh keyring."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmdesk import errors
from crmdesk.vault import Vault
from crmdesk.vault.keys import VaultKey, recovery
from crmdesk.vault.keys.keyfile import read_keyfile
from tests.conftest import OWNER
from tests.support import MemoryKeyStore

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@given(st.binary(min_size=32, max_size=32))
def test_round_trip(raw):
    text = recovery.encode(VaultKey(raw))
    groups = text.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert recovery.decode(text).raw == raw


@given(st.binary(min_size=32, max_size=32), st.integers(0, 55), st.integers(1, 31))
def test_any_single_character_typo_is_caught(raw, position, shift):
    chars = list(recovery.encode(VaultKey(raw)).replace("-", ""))
    chars[position] = ALPHABET[(ALPHABET.index(chars[position]) + shift) % 32]
    with pytest.raises(errors.BadRecoveryKey, match="typo"):
        recovery.decode("".join(chars))


def test_swapped_neighbours_are_caught():
    text = recovery.encode(VaultKey(bytes(range(32)))).replace("-", "")
    i = next(i for i in range(len(text) - 1) if text[i] != text[i + 1])
    swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    with pytest.raises(errors.BadRecoveryKey):
        recovery.decode(swapped)


def test_typing_is_forgiving():
    key = VaultKey(bytes(range(32)))
    text = recovery.encode(key)
    sloppy = "  " + text.lower().replace("-", " ").replace("1", "l").replace("0", "o") + "\n"
    assert recovery.decode(sloppy) == key


@pytest.mark.parametrize(
    ("text", "message"),
    [("ABCD-EFGH", "56 characters"), ("U" * 56, "never part of one"), ("", "56 characters")],
)
def test_malformed_input_says_what_is_wrong(text, message):
    with pytest.raises(errors.BadRecoveryKey, match=message):
        recovery.decode(text)


def test_recover_onto_a_fresh_keyring(vault_dir):
    old_keyring = MemoryKeyStore()
    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=old_keyring)
    vault.close()

    new_laptop = MemoryKeyStore()
    with pytest.raises(errors.KeyMissing):
        Vault.open(vault_dir, keystore=new_laptop)
    with Vault.recover(vault_dir, recovery_key, keystore=new_laptop) as recovered:
        assert recovered.owner.full_name == OWNER.full_name
    # A new secret for the new laptop's keyring; the old laptop's opens nothing now.
    assert set(new_laptop.entries) == set(old_keyring.entries)
    assert new_laptop.entries != old_keyring.entries
    with pytest.raises(errors.WrongKey):
        Vault.open(vault_dir, keystore=old_keyring)
    with Vault.open(vault_dir, keystore=new_laptop) as reopened:
        assert reopened.verify_audit().ok
    # The recovery key still opens the owner's slot: it is not a data key.
    Vault.recover(vault_dir, recovery_key, keystore=MemoryKeyStore()).close()


def test_recovery_key_of_another_vault_is_refused(tmp_path, keystore):
    a, _ = Vault.create(tmp_path / "a", OWNER, keystore=keystore)
    b, b_recovery = Vault.create(tmp_path / "b", OWNER, keystore=keystore)
    a.close()
    b.close()
    with pytest.raises(errors.WrongKey, match="another vault"):
        Vault.recover(tmp_path / "a", b_recovery, keystore=MemoryKeyStore())


def test_recover_into_passphrase_mode(vault_dir, fast_kdf):
    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=MemoryKeyStore())
    vault.close()
    phrase = "correct horse battery staple"
    Vault.recover(vault_dir, recovery_key, new_passphrase=phrase, kdf=fast_kdf).close()
    with Vault.open(vault_dir, passphrase_text=phrase) as reopened:
        assert reopened.status().key_storage == "passphrase"
    # Nothing in a keyring opens it any more.
    assert "keyring" not in read_keyfile(vault_dir).slot("zoe").wraps
