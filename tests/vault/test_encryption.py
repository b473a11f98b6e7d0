"""What is on disk: a standard SQLCipher 4 file under a raw key, and nothing in plain."""

from __future__ import annotations

import sqlcipher3

from crmdesk.vault import Vault
from crmdesk.vault.paths import DATABASE_NAME
from tests.support import decrypt_sqlcipher4

MARKER = "PLAINTEXT-MARKER-7f3a9c"


def _key(keystore, vault: Vault) -> bytes:
    """The main database's key, as the open vault holds it (keystore: the OS keyring
    holds only the secret that opens the owner's key slot)."""
    del keystore
    return vault.held.main.raw


def _write_marker(vault: Vault, text: str = MARKER) -> None:
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS probe (v TEXT)")
        conn.execute("INSERT INTO probe (v) VALUES (?)", (text * 20,))


def test_file_has_no_sqlite_header_and_no_plaintext(vault, vault_dir):
    _write_marker(vault)
    vault.close()
    raw = (vault_dir / DATABASE_NAME).read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert MARKER.encode() not in raw
    assert "Łukasiewicz".encode() not in raw  # the owner's name, written at init


def test_wal_pages_are_encrypted(vault, vault_dir):
    vault.connection.execute("PRAGMA wal_autocheckpoint = 0")
    _write_marker(vault)
    wal = vault_dir / (DATABASE_NAME + "-wal")
    assert wal.stat().st_size > 0  # the change really sits in the WAL
    assert MARKER.encode() not in wal.read_bytes()


def test_session_settings_keep_plaintext_off_disk_and_commits_durable(vault):
    conn = vault.connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY


def test_key_is_used_raw_not_through_the_passphrase_kdf(vault, vault_dir, keystore):
    """With a raw key the KDF iteration count is irrelevant; a key that went through
    PBKDF2 as a passphrase would fail to open with kdf_iter = 1."""
    hex_key = vault.held.main.hex()
    vault.close()
    conn = sqlcipher3.connect(str(vault_dir / DATABASE_NAME))
    conn.execute(f"PRAGMA key = \"x'{hex_key}'\"")
    conn.execute("PRAGMA kdf_iter = 1")
    assert conn.execute("SELECT value FROM vault_info WHERE key='owner_login'").fetchone() == (
        "zoe",
    )
    conn.close()


def test_standard_sqlcipher4_reader_opens_it_with_the_key_and_not_without(
    vault, vault_dir, keystore
):
    hex_key = vault.held.main.hex()
    vault.close()
    path = str(vault_dir / DATABASE_NAME)
    conn = sqlcipher3.connect(path)  # default SQLCipher 4 settings, nothing else
    conn.execute(f"PRAGMA key = \"x'{hex_key}'\"")
    assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
    conn.close()
    for attempt in (None, "x'" + "00" * 32 + "'", "password"):
        conn = sqlcipher3.connect(path)
        if attempt:
            conn.execute(f'PRAGMA key = "{attempt}"')
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            raise AssertionError(f"opened without the right key ({attempt!r})")
        except sqlcipher3.DatabaseError as exc:
            assert "not a database" in str(exc)
        finally:
            conn.close()


def test_file_matches_the_published_sqlcipher4_format(vault, vault_dir, keystore):
    """Decrypted by an independent implementation of the format: a real SQLite file."""
    _write_marker(vault)
    key = _key(keystore, vault)
    vault.close()
    plain = decrypt_sqlcipher4(vault_dir / DATABASE_NAME, key)
    assert plain.startswith(b"\x10\x00")  # page 1 after the salt: page size 4096 ...
    assert MARKER.encode() in plain


def test_deleted_records_are_not_left_in_free_pages(vault, vault_dir, keystore):
    _write_marker(vault)
    key = _key(keystore, vault)
    with vault.transaction() as conn:
        conn.execute("DELETE FROM probe")
    vault.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    vault.close()
    plain = decrypt_sqlcipher4(vault_dir / DATABASE_NAME, key)
    assert MARKER.encode() not in plain


def test_database_files_are_private_to_the_user(vault, vault_dir):
    mode = (vault_dir / DATABASE_NAME).stat().st_mode & 0o777
    assert mode == 0o600
    assert (vault_dir / "vault.json").stat().st_mode & 0o077 == 0
