"""Only OS credential stores hold vault keys; everything else is refused."""

from __future__ import annotations

import subprocess
import sys

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from crmdesk import errors
from crmdesk.vault.keys import keystore as ks


class PlaintextFileKeyring(KeyringBackend):
    """Looks like keyrings.alt's PlaintextKeyring: a backend that writes a file."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("must never be asked to store a key")

    def delete_password(self, service, username):
        pass


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        (fail.Keyring(), "No OS keyring is available"),
        (null.Keyring(), "switched off"),
        (PlaintextFileKeyring(), "not an operating-system credential store"),
    ],
)
def test_untrusted_backends_are_refused(monkeypatch, backend, message):
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    with pytest.raises(errors.KeyringUnavailable, match=message) as info:
        ks.system_keystore()
    assert "use a master passphrase instead" in info.value.message
    assert info.value.code == "keyring.unavailable" and info.value.facts["reason"]
    assert info.value.exit_code == errors.ExitCode.CANNOT_UNLOCK


def test_a_chain_is_trusted_only_through_its_os_member(monkeypatch):
    from keyring.backends import SecretService

    os_store = SecretService.Keyring()
    chain = chainer.ChainerBackend()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextFileKeyring(), os_store])
    monkeypatch.setattr(keyring, "get_keyring", lambda: chain)
    assert ks.system_keystore()._backend is os_store

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextFileKeyring()])
    with pytest.raises(errors.KeyringUnavailable):
        ks.system_keystore()


def test_backend_forced_by_environment_is_refused(tmp_path):
    """PYTHON_KEYRING_BACKEND pointing at the null backend: init refuses, creates nothing."""
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmdesk",
            "--vault",
            str(tmp_path / "v"),
            "init",
            "--name",
            "Ann Smith",
            "--login",
            "ann",
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert "switched off" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "v").exists()


def test_keyring_locked_error_is_translated():
    class Locked(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service, username):
            raise keyring.errors.KeyringLocked("locked")

        def set_password(self, service, username, password):
            raise keyring.errors.KeyringLocked("locked")

        def delete_password(self, service, username):
            raise keyring.errors.KeyringLocked("locked")

    with pytest.raises(errors.KeyringLocked, match="locked"):
        ks.OsKeyStore(Locked()).get("abc")


def test_entry_names_are_per_vault():
    assert ks.SERVICE == "crmdesk"
    assert ks.entry_name("0123abcd") == "vault-0123abcd"


def test_a_backend_that_does_not_load_is_refused_as_clearly(monkeypatch):
    """keyrings.alt's EncryptedKeyring named without keyrings.alt (or its ciphers)
    installed: the same clear refusal as a backend that loads (issue 17, part 8)."""
    from crmdesk.errors import KeyringUnavailable
    from crmdesk.vault.keys.keystore import system_keystore

    def broken():
        raise ModuleNotFoundError("No module named 'keyrings'")

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.EncryptedKeyring")
    monkeypatch.setattr(keyring, "get_keyring", broken)
    with pytest.raises(KeyringUnavailable) as info:
        system_keystore()
    message = info.value.message
    assert "keyrings.alt.file.EncryptedKeyring could not be loaded" in message
    assert "PYTHON_KEYRING_BACKEND" in message and info.value.code == "keyring.unavailable"


def test_the_command_refuses_an_unloadable_backend_in_words(tmp_path):
    from tests.integration.cli import run_cli_process

    result = run_cli_process(
        tmp_path / "v", "init", "--name", "A", "--login", "a",
        env={"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.EncryptedKeyring"},
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "unexpected error" not in result.stderr
    assert "EncryptedKeyring could not be loaded" in result.stderr
