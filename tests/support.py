"""Test doubles and helpers shared by the test modules."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from crmdesk.vault.keys import VaultKey
from crmdesk.vault.keys.passphrase import KdfParams

# Cheap Argon2id settings so passphrase tests stay fast; production uses DEFAULT_KDF.
FAST_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)


class MemoryKeyStore:
    """An in-memory stand-in for the OS keyring, for unit tests only."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def describe(self) -> str:
        return "test keyring"

    def get(self, vault_id: str) -> VaultKey | None:
        stored = self.entries.get(vault_id)
        return VaultKey.from_hex(stored) if stored else None

    def put(self, vault_id: str, key: VaultKey) -> None:
        self.entries[vault_id] = key.hex()

    def delete(self, vault_id: str) -> None:
        self.entries.pop(vault_id, None)


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file in a folder with its SHA-256: to show a failure left them untouched."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def decrypt_sqlcipher4(path: Path, key: bytes, page_size: int = 4096) -> bytes:
    """Decrypt a database written with SQLCipher 4's default settings and a raw key.

    Written from the published file format, independently of SQLCipher: each page is
    AES-256-CBC with a per-page IV, followed by an HMAC-SHA512 over the ciphertext, the IV
    and the page number; the HMAC key comes from PBKDF2-HMAC-SHA512 (2 rounds) of the key
    with the file's salt XORed with 0x3a. Raises ValueError when an HMAC does not match.
    """
    data = path.read_bytes()
    salt = data[:16]
    hmac_salt = bytes(b ^ 0x3A for b in salt)
    hmac_key = hashlib.pbkdf2_hmac("sha512", key, hmac_salt, 2, dklen=32)
    reserve = 80  # 16-byte IV + 64-byte HMAC-SHA512
    out = bytearray()
    for number, start in enumerate(range(0, len(data), page_size), start=1):
        page = data[start : start + page_size]
        offset = 16 if number == 1 else 0
        body = page[offset : page_size - reserve]
        iv = page[page_size - reserve : page_size - reserve + 16]
        tag = page[page_size - reserve + 16 : page_size - reserve + 80]
        expected = hmac.new(hmac_key, body + iv + number.to_bytes(4, "little"), "sha512")
        if not hmac.compare_digest(expected.digest(), tag):
            raise ValueError(f"page {number}: HMAC mismatch")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += decryptor.update(body) + decryptor.finalize()
    return bytes(out)


def main_key_hex(
    folder: Path,
    *,
    login: str | None = None,
    password: str | None = None,
    passphrase: str | None = None,
    keystore=None,  # noqa: ANN001 - a KeyStore, or None for the OS keyring
) -> str:
    """The main database's key as someone who can open the vault holds it: what an
    insider (any user) could copy out of their own crmdesk process, for tests that
    attack the files with it."""
    from crmdesk.vault import Vault

    if login is not None:
        vault = Vault.sign_in(folder, login, password or "")
    else:
        vault = Vault.open(folder, keystore=keystore, passphrase_text=passphrase)
    try:
        assert vault.held.main is not None
        return vault.held.main.hex()
    finally:
        vault.close()


def decrypt_sqlcipher4_wal(wal: Path, database: Path, key: bytes) -> bytes:
    """Decrypt the page images in a WAL file of a SQLCipher 4 database (same settings as
    :func:`decrypt_sqlcipher4`), independently of SQLCipher.

    The WAL starts with a 32-byte header (page size at offset 8, big-endian); each frame
    is a 24-byte header (its page number first) and one page, encrypted as in the
    database file. The HMAC key comes from the database file's salt. Raises ValueError
    when an HMAC does not match; returns b"" for an empty or missing WAL.
    """
    if not wal.exists() or wal.stat().st_size < 32:
        return b""
    data = wal.read_bytes()
    page_size = int.from_bytes(data[8:12], "big")
    salt = database.read_bytes()[:16]
    hmac_key = hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, dklen=32)
    reserve = 80
    out = bytearray()
    for start in range(32, len(data) - 24 - page_size + 1, 24 + page_size):
        number = int.from_bytes(data[start : start + 4], "big")
        page = data[start + 24 : start + 24 + page_size]
        offset = 16 if number == 1 else 0
        body = page[offset : page_size - reserve]
        iv = page[page_size - reserve : page_size - reserve + 16]
        tag = page[page_size - reserve + 16 : page_size - reserve + 80]
        expected = hmac.new(hmac_key, body + iv + number.to_bytes(4, "little"), "sha512")
        if not hmac.compare_digest(expected.digest(), tag):
            raise ValueError(f"WAL frame of page {number}: HMAC mismatch")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += decryptor.update(body) + decryptor.finalize()
    return bytes(out)
