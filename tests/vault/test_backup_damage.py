"""A backup refuses a vault with a damaged page, whatever the page: a table's, an index's,
an overflow page of a long value, in the main database or in a book.

The copies are byte for byte (vault/backup/snapshot.py), so a damaged page of the vault
is damaged in the copy, where the HMAC check of every page (free pages too) and SQLite's
``integrity_check`` look for it (vault/backup/verify.py); a damaged frame of the WAL cuts
the WAL's checksum chain. Each test flips one bit of one page in the file of a closed
vault (or of a frame in the WAL of an open one), opens it again and asks for a backup.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from crmdesk import errors
from crmdesk.vault import Vault
from crmdesk.vault.backup import make, write_backup
from crmdesk.vault.books import HOUSE
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.paths import DATABASE_NAME
from tests.conftest import OWNER

PAGE = 4096
BOOK_FILE = Path("books") / f"{HOUSE}.db"
LONG = bytes(range(256)) * 48  # 12 KiB: the row's page and an overflow chain of 3 pages


def _raw(path: Path, key: VaultKey) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def _add_long_value(conn: sqlcipher3.Connection, schema: str) -> list[int]:
    """A table with one long value; the pages of its overflow chain, in chain order.

    Pages come from the end of the file when the free list is empty (checked), in the
    order SQLite follows them: the chain is the pages added by the insert."""
    conn.execute(f"CREATE TABLE {schema}.long_values (v BLOB)")
    assert conn.execute(f"PRAGMA {schema}.freelist_count").fetchone()[0] == 0
    before = conn.execute(f"PRAGMA {schema}.page_count").fetchone()[0]
    conn.execute(f"INSERT INTO {schema}.long_values VALUES (?)", (LONG,))
    after = conn.execute(f"PRAGMA {schema}.page_count").fetchone()[0]
    assert after - before == 3
    return list(range(before + 1, after + 1))


@pytest.fixture
def closed_vault(vault_dir, keystore):
    """A closed vault whose main database and house book each hold rows, an index and a
    long value; with the keys and the root page of every table and index of each file."""
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    book = vault.book_schema(HOUSE)
    with vault.transaction() as conn:
        for schema in ("main", book):
            conn.execute(f"CREATE TABLE {schema}.probe (n INTEGER, v TEXT)")
            conn.execute(f"CREATE INDEX {schema}.probe_v ON probe (v)")
            conn.executemany(
                f"INSERT INTO {schema}.probe VALUES (?, ?)",
                [(i, f"row {i} " + "x" * 40) for i in range(2000)],
            )
    with vault.transaction() as conn:
        chains = {DATABASE_NAME: _add_long_value(conn, "main"), str(BOOK_FILE): []}
    with vault.transaction() as conn:
        chains[str(BOOK_FILE)] = _add_long_value(conn, book)
    keys = {  # copies: closing the vault wipes its keys
        DATABASE_NAME: VaultKey(vault.held.main.raw),
        str(BOOK_FILE): VaultKey(vault.held.current[f"book:{HOUSE}"].raw),
    }
    vault.close()  # every page checkpointed into its file
    roots = {}
    for name, key in keys.items():
        conn = _raw(vault_dir / name, key)
        try:
            roots[name] = conn.execute(
                "SELECT type, name, rootpage FROM sqlite_master WHERE rootpage > 1"
            ).fetchall()
        finally:
            conn.close()
    return vault_dir, keys, roots, chains


def _flip(path: Path, page: int) -> bytes:
    """Flip one bit in the middle of ``page`` (1-based); returns the file as it was."""
    before = path.read_bytes()
    data = bytearray(before)
    data[(page - 1) * PAGE + PAGE // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return before


def _refused(vault_dir: Path, keystore, dest: Path) -> Exception:
    """The error that stops the backup: the vault's opening, when it reads that page
    (said as damage, never a raw database error), or the backup."""
    try:
        damaged = Vault.open(vault_dir, keystore=keystore)
    except errors.VaultDamaged as exc:
        return exc
    with damaged, pytest.raises(errors.VaultDamaged) as info:
        write_backup(damaged, dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []  # no work folder left
    return info.value


def test_every_table_and_index_page_damaged_stops_the_backup(closed_vault, keystore, tmp_path):
    vault_dir, _keys, roots, _ = closed_vault
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    checked, at_opening = 0, []
    for name, objects in roots.items():
        assert {"probe", "probe_v", "long_values"} <= {n for _, n, _ in objects}
        for kind, obj, root in objects:
            pristine = _flip(vault_dir / name, root)
            try:
                refused = _refused(vault_dir, keystore, dest)
            except Exception as exc:  # which page it was, for the report
                raise AssertionError(f"{name}: {kind} {obj} (page {root})") from exc
            finally:
                (vault_dir / name).write_bytes(pristine)
            if not isinstance(refused, errors.VaultDamaged) or refused.code != (
                "backup.copy_unverified"
            ):
                at_opening.append(obj)  # its page is read when the vault opens
                continue
            assert "fail their HMAC check" in refused.facts["problem"], (name, obj)
            checked += 1
    assert checked > 30  # every table and index of the vault's schema, in both files
    assert len(at_opening) < 5, at_opening
    with Vault.open(vault_dir, keystore=keystore) as intact:  # the files as they were
        write_backup(intact, dest)


@pytest.mark.parametrize("name", [DATABASE_NAME, str(BOOK_FILE)])
@pytest.mark.parametrize("where", ["first", "last"])
def test_a_damaged_overflow_page_stops_the_backup(closed_vault, keystore, tmp_path, name, where):
    vault_dir, _keys, _roots, chains = closed_vault
    chain = chains[name]
    _flip(vault_dir / name, chain[0] if where == "first" else chain[-1])
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    refused = _refused(vault_dir, keystore, dest)
    assert refused.code == "backup.copy_unverified"
    what = "database" if name == DATABASE_NAME else f"book {HOUSE}"
    assert refused.facts["problem"] == (
        f"pages of the vault's {what} fail their HMAC check (damaged on the disk or altered)"
    )
    assert "The vault itself may be damaged" in str(refused)


def test_a_damaged_free_page_stops_the_backup_though_sqlites_check_passes(
    vault_dir, keystore, tmp_path, monkeypatch
):
    """Why every page's HMAC is checked, free pages too: SQLite's check of the copy does
    not read the leaves of the free list, so without the HMAC check a damaged one would
    be written into the backup, which a restore's own HMAC check would then refuse."""
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    with vault.transaction() as conn:
        freed = _add_long_value(conn, "main")
    with vault.transaction() as conn:
        conn.execute("DELETE FROM long_values")  # its pages join the free list
    vault.close()
    pristine = (vault_dir / DATABASE_NAME).read_bytes()
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    passed_sqlites_check = []
    for page in freed:
        _flip(vault_dir / DATABASE_NAME, page)
        refused = _refused(vault_dir, keystore, dest)
        assert refused.facts["problem"] == (
            "pages of the vault's database fail their HMAC check (damaged on the disk or altered)"
        )
        with monkeypatch.context() as m, Vault.open(vault_dir, keystore=keystore) as damaged:
            m.setattr(make, "check_pages", lambda *_: None)
            try:
                write_backup(damaged, dest)
            except errors.VaultDamaged:
                pass  # a trunk page of the free list: SQLite's check reads it
            else:
                passed_sqlites_check.append(page)
                dest.unlink()
        (vault_dir / DATABASE_NAME).write_bytes(pristine)
    assert passed_sqlites_check  # a leaf: only its HMAC shows the damage


def test_a_damaged_page_in_the_wal_stops_the_backup(vault_dir, keystore, tmp_path):
    """A page of the last commits, still in the WAL: the WAL's checksums chain every frame
    to the one before, and the copy, as it folds its WAL in, finds fewer frames than the
    vault committed. (Before, the backup API read the page through the cipher as zeros,
    and only the copy's structure check, when it did, showed it.)"""
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    try:
        with vault.transaction() as conn:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            conn.execute("CREATE TABLE probe (v TEXT)")
        with vault.transaction() as conn:
            conn.executemany("INSERT INTO probe VALUES (?)", [(f"row {i}",) for i in range(500)])
        wal = vault_dir / (DATABASE_NAME + "-wal")
        data = bytearray(wal.read_bytes())
        # The WAL's last frame: a page of probe, written by the last commit.
        frame = 24 + PAGE
        data[len(data) - frame + 24 + PAGE // 2] ^= 0x01
        wal.write_bytes(bytes(data))
        dest = tmp_path / "out" / "b.crmbackup"
        dest.parent.mkdir()
        # The vault's connection holds probe's pages in its cache: a second one reads the WAL.
        with (
            Vault.open(vault_dir, keystore=keystore) as other,
            pytest.raises(errors.VaultDamaged, match="did not verify") as info,
        ):
            write_backup(other, dest)
        assert info.value.facts["problem"] == (
            "the last changes of the vault's database, in its WAL, fail their checksums "
            "(damaged on the disk or altered)"
        )
        assert not dest.exists()
    finally:
        vault.close()


@pytest.mark.parametrize("where", ["book", "main"])
def test_an_index_that_disagrees_stops_the_backup(vault_dir, keystore, tmp_path, where):
    """Every page passes its HMAC, but an index no longer matches its table: the copy's
    check refuses it. A book's is checked after the file was written beside its
    destination (the books are checked meanwhile) and before it is put in place."""
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    schema = vault.book_schema(HOUSE) if where == "book" else "main"
    with vault.transaction() as conn:
        conn.execute(f"CREATE TABLE {schema}.pairs (a INTEGER, b INTEGER)")
        conn.execute(f"CREATE INDEX {schema}.pairs_a ON pairs (a)")
        conn.executemany(f"INSERT INTO {schema}.pairs VALUES (?, ?)", [(i, -i) for i in range(50)])
    if where == "book":
        name, key = BOOK_FILE, VaultKey(vault.held.current[f"book:{HOUSE}"].raw)
    else:
        name, key = Path(DATABASE_NAME), VaultKey(vault.held.main.raw)
    vault.close()
    raw = _raw(vault_dir / name, key)
    raw.execute("PRAGMA writable_schema = ON")
    raw.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX pairs_a ON pairs (b)'"
                " WHERE name = 'pairs_a'")  # fmt: skip
    raw.execute("PRAGMA writable_schema = OFF")
    raw.close()
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    refused = _refused(vault_dir, keystore, dest)
    assert isinstance(refused, errors.VaultDamaged) and refused.code == "backup.copy_unverified"
    what = f"the book {HOUSE}" if where == "book" else "the database"
    assert refused.facts["problem"] == f"SQLite's integrity check of {what} fails"
