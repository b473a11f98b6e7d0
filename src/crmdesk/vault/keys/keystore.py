"""The OS keyring as the home of vault keys, and the refusal of anything less.

Only the operating system's own credential stores are trusted: the Secret Service
(GNOME Keyring, KWallet) on Linux, the Keychain on macOS and the Credential Locker on
Windows. keyring's ``fail`` and ``null`` backends, keyrings.alt's plaintext and
"encrypted" files, and anything else chosen through ``PYTHON_KEYRING_BACKEND`` or a
``keyringrc.cfg`` are refused: the null backend answers "no password" to every
question, and reading that as "no key yet" would orphan the vault.
"""

from __future__ import annotations

import contextlib
import os
from typing import Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from crmdesk.errors import KeyMissing, KeyringLocked, KeyringUnavailable, VaultDamaged
from crmdesk.vault.keys.vault_key import VaultKey

SERVICE = "crmdesk"

# Exact classes, by module and name: a subclass could store anything anywhere.
TRUSTED_BACKENDS = frozenset(
    {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }
)

NO_KEYRING_ADVICE = (
    "Start your desktop's keyring (on Linux: GNOME Keyring or KWallet, reached over "
    "D-Bus), or use a master passphrase instead."
)


def entry_name(vault_id: str) -> str:
    """The keyring entry ("username") that holds one vault's key."""
    return f"vault-{vault_id}"


def pending_id(vault_id: str) -> str:
    """The id under which a key rotation parks the new key until it is promoted.

    Its entry is ``vault-<vault id>.next``: a crash in the middle of a rotation leaves
    the new key where the next open finds it, next to the old one.
    """
    return f"{vault_id}.next"


def key_missing(store: KeyStore | None, vault_id: str) -> KeyMissing:
    """The error for a keyring without this vault's key: the recovery key is the way in."""
    where = store.describe() if store is not None else "OS keyring"
    entry = f"{SERVICE}/{entry_name(vault_id)}"
    return KeyMissing(
        f"The {where} on this computer has no key for this vault (entry {entry}). If the "
        "vault was moved here or the entry was deleted, use your recovery key.",
        code="key.missing",
        keyring=where,
        entry=entry,
    )


def _unavailable(reason: str, more: str = "") -> KeyringUnavailable:
    """No keyring can hold the key: ``reason`` (one sentence) says why, ``more`` (empty or
    starting with a space) what to check, then the advice."""
    return KeyringUnavailable(
        f"{reason}{more} {NO_KEYRING_ADVICE}",
        code="keyring.unavailable",
        reason=reason,
        more=more,
    )


def backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class KeyStore(Protocol):
    """Where vault keys are kept. The CLI and GUI use :func:`system_keystore`."""

    def describe(self) -> str: ...

    def get(self, vault_id: str) -> VaultKey | None: ...

    def put(self, vault_id: str, key: VaultKey) -> None: ...

    def delete(self, vault_id: str) -> None: ...


class OsKeyStore:
    """Vault keys in a trusted OS keyring backend, as 64 hex digits under ``crmdesk``."""

    def __init__(self, backend: KeyringBackend) -> None:
        self._backend = backend

    def describe(self) -> str:
        return {
            "SecretService": "Secret Service",
            "libsecret": "Secret Service (libsecret)",
            "kwallet": "KWallet",
            "macOS": "macOS Keychain",
            "Windows": "Windows Credential Locker",
        }.get(type(self._backend).__module__.rsplit(".", 1)[-1], backend_name(self._backend))

    def get(self, vault_id: str) -> VaultKey | None:
        stored = self._call(self._backend.get_password, SERVICE, entry_name(vault_id))
        if stored is None:
            return None
        try:
            return VaultKey.from_hex(stored)
        except ValueError:
            entry = f"{SERVICE}/{entry_name(vault_id)}"
            raise VaultDamaged(
                f"The keyring entry {entry} does not hold a crmdesk key. Use your recovery "
                "key to replace it.",
                code="key.entry_damaged",
                entry=entry,
            ) from None

    def put(self, vault_id: str, key: VaultKey) -> None:
        self._call(self._backend.set_password, SERVICE, entry_name(vault_id), key.hex())
        # Read it back: a store that accepted the write but cannot return it is no store.
        if self.get(vault_id) != key:
            raise _unavailable(
                f"The {self.describe()} accepted the vault key but did not give it back."
            )

    def delete(self, vault_id: str) -> None:
        # Already gone is fine: deleting is idempotent.
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._call(self._backend.delete_password, SERVICE, entry_name(vault_id))

    def _call(self, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except keyring.errors.KeyringLocked:
            raise KeyringLocked(
                f"The {self.describe()} is locked and cannot ask for its password here. "
                "Unlock it (sign in to your desktop session), or use your passphrase or "
                "recovery key.",
                code="keyring.locked",
                keyring=self.describe(),
                reason=f"The {self.describe()} is locked and cannot ask for its password here.",
            ) from None
        except keyring.errors.PasswordDeleteError:
            raise
        except (keyring.errors.KeyringError, OSError) as exc:
            raise _unavailable(
                f"The {self.describe()} could not be used ({type(exc).__name__})."
            ) from None


def _trusted(backend: KeyringBackend) -> KeyringBackend | None:
    """The backend itself if trusted; from a chain, its best trusted member."""
    if backend_name(backend) in TRUSTED_BACKENDS:
        return backend
    members = getattr(backend, "backends", None)
    if backend_name(backend) == "keyring.backends.chainer.ChainerBackend" and members:
        # The chain lists its members by priority already: take the first trusted one.
        for member in members:
            if backend_name(member) in TRUSTED_BACKENDS:
                return member
    return None


def system_keystore() -> OsKeyStore:
    """The OS keyring, or :class:`KeyringUnavailable` saying why it cannot be used."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - any backend named in the config may fail to load
        # e.g. PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring without keyrings.alt
        # or its ciphers installed: refused as clearly as one that loads.
        named = os.environ.get("PYTHON_KEYRING_BACKEND") or "named in keyringrc.cfg"
        raise _unavailable(
            f"The keyring backend {named} could not be loaded ({type(exc).__name__}); "
            "crmdesk keeps keys only in the operating system's own credential store, never "
            "in a backend that may keep them in a plain or weakly protected file.",
            " Check PYTHON_KEYRING_BACKEND and keyringrc.cfg.",
        ) from None
    chosen = _trusted(backend)
    if chosen is None:
        name = backend_name(backend)
        if name.startswith("keyring.backends.fail."):
            why = "No OS keyring is available on this computer."
        elif name.startswith("keyring.backends.null."):
            why = "The keyring is switched off (the 'null' backend answers every question empty)."
        else:
            raise _unavailable(
                f"The keyring backend {name} is not an operating-system credential store "
                "(it may keep keys in a plain or weakly protected file), so crmdesk will not "
                "use it.",
                " Check PYTHON_KEYRING_BACKEND and keyringrc.cfg.",
            )
        raise _unavailable(why)
    if backend_name(chosen) == "keyring.backends.Windows.WinVaultKeyring":
        # The default (enterprise) persistence roams the key to other machines with a
        # domain profile; the key must stay on this computer.
        chosen.persist = "local machine"  # type: ignore[attr-defined]
    return OsKeyStore(chosen)
