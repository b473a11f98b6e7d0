"""Backup files: every file of the vault in one consistent, signed copy, verified, and
restored only into a new folder by the vault's owner."""

from __future__ import annotations

import base64
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
from crmdesk.vault.backup.container import SIGNATURE_LABEL
from crmdesk.vault.books import HOUSE
from crmdesk.vault.keys.keyfile import KEYFILE_NAME
from crmdesk.vault.keys.person import PersonSecret, b64
from crmdesk.vault.keys.slots import KEYRING, book_key_id, open_slot
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from crmdesk.vault.people_keys import create_book
from tests.conftest import OWNER
from tests.support import FAST_KDF, MemoryKeyStore, file_hashes

PHRASE = "maple harbour violet seventeen"
MARKER = "BACKUP-MARKER-7e21"
BOOK_MARKER = "BOOK-MARKER-93c4"


def _fill(vault, rows: int = 200) -> None:
    """Rows in the main database and in the house book, with an audit entry."""
    book = vault.book_schema(HOUSE)
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE probe (v TEXT)")
        conn.executemany("INSERT INTO probe VALUES (?)", [(f"{MARKER} {i}",) for i in range(rows)])
        conn.execute(f"CREATE TABLE {book}.probe (v TEXT)")
        conn.executemany(
            f"INSERT INTO {book}.probe VALUES (?)", [(f"{BOOK_MARKER} {i}",) for i in range(rows)]
        )
        vault.record_event("zoe", "probe.filled", details={"rows": rows})


def _rows(vault, sql: str) -> list[tuple]:
    with vault.reading() as conn:
        return conn.execute(sql).fetchall()


def _book_rows(vault) -> list[tuple]:
    return _rows(vault, f"SELECT v FROM {vault.book_schema(HOUSE)}.probe ORDER BY rowid")


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n", 3)


def _header(path: Path) -> dict:
    return json.loads(_lines(path)[1])


def _part_offsets(path: Path) -> dict[str, tuple[int, int]]:
    """Each part's first byte and size in the file."""
    first, header_line, seal, _ = _lines(path)
    start = len(first) + len(header_line) + len(seal) + 3
    found = {}
    for part in _header(path)["parts"]:
        found[part["file"]] = (start, part["bytes"])
        start += part["bytes"]
    return found


@pytest.fixture
def filled(vault_dir, keystore):
    vault, recovery_key = Vault.create(vault_dir, OWNER, keystore=keystore)
    _fill(vault)
    yield vault, recovery_key
    vault.close()


# -- writing ------------------------------------------------------------------------------


def test_backup_file_is_private_self_describing_signed_and_holds_no_plaintext(filled, tmp_path):
    vault, _ = filled
    dest = tmp_path / "out" / "today.crmbackup"
    dest.parent.mkdir()
    info = write_backup(vault, dest)

    data = dest.read_bytes()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
    assert data.startswith(MAGIC_LINE) and MAGIC_LINE == b"crmdesk-backup 2\n"
    header = _header(dest)
    assert header["vault"] == {
        "vault_id": vault.meta.vault_id,
        "created_at": vault.meta.created_at,
        "format_version": 2,
        "owner_sign_public": vault.meta.owner_sign_public,
    }
    assert header["owner"] == "zoe"
    # The whole keys.json: every slot's wraps and sealed grants, nothing in the clear.
    assert header["keys"] == json.loads((vault.folder / KEYFILE_NAME).read_text())
    assert header["schema_version"] == vault.schema_version
    head = audit.head(vault.connection)
    assert header["audit_head"] == {"seq": head[0], "hash": head[1]}
    assert (info.audit_length, info.audit_head) == head
    # Every part: the main database, then each book, with its size and SHA-256.
    offsets = _part_offsets(dest)
    assert [p["file"] for p in header["parts"]] == ["crmdesk.db", "books/house.db"]
    assert [p["key"] for p in header["parts"]] == ["main", "book:house"]
    for part in header["parts"]:
        start, size = offsets[part["file"]]
        assert hashlib.sha256(data[start : start + size]).hexdigest() == part["sha256"]
    # Signed by the owner who made it, with the key of their slot.
    person = vault.person
    assert header["signer"] == {
        "login": "zoe",
        "key_serial": person.serial,
        "sign_public": b64(person.public.sign_public),
    }
    seal = json.loads(_lines(dest)[2])
    signature = base64.b64decode(seal["signature"])
    assert person.public.verify(SIGNATURE_LABEL + _lines(dest)[1], signature)
    # Nothing of the records in the clear, neither of the main database nor of the book.
    for secret in (MARKER, BOOK_MARKER, OWNER.full_name, OWNER.business, "probe"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in data, secret
    assert b"SQLite format 3" not in data
    # Nothing left beside it: no temporary copy, no WAL.
    assert sorted(p.name for p in dest.parent.iterdir()) == ["today.crmbackup"]


def test_each_part_is_one_self_contained_file_under_its_own_key(filled, tmp_path):
    """The copies' WALs are checkpointed into them: each opens read-only in rollback mode,
    with its own key, and with no other."""
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    data = dest.read_bytes()
    keys = {"crmdesk.db": vault.held.main, "books/house.db": vault.held.current["book:house"]}
    for name, (start, size) in _part_offsets(dest).items():
        db = tmp_path / name.replace("/", "-")
        db.write_bytes(data[start : start + size])
        for key, opens in ((keys[name], True), (keys[next(k for k in keys if k != name)], False)):
            conn = sqlcipher3.connect(f"{db.as_uri()}?mode=ro", uri=True)
            conn.execute(f"PRAGMA key = {key.pragma_value()}")
            try:
                if not opens:
                    with pytest.raises(sqlcipher3.DatabaseError):
                        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    continue
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


def _raw(vault_dir: Path, key) -> sqlcipher3.Connection:
    """The vault's database on a plain keyed connection, to damage it on purpose."""
    conn = sqlcipher3.connect(str(vault_dir / DATABASE_NAME), isolation_level=None)
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    return conn


def test_a_page_of_the_vault_that_fails_its_hmac_stops_the_backup(vault_dir, keystore, tmp_path):
    """The copy holds the page as it is in the vault, and the check of the copy's pages
    stops the backup (make.py)."""
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    _fill(vault, rows=2000)
    root = _rows(vault, "SELECT rootpage FROM sqlite_master WHERE name = 'probe'")[0][0]
    vault.close()  # the WAL checkpointed into the file
    data = bytearray((vault_dir / DATABASE_NAME).read_bytes())
    data[(root - 1) * 4096 + 2048] ^= 0x01  # one bit of the probe table's first page
    (vault_dir / DATABASE_NAME).write_bytes(bytes(data))
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    with (
        Vault.open(vault_dir, keystore=keystore) as damaged,  # that page is not read here
        pytest.raises(errors.VaultDamaged, match="did not verify"),
    ):
        write_backup(damaged, dest)
    assert list(dest.parent.iterdir()) == []  # no backup, no work folder left


def test_pages_intact_but_disagreeing_stop_the_backup(filled, vault_dir, keystore, tmp_path):
    """Every page passes its HMAC, but an index does not match its table."""
    vault, _ = filled
    with vault.transaction() as conn:
        conn.execute("CREATE TABLE pairs (a INTEGER, b INTEGER)")
        conn.execute("CREATE INDEX pairs_a ON pairs (a)")
        conn.executemany("INSERT INTO pairs VALUES (?, ?)", [(i, -i) for i in range(1, 50)])
    raw = _raw(vault_dir, vault.held.main)
    # The index now claims to hold b while it holds a.
    raw.execute("PRAGMA writable_schema = ON")
    raw.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX pairs_a ON pairs (b)'"
                " WHERE name = 'pairs_a'")  # fmt: skip
    raw.execute("PRAGMA writable_schema = OFF")
    raw.close()
    vault.close()
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    with Vault.open(vault_dir, keystore=keystore) as reopened:
        with reopened.reading() as conn:
            assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        with pytest.raises(errors.VaultDamaged, match="integrity check of the database fails"):
            write_backup(reopened, dest)
    assert list(dest.parent.iterdir()) == []


def test_a_book_made_by_another_window_is_in_the_backup(filled, keystore, tmp_path):
    """A book made after this vault was opened: attached for the copy, from its grant."""
    vault, _ = filled
    other = Vault.open(vault.folder, keystore=keystore)
    try:
        book_id = "0123456789abcdef"
        create_book(other, book_id, [other.person.public])
        with other.transaction() as conn:
            conn.execute(
                "INSERT INTO books (id, login, created_at) VALUES (?, 'sam', 'now')", (book_id,)
            )
    finally:
        other.close()
    assert vault.book_schema(book_id) is None
    write_backup(vault, tmp_path / "b.crmbackup")
    parts = [p["file"] for p in _header(tmp_path / "b.crmbackup")["parts"]]
    assert parts == ["crmdesk.db", f"books/{book_id}.db", "books/house.db"]


# -- restoring ----------------------------------------------------------------------------


def test_round_trip_with_the_recovery_key_onto_a_fresh_keyring(filled, tmp_path):
    vault, recovery_key = filled
    dest = tmp_path / "b.crmbackup"
    info = write_backup(vault, dest)
    fresh = MemoryKeyStore()  # a new laptop
    target = tmp_path / "restored"

    restored = restore_backup(dest, target, keystore=fresh, recovery_key=recovery_key)

    assert restored.vault_id == vault.meta.vault_id and restored.sha256 == info.sha256
    assert (restored.owner, restored.opened_with, restored.key_storage) == (
        "zoe",
        "recovery key",
        "keyring",
    )
    # A new secret in the new keyring opens the owner's slot of the restored vault.
    keyfile = json.loads((target / KEYFILE_NAME).read_text())
    assert list(fresh.entries) == [vault.meta.vault_id]
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for name in (DATABASE_NAME, METADATA_NAME, KEYFILE_NAME, "books/house.db"):
        assert stat.S_IMODE((target / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((target / "books").stat().st_mode) == 0o700
    assert not [p for p in tmp_path.iterdir() if "restoring" in p.name]
    with Vault.open(target, keystore=fresh) as copy:
        assert _rows(copy, "SELECT v FROM probe ORDER BY rowid") == _rows(
            vault, "SELECT v FROM probe ORDER BY rowid"
        )
        assert _book_rows(copy) == _book_rows(vault) and len(_book_rows(copy)) == 200
        report = copy.verify_audit()
        assert report.ok, report.problem
        # The head recorded in the restored vault.json is checked too.
        assert report.recorded_seq == report.length == info.audit_length + 1
        original = _rows(vault, f"SELECT * FROM audit_events WHERE seq <= {info.audit_length}")
        assert _rows(copy, f"SELECT * FROM audit_events WHERE seq <= {info.audit_length}") == (
            original
        )
        actor, signer, action, details = _rows(
            copy, "SELECT actor, signer, action, details FROM audit_events ORDER BY seq"
        )[-1]
        details = json.loads(details)
        assert (actor, signer, action) == ("zoe", "zoe", "vault.restored")
        assert details["sha256"] == info.sha256 and details["from"] == str(dest)
        assert details["backup_made_at"] == info.made_at
        assert details["opened_with"] == "recovery key"
    # The same slots as the backup's, each with its grants: only the keyring wrap is new.
    before = _header(dest)["keys"]["people"]["zoe"]
    after = keyfile["people"]["zoe"]
    assert (
        after["grants"] == before["grants"]
        and after["wraps"]["recovery"] == (before["wraps"]["recovery"])
    )
    assert after["wraps"][KEYRING] != before["wraps"][KEYRING]


def test_restore_with_the_keyring_entry_that_still_opens_it(filled, keystore, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    entries = dict(keystore.entries)
    restored = restore_backup(dest, tmp_path / "copy", keystore=keystore)
    assert (restored.key_storage, restored.opened_with) == ("keyring", "keyring")
    assert keystore.entries == entries  # nothing written: the live vault's entry opens both
    with Vault.open(tmp_path / "copy", keystore=keystore) as copy:
        assert copy.verify_audit().ok
    with Vault.open(vault.folder, keystore=keystore) as live:
        assert live.verify_audit().ok


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


def _reseal(path: Path, header: dict, signer: PersonSecret | None = None) -> None:
    """Write ``header`` back with a right checksum: signed by ``signer``, or keeping the
    old signature."""
    first, _, seal, rest = _lines(path)
    line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    new_seal = json.loads(seal) | {"sha256": hashlib.sha256(line).hexdigest()}
    if signer is not None:
        new_seal["signature"] = b64(signer.sign(SIGNATURE_LABEL + line))
    path.write_bytes(b"\n".join([first, line, json.dumps(new_seal).encode(), rest]))


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    first, header_line, _seal, _ = _lines(path)
    main_start, main_size = _part_offsets(path)["crmdesk.db"]
    book_start, book_size = _part_offsets(path)["books/house.db"]
    if how == "database":
        _flip(data, main_start + main_size // 2)
    elif how == "book":
        _flip(data, book_start + book_size // 2)
    elif how == "file-end":
        _flip(data, len(data) - 1)
    elif how == "metadata":
        _flip(data, len(first) + 1 + header_line.index(b"vault_id") + 20)
    elif how == "seal":
        _flip(data, len(first) + 1 + len(header_line) + 15)
    elif how == "truncated":
        del data[-4096:]
    elif how == "appended":
        data += b"\0" * 16
    elif how == "header-cut":
        del data[len(first) + 200 :]
    elif how == "signature":
        header = _header(path)
        header["audit_head"]["seq"] -= 1  # pretend the trail was shorter
        _reseal(path, header)
        return
    path.write_bytes(bytes(data))


DAMAGE = [
    "database",
    "book",
    "file-end",
    "metadata",
    "seal",
    "truncated",
    "appended",
    "header-cut",
    "signature",
]


@pytest.mark.parametrize("how", DAMAGE)
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


def test_a_header_altered_and_signed_again_by_someone_else_is_refused(filled, tmp_path):
    """Changing the header needs the owner's signing key: a header signed again by another
    key, even one claiming the owner's name, is caught once the owner's slot is open."""
    vault, recovery_key = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    pristine = dest.read_bytes()
    mallory = PersonSecret.generate()
    for login, serial in (("mallory", 1), ("zoe", vault.person.serial)):
        dest.write_bytes(pristine)
        header = _header(dest)
        header["audit_head"]["seq"] -= 1
        header["signer"] = {
            "login": login,
            "key_serial": serial,
            "sign_public": b64(mallory.public(login, serial).sign_public),
        }
        _reseal(dest, header, signer=mallory)
        read_header(dest)  # the checksum and signature are right now...
        with pytest.raises(errors.VaultDamaged, match="not signed by the owner's key"):
            restore_backup(
                dest, tmp_path / "r", keystore=MemoryKeyStore(), recovery_key=recovery_key
            )
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


def test_the_recovery_key_survives_a_rotation_of_the_data_keys(filled, keystore, tmp_path):
    """Rotating every data key leaves the owner's slot as it was: the recovery key of
    today opens a backup from before, and that backup opens with its own old keys."""
    vault, recovery_key = filled
    dest = tmp_path / "before.crmbackup"
    write_backup(vault, dest)
    generations = vault.rotate_keys("zoe", reason="a salesperson left")
    assert generations["main"] == 2 and generations["book:house"] == 2

    info = restore_backup(
        dest, tmp_path / "r", keystore=MemoryKeyStore(), recovery_key=recovery_key
    )
    assert info.opened_with == "recovery key"
    # The keyring entry still opens the owner's slot too: it did not change either.
    restore_backup(dest, tmp_path / "r2", keystore=keystore)
    with Vault.open(tmp_path / "r2", keystore=keystore) as copy:
        assert copy.verify_audit().ok and _book_rows(copy) == _book_rows(vault)
        assert (
            json.loads((tmp_path / "r2" / KEYFILE_NAME).read_text())["keys"]["main"]["generation"]
            == 1
        )


def test_a_new_recovery_key_does_not_open_an_older_backup(filled, keystore, tmp_path):
    """Renewing the owner's own keys (rekey) makes a new recovery key and keyring secret:
    an older backup needs the recovery key of its day, which must not push the live
    vault's entry out of this keyring."""
    from crmdesk.vault.keys import recovery
    from crmdesk.vault.people_keys import recovery_key_shown, roll_over_keys

    vault, old_recovery = filled
    vault_id = vault.meta.vault_id
    dest = tmp_path / "before.crmbackup"
    write_backup(vault, dest)
    _, secret = roll_over_keys(vault, store=keystore, recovery=True)
    recovery_key_shown(vault)
    new_recovery = recovery.encode(secret)
    live_entry = keystore.entries[vault_id]

    with pytest.raises(errors.WrongKey, match="recovery key printed before") as caught:
        restore_backup(dest, tmp_path / "r", keystore=keystore)
    assert caught.value.exit_code == errors.ExitCode.CANNOT_UNLOCK
    with pytest.raises(errors.WrongKey, match="renewed after this backup"):
        restore_backup(dest, tmp_path / "r", keystore=keystore, recovery_key=new_recovery)
    with pytest.raises(errors.BadInput, match="would lock that vault out"):
        restore_backup(dest, tmp_path / "r", keystore=keystore, recovery_key=old_recovery)
    assert keystore.entries[vault_id] == live_entry
    assert not (tmp_path / "r").exists()

    other = MemoryKeyStore()  # another computer
    restore_backup(dest, tmp_path / "r", keystore=other, recovery_key=old_recovery)
    with Vault.open(tmp_path / "r", keystore=other) as copy:
        assert copy.verify_audit().ok and _rows(copy, "SELECT count(*) FROM probe") == [(200,)]
    info = restore_backup(
        dest,
        tmp_path / "r2",
        keystore=keystore,
        recovery_key=old_recovery,
        new_passphrase=PHRASE,
        kdf=FAST_KDF,
    )
    assert info.key_storage == "passphrase" and keystore.entries[vault_id] == live_entry
    with Vault.open(tmp_path / "r2", passphrase_text=PHRASE) as copy:
        assert copy.verify_audit().ok
    with Vault.open(vault.folder, keystore=keystore) as live:
        assert live.verify_audit().ok


def test_passphrase_mode_backup_restores_with_its_passphrase(vault_dir, fast_kdf, tmp_path):
    vault, recovery_key = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    _fill(vault)
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    vault.close()
    assert _header(dest)["keys"]["people"]["zoe"]["wraps"]["password"]["kdf"] == "argon2id"

    with pytest.raises(
        errors.CannotUnlock,
        match="passphrase of the day it was made: give it, or use the recovery key",
    ) as info:
        restore_backup(dest, tmp_path / "r")
    assert info.value.code == "restore.passphrase_needed"
    with pytest.raises(errors.WrongPassphrase):
        restore_backup(dest, tmp_path / "r", password="not the passphrase at all")
    with pytest.raises(errors.NotAllowed, match="Only the owner"):
        restore_backup(dest, tmp_path / "r", login="mallory", password=PHRASE)
    assert not (tmp_path / "r").exists()
    info = restore_backup(dest, tmp_path / "r", password=PHRASE)
    assert (info.key_storage, info.opened_with) == ("passphrase", "password")
    with Vault.open(tmp_path / "r", passphrase_text=PHRASE) as copy:
        assert copy.verify_audit().ok
        assert _rows(copy, "SELECT count(*) FROM probe") == [(200,)]
        assert len(_book_rows(copy)) == 200
    # The recovery key, with a new passphrase: the old one opens it no more.
    new_phrase = "copper lantern orchard ninety"
    restore_backup(
        dest,
        tmp_path / "r2",
        recovery_key=recovery_key,
        new_passphrase=new_phrase,
        kdf=FAST_KDF,
    )
    with pytest.raises(errors.WrongPassphrase):
        Vault.open(tmp_path / "r2", passphrase_text=PHRASE)
    with Vault.open(tmp_path / "r2", passphrase_text=new_phrase) as copy:
        assert copy.verify_audit().ok


def test_the_restored_vault_json_records_the_copys_head(filled, keystore, tmp_path):
    vault, _ = filled
    dest = tmp_path / "b.crmbackup"
    info = write_backup(vault, dest)
    restore_backup(dest, tmp_path / "r", keystore=keystore)
    recorded = json.loads((tmp_path / "r" / METADATA_NAME).read_text())["audit_head"]
    assert recorded["seq"] == info.audit_length + 1  # the backup's trail + vault.restored


def test_the_slot_keys_in_the_restored_keyring_open_only_the_owner_slot(filled, tmp_path):
    vault, recovery_key = filled
    dest = tmp_path / "b.crmbackup"
    write_backup(vault, dest)
    fresh = MemoryKeyStore()
    restore_backup(dest, tmp_path / "r", keystore=fresh, recovery_key=recovery_key)
    keyfile = json.loads((tmp_path / "r" / KEYFILE_NAME).read_text())
    from crmdesk.vault.keys.keyfile import read_keyfile

    slot = read_keyfile(tmp_path / "r").slot("zoe")
    secret = open_slot(slot, keyfile["vault_id"], KEYRING, key=fresh.get(keyfile["vault_id"]))
    assert secret.public("zoe", slot.serial).sign_public == vault.person.public.sign_public
    assert set(slot.held_key_ids()) >= {"main", book_key_id(HOUSE)}


# -- a backup while another process writes ----------------------------------------------

WRITES = 2000
SECOND_BOOK = "00000000000000b2"


def _writer(folder: str, started, stop, results) -> None:
    """Commit, in each transaction, a row into the main database and into two books, with
    its audit event, until told to stop."""
    try:
        vault = Vault.open(Path(folder), passphrase_text=PHRASE)
        house, second = vault.book_schema(HOUSE), vault.book_schema(SECOND_BOOK)
        with vault.reading() as conn:
            # A checkpoint after nearly every commit: the files keep being written while
            # the backup copies them (the WAL's frames in the copy must win).
            conn.execute("PRAGMA wal_autocheckpoint = 2")
        try:
            for i in range(WRITES):
                with vault.transaction() as conn:
                    conn.execute(
                        "INSERT INTO vault_info (key, value) VALUES (?, ?)", (f"w-{i}", "writer")
                    )
                    conn.execute(f"INSERT INTO {house}.probe VALUES (?)", (f"w-{i}",))
                    conn.execute(f"INSERT INTO {second}.probe VALUES (?)", (f"w-{i}",))
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


def test_backup_while_another_process_writes_holds_one_cut_of_every_file(
    vault_dir, fast_kdf, tmp_path
):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    create_book(vault, SECOND_BOOK, [vault.person.public])
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO books (id, login, created_at) VALUES (?, 'bob', 'now')", (SECOND_BOOK,)
        )
        for book in (HOUSE, SECOND_BOOK):
            conn.execute(f"CREATE TABLE {vault.book_schema(book)}.probe (v TEXT)")
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
    vault.close()
    assert outcome[0] == "ok", outcome[1]
    written = outcome[1]

    restore_backup(dest, tmp_path / "r", password=PHRASE)
    with Vault.open(tmp_path / "r", passphrase_text=PHRASE) as copy:
        report = copy.verify_audit()
        assert report.ok, report.problem
        with copy.reading() as conn:
            rows = {k for (k,) in conn.execute("SELECT key FROM vault_info WHERE value='writer'")}
            in_books = [
                {v for (v,) in conn.execute(f"SELECT v FROM {copy.book_schema(b)}.probe")}
                for b in (HOUSE, SECOND_BOOK)
            ]
            events = [
                o
                for (o,) in conn.execute(
                    "SELECT object FROM audit_events WHERE action = 'test.write' "
                    f"AND seq <= {info.audit_length} ORDER BY seq"
                )
            ]
    # One cut of every file: each row its events name is in main and in both books, and
    # no row is anywhere without its event; rows 0..n-1 in order, taken mid-way.
    assert set(events) == rows == in_books[0] == in_books[1]
    assert events == [f"w-{i}" for i in range(len(events))]
    assert 50 < len(events) <= after_backup
    assert len(events) < written, "the writer had finished before the backup"
