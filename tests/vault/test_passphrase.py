"""Master-passphrase mode, for computers without a usable OS keyring."""

from __future__ import annotations

import json

import pytest

from crmdesk import errors
from crmdesk.vault import Vault
from crmdesk.vault.keys.keyfile import KEYFILE_NAME
from crmdesk.vault.paths import METADATA_NAME
from tests.conftest import OWNER
from tests.support import file_hashes

PHRASE = "maple harbour violet seventeen"


def test_create_and_open_with_passphrase(vault_dir, fast_kdf):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    vault.close()
    slot = json.loads((vault_dir / KEYFILE_NAME).read_text())["people"]["zoe"]
    assert set(slot["wraps"]) == {"password", "recovery"}  # no keyring
    assert slot["wraps"]["password"]["kdf"] == "argon2id"
    assert slot["wraps"]["password"]["cipher"] == "aes-256-gcm"
    assert "passphrase" not in json.loads((vault_dir / METADATA_NAME).read_text())
    with Vault.open(vault_dir, passphrase_text=PHRASE) as opened:
        assert opened.owner.login == "zoe"


def test_wrong_passphrase(vault_dir, fast_kdf):
    Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)[0].close()
    before = file_hashes(vault_dir)
    with pytest.raises(errors.WrongPassphrase, match="recovery key") as info:
        Vault.open(vault_dir, passphrase_text=PHRASE + "!")
    assert info.value.exit_code == errors.ExitCode.CANNOT_UNLOCK
    assert file_hashes(vault_dir) == before


def test_missing_passphrase_says_how_to_give_it(vault_dir, fast_kdf):
    Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)[0].close()
    with pytest.raises(errors.CannotUnlock, match="protected by a passphrase") as info:
        Vault.open(vault_dir)
    assert info.value.code == "passphrase.needed"  # the command line adds --passphrase-stdin


def test_short_passphrase_is_refused(vault_dir):
    with pytest.raises(errors.BadInput, match="at least 12"):
        Vault.create(vault_dir, OWNER, passphrase_text="short")
    assert not vault_dir.exists()


def test_wrapped_key_is_bound_to_its_vault(tmp_path, fast_kdf):
    """A wrapped slot copied into another vault's key file does not open there."""
    a, _ = Vault.create(tmp_path / "a", OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    b, _ = Vault.create(tmp_path / "b", OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    a.close()
    b.close()
    keys_a = json.loads((tmp_path / "a" / KEYFILE_NAME).read_text())
    keys_b = json.loads((tmp_path / "b" / KEYFILE_NAME).read_text())
    keys_b["people"]["zoe"]["wraps"] = keys_a["people"]["zoe"]["wraps"]
    (tmp_path / "b" / KEYFILE_NAME).write_text(json.dumps(keys_b))
    with pytest.raises(errors.WrongPassphrase):
        Vault.open(tmp_path / "b", passphrase_text=PHRASE)


def test_production_kdf_parameters_are_the_documented_ones(vault_dir):
    Vault.create(vault_dir, OWNER, passphrase_text=PHRASE)[0].close()
    slot = json.loads((vault_dir / KEYFILE_NAME).read_text())["people"]["zoe"]
    params = slot["wraps"]["password"]["kdf_params"]
    assert params == {"time_cost": 3, "memory_kib": 65536, "parallelism": 4}
