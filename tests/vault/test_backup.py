"""Backup files: a consistent encrypted copy, verified, and restored only into a new folder."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import stat
import traceback
from pathlib import Path

import pytest
import sqlcipher3

from crmdesk import audit, errors
from crmdesk.vault import Vault
from crmdesk.vault.backup import MAGIC_LINE, read_header, restore_backup, write_backup
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.conftest import OWNER
from tests.support import FAST_KDF, MemoryKeyStore, file_hashes

PHRASE = "maple harbour violet seventeen"
MARKER = "BACKUP-MARKER-7e21"


def _fill(vault, rows: int = 200) -> None:
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE probe (v TEXT)")
        conn.executemany("INSERT INTO probe VALUES (?)", [(f"{MARKER} {i}",) for i in range(rows)])
        vault.record_event("zoe", "probe.filled", details={"rows": rows})


def _rows(vault, sql: str) -> list[tuple]:
    with vault.reading() as conn:
        return conn.execute(sql).fetchall()


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n", 3)


def _header(path: Path) -> dict:
    return json.loads(_lines(path)[1])


@pytest.fixture
def filled(vault_dir, keystore):
    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=keystore)
    _fill(vault)
    yield vault, recovery_key
    vault.close()


# -- writing ------------------------------------------------------------------------------


def test_backup_file_is_private_self_describing_and_holds_no_plaintext(filled, tmp_path):
    vault, _ = filled
    dest = tmp_path / "out" / "today.crmbackup"
    dest.parent.mkdir()
    info = write_backup(vault, dest)

    data = dest.read_bytes()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
    assert data.startswith(MAGIC_LINE)
    header = _header(dest)
    assert header["vault"]["vault_id"] == vault.meta.vault_id
    assert header["vault"]["key_check"] == vault.meta.key_check
    assert header["vault"]["key_storage"] == "keyring" and header["vault"]["passphrase"] is None
    assert header["schema_version"] == vault.schema_version
    head = audit.head(vault.connection)
    assert (
        header["audit_head"]
        == {"seq": head[0], "hash": head[1]}
        == {
            "seq": info.audit_length,
            "hash": info.audit_head,
        }
    )
    # Nothing of the records in the clear: neither the marker nor the owner's name.
    for secret in (MARKER, OWNER.full_name, OWNER.business, "probe"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in data, secret
    assert b"SQLite format 3" not in data
    # Nothing left beside it: no temporary copy, no WAL.
    assert sorted(p.name for p in dest.parent.iterdir()) == ["today.crmbackup"]


def test_the_copy_is_one_self_contained_file(filled, tmp_path):
    """The copy's WAL is checkpointed into it: it opens read-only in rollback mode."""
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    header = _header(dest)
    db = tmp_path / "extracted.db"
    db.write_bytes(dest.read_bytes()[-header["database"]["bytes"] :])
    conn = sqlcipher3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    conn.execute(f"PRAGMA key = {vault._require_key().pragma_value()}")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT count(*) FROM probe").fetchone()[0] == 200
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        conn.close()


def test_backup_never_overwrites_unless_forced(filled, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    dest.write_bytes(b"precious")
    with pytest.raises(errors.BadInput, match="never overwrites a file") as info:
        write_backup(vault, dest)
    assert info.value.code == "backup.exists"  # the command line adds its --force
    assert dest.read_bytes() == b"precious"
    write_backup(vault, dest, force=True)
    assert dest.read_bytes().startswith(MAGIC_LINE)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    with pytest.raises(errors.BadInput, match="is a folder"):
        write_backup(vault, tmp_path)
    with pytest.raises(errors.BadInput, match="does not exist"):
        write_backup(vault, tmp_path / "missing" / "b.crmbackup")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.crmbackup", "vault"]


# -- restoring ----------------------------------------------------------------------------


def test_round_trip_with_the_recovery_key_onto_a_fresh_keyring(filled, tmp_path):
    vault, recovery_key = filled
    dest = tmp_path / "b.crmbackup"
    info = write_backup(vault, dest)
    fresh = MemoryKeyStore()  # a new laptop
    target = tmp_path / "restored"

    restored = restore_backup(dest, target, keystore=fresh, recovery_key=recovery_key)

    assert restored.vault_id == vault.meta.vault_id and restored.sha256 == info.sha256
    assert fresh.get(vault.meta.vault_id) == vault._require_key()
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert stat.S_IMODE((target / DATABASE_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE((target / METADATA_NAME).stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if "restoring" in p.name]
    with Vault.open(target, keystore=fresh) as copy:
        assert _rows(copy, "SELECT v FROM probe ORDER BY rowid") == _rows(
            vault, "SELECT v FROM probe ORDER BY rowid"
        )
        report = copy.verify_audit()
        assert report.ok, report.problem
        # The head recorded in the restored vault.json is checked too.
        assert report.recorded_seq == report.length == info.audit_length + 1
        original = _rows(vault, f"SELECT * FROM audit_events WHERE seq <= {info.audit_length}")
        assert _rows(copy, f"SELECT * FROM audit_events WHERE seq <= {info.audit_length}") == (
            original
        )
        action, details = _rows(copy, "SELECT action, details FROM audit_events")[-1]
        details = json.loads(details)
        assert action == "vault.restored"
        assert details["sha256"] == info.sha256 and details["from"] == str(dest)
        assert details["backup_made_at"] == info.made_at


def test_restore_with_the_key_in_this_keyring(filled, keystore, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    restored = restore_backup(dest, tmp_path / "copy", keystore=keystore)
    assert restored.key_storage == "keyring"
    with Vault.open(tmp_path / "copy", keystore=keystore) as copy:
        assert copy.verify_audit().ok


def test_restore_into_an_existing_empty_folder(filled, keystore, tmp_path):
    vault, _ = filled
    write_backup(vault, tmp_path / "b.crmbackup")
    (tmp_path / "empty").mkdir()
    restore_backup(tmp_path / "b.crmbackup", tmp_path / "empty", keystore=keystore)
    assert (tmp_path / "empty" / METADATA_NAME).exists()


def test_restore_refuses_a_vault_or_a_non_empty_folder(filled, keystore, vault_dir, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    before = file_hashes(vault_dir)
    with pytest.raises(errors.VaultExists, match="never overwrites a vault"):
        restore_backup(dest, vault_dir, keystore=keystore)
    assert file_hashes(vault_dir) == before

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(errors.BadInput, match="not empty"):
        restore_backup(dest, busy, keystore=keystore)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    with pytest.raises(errors.BadInput, match="is a file"):
        restore_backup(dest, busy / "notes.txt", keystore=keystore)


def _flip(data: bytearray, index: int) -> None:
    data[index] ^= 0x5A


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    first, header_line, seal, _db = _lines(path)
    start = len(first) + 1 + len(header_line) + 1 + len(seal) + 1
    if how == "database":
        _flip(data, start + (len(data) - start) // 2)
    elif how == "database-end":
        _flip(data, len(data) - 1)
    elif how == "metadata":
        _flip(data, len(first) + 1 + header_line.index(b"key_check") + 20)
    elif how == "seal":
        _flip(data, len(first) + 1 + len(header_line) + 15)
    elif how == "truncated":
        del data[-4096:]
    elif how == "appended":
        data += b"\0" * 16
    elif how == "header-cut":
        del data[len(first) + 200 :]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how",
    ["database", "database-end", "metadata", "seal", "truncated", "appended", "header-cut"],
)
def test_a_damaged_backup_is_refused_and_nothing_is_created(filled, tmp_path, how):
    vault, recovery_key = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    _damage(dest, how)
    fresh = MemoryKeyStore()
    target = tmp_path / "restored"
    with pytest.raises(errors.VaultDamaged, match="damaged or was altered") as caught:
        restore_backup(dest, target, keystore=fresh, recovery_key=recovery_key)
    assert caught.value.exit_code == errors.ExitCode.DAMAGED
    assert "Nothing was restored" in caught.value.message
    assert not target.exists() and fresh.entries == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.crmbackup", "vault"]


def test_a_reforged_header_is_caught_by_its_mac(filled, tmp_path):
    """Changing the header and recomputing its checksum needs the key, too."""
    vault, recovery_key = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    first, header_line, seal, db = _lines(dest)
    header = json.loads(header_line)
    header["audit_head"]["seq"] -= 1  # pretend the trail was shorter
    new_line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    new_seal = json.loads(seal) | {"sha256": hashlib.sha256(new_line).hexdigest()}
    dest.write_bytes(b"\n".join([first, new_line, json.dumps(new_seal).encode(), db]))
    read_header(dest)  # the checksum is right now...
    with pytest.raises(errors.VaultDamaged, match="changed after it was written"):
        restore_backup(dest, tmp_path / "r", keystore=MemoryKeyStore(), recovery_key=recovery_key)
    assert not (tmp_path / "r").exists()


def test_not_a_backup_and_a_newer_format(tmp_path, keystore):
    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF-1.7\n...")
    with pytest.raises(errors.BadInput, match="not a crmdesk backup"):
        restore_backup(other, tmp_path / "r", keystore=keystore)
    newer = tmp_path / "newer.crmbackup"
    newer.write_bytes(b"crmdesk-backup 9\n{}\n{}\n")
    with pytest.raises(errors.NewerVault, match="newer crmdesk"):
        restore_backup(newer, tmp_path / "r", keystore=keystore)
    with pytest.raises(errors.BadInput, match="no file"):
        restore_backup(tmp_path / "missing.crmbackup", tmp_path / "r", keystore=keystore)
    assert not (tmp_path / "r").exists()


def test_keyring_without_the_key_asks_for_the_recovery_key(filled, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    with pytest.raises(errors.KeyMissing, match="Restore it with the recovery key") as info:
        restore_backup(dest, tmp_path / "r", keystore=MemoryKeyStore())
    assert info.value.code == "restore.key_missing"
    assert not (tmp_path / "r").exists()


def test_a_backup_before_a_key_rotation_needs_the_old_recovery_key(filled, keystore, tmp_path):
    vault, old_recovery = filled
    vault_id = vault.meta.vault_id
    dest = tmp_path / "before.crmbackup"
    write_backup(vault, dest)
    new_recovery = vault.rotate_key("zoe", reason="laptop stolen", keystore=keystore)
    new_key_hex = keystore.entries[vault_id]

    with pytest.raises(errors.WrongKey, match="recovery key printed before") as caught:
        restore_backup(dest, tmp_path / "r", keystore=keystore)
    assert caught.value.exit_code == errors.ExitCode.CANNOT_UNLOCK
    with pytest.raises(errors.WrongKey, match="later key"):
        restore_backup(dest, tmp_path / "r", keystore=keystore, recovery_key=new_recovery)
    # The old key must not replace the live vault's key in this keyring.
    with pytest.raises(errors.BadInput, match="would lock that vault out"):
        restore_backup(dest, tmp_path / "r", keystore=keystore, recovery_key=old_recovery)
    assert keystore.entries[vault_id] == new_key_hex
    assert not (tmp_path / "r").exists()

    # Another computer, or a passphrase of its own: both fine.
    other = MemoryKeyStore()
    restore_backup(dest, tmp_path / "r", keystore=other, recovery_key=old_recovery)
    with Vault.open(tmp_path / "r", keystore=other) as copy:
        assert copy.verify_audit().ok
        assert _rows(copy, "SELECT count(*) FROM probe") == [(200,)]
    info = restore_backup(
        dest,
        tmp_path / "r2",
        keystore=keystore,
        recovery_key=old_recovery,
        new_passphrase=PHRASE,
        kdf=FAST_KDF,
    )
    assert info.key_storage == "passphrase" and keystore.entries[vault_id] == new_key_hex
    with Vault.open(tmp_path / "r2", passphrase_text=PHRASE) as copy:
        assert copy.verify_audit().ok


def test_passphrase_mode_backup_restores_with_its_passphrase(vault_dir, fast_kdf, tmp_path):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    _fill(vault)
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    vault.close()
    assert _header(dest)["vault"]["passphrase"]["kdf"] == "argon2id"

    with pytest.raises(errors.CannotUnlock, match="give that passphrase") as info:
        restore_backup(dest, tmp_path / "r")
    assert info.value.code == "restore.passphrase_needed"
    with pytest.raises(errors.WrongPassphrase):
        restore_backup(dest, tmp_path / "r", passphrase_text="not the passphrase at all")
    assert not (tmp_path / "r").exists()
    info = restore_backup(dest, tmp_path / "r", passphrase_text=PHRASE)
    assert info.key_storage == "passphrase"
    with Vault.open(tmp_path / "r", passphrase_text=PHRASE) as copy:
        assert copy.verify_audit().ok
        assert _rows(copy, "SELECT count(*) FROM probe") == [(200,)]


# -- a backup while another process writes ----------------------------------------------

WRITES = 2000


def _writer(folder: str, started, stop, results) -> None:
    """Commit rows with their audit events until told to stop."""
    try:
        vault = Vault.open(Path(folder), passphrase_text=PHRASE)
        try:
            for i in range(WRITES):
                with vault.transaction() as conn:
                    conn.execute(
                        "INSERT INTO vault_info (key, value) VALUES (?, ?)", (f"w-{i}", "writer")
                    )
                    vault.record_event("bob", "test.write", object=f"w-{i}")
                if i == 50:
                    started.set()
                if stop.is_set():
                    break
        finally:
            vault.close()
        results.put(("ok", i + 1))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def test_backup_while_another_process_writes(vault_dir, fast_kdf, tmp_path):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    ctx = multiprocessing.get_context("spawn")
    started, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
    worker = ctx.Process(target=_writer, args=(str(vault_dir), started, stop, results))
    worker.start()
    try:
        assert started.wait(timeout=120), "the writer did not start"
        dest = tmp_path / "mid.crmbackup"
        info = write_backup(vault, dest)
        after_backup = _rows(vault, "SELECT count(*) FROM vault_info WHERE value = 'writer'")[0][0]
    finally:
        stop.set()
        outcome = results.get(timeout=300)
        worker.join(timeout=60)
    assert outcome[0] == "ok", outcome[1]
    written = outcome[1]

    restore_backup(dest, tmp_path / "r", passphrase_text=PHRASE)
    with Vault.open(tmp_path / "r", passphrase_text=PHRASE) as copy:
        report = copy.verify_audit()
        assert report.ok, report.problem
        with copy.reading() as conn:
            rows = {k for (k,) in conn.execute("SELECT key FROM vault_info WHERE value='writer'")}
            events = [
                o
                for (o,) in conn.execute(
                    "SELECT object FROM audit_events WHERE action = 'test.write' "
                    f"AND seq <= {info.audit_length} ORDER BY seq"
                )
            ]
    # A consistent prefix: every row its events name is there, and no row without its
    # event; rows 0..n-1 in order, taken mid-way.
    assert set(events) == rows
    assert events == [f"w-{i}" for i in range(len(events))]
    assert 50 < len(events) <= after_backup
    assert len(events) < written, "the writer had finished before the backup"


# -- the audit head of the copy -----------------------------------------------------------


def test_the_restored_vault_json_records_the_copys_head(filled, keystore, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    info = write_backup(vault, dest)
    restore_backup(dest, tmp_path / "r", keystore=keystore)
    recorded = json.loads((tmp_path / "r" / METADATA_NAME).read_text())["audit_head"]
    assert recorded["seq"] == info.audit_length + 1  # the backup's trail + vault.restored
