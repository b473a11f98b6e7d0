"""The upgrade's step for client records: a vault of schema 6 (a fixture made by release
0.1.0) has its value-added information copied into books and then dropped from the main
database, every record equal before and after, also when the step is killed half-way.

The key steps of the upgrade (vault/upgrade.py) run as the upgrade runs them; the books
of the salespeople are made here the way the upgrade's ensure_book makes them (a new
book key granted to the owner), so that this test depends on the client store alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from crmdesk.domain import client_to_json
from crmdesk.services import client_store
from crmdesk.services.client_store.upgrade import move_value_added_into_books, needs_moving
from crmdesk.vault import Vault, people_keys
from crmdesk.vault import upgrade as keys_upgrade
from crmdesk.vault.books import new_book_id
from crmdesk.vault.legacy import open_legacy
from crmdesk.vault.paths import DATABASE_NAME
from crmdesk.vault.upgrade import OwnerWay
from tests.fixtures.vault_fixtures import fixture_vaults
from tests.support import FAST_KDF, decrypt_sqlcipher4, decrypt_sqlcipher4_wal

FIXTURE = next(f for f in fixture_vaults() if f.mode == "passphrase" and f.schema == 6)

CHILD = r"""
import sys
from pathlib import Path
from crmdesk.services.client_store.upgrade import move_value_added_into_books
from crmdesk.vault import Vault
from crmdesk.vault import upgrade as keys_upgrade
from crmdesk.vault.upgrade import OwnerWay

way = OwnerWay("zoe", password=sys.argv[2], several=True)
vault = keys_upgrade.enter(Path(sys.argv[1]), way, None, Vault)
move_value_added_into_books(vault)
vault.close()
"""


def _way() -> OwnerWay:
    return OwnerWay("zoe", password=FIXTURE.secrets()["users"]["zoe"]["password"], several=True)


@pytest.fixture
def entered(tmp_path):
    """The fixture vault after the upgrade's key steps, with its salespeople's books:
    schema 7, value-added columns still in main."""
    folder = tmp_path / "vault"
    folder.mkdir(mode=0o700)
    for name in ("crmdesk.db", "vault.json"):
        shutil.copyfile(FIXTURE.folder / name, folder / name)
    legacy = open_legacy(folder, passphrase_text=FIXTURE.secrets()["passphrase"])
    keys_upgrade.begin(legacy, _way(), kdf=FAST_KDF)
    vault = keys_upgrade.enter(folder, _way(), legacy, Vault)
    with vault.reading() as conn:
        sellers = [
            r[0]
            for r in conn.execute(
                "SELECT login FROM users WHERE role = 'salesperson' AND disabled_at IS NULL"
            )
        ]
    for login in sellers:
        book_id = new_book_id()
        people_keys.create_book(vault, book_id, [vault.person.public])
        with vault.transaction() as conn:
            conn.execute(
                "INSERT INTO books (id, login, created_at) VALUES (?, ?, '2026-12-04')",
                (book_id, login),
            )
    return vault


def _check_moved(vault: Vault) -> None:
    expected = FIXTURE.dump()["records"]["clients"]
    conn = vault.connection
    assert not needs_moving(conn)
    assert "notes" not in {r[1] for r in conn.execute("PRAGMA main.table_info(clients)")}
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'purchases'").fetchone()[0]
        == 0
    )
    with vault.reading():
        for client_id, data in expected.items():
            assert client_to_json(client_store.load_client(vault, int(client_id))) == data
    # Each client's rows in exactly one book: the one its row names.
    books = vault.held_books()
    placed = dict(conn.execute("SELECT id, book_id FROM clients").fetchall())
    for book_id, schema in books.items():
        ids = [r[0] for r in conn.execute(f"SELECT client_id FROM {schema}.book_clients")]
        assert all(placed[i] == book_id for i in ids), book_id
    total = sum(
        conn.execute(f"SELECT count(*) FROM {s}.book_clients").fetchone()[0] for s in books.values()
    )
    assert total == len(expected) == len(placed)
    sakura = conn.execute("SELECT id FROM books WHERE login = 'sakura'").fetchone()[0]
    assert sum(b == sakura for b in placed.values()) == 7  # by login and by full name


def test_the_old_layout_moves_into_books_with_every_record_equal(entered):
    vault = entered
    try:
        assert needs_moving(vault.connection)
        move_value_added_into_books(vault)
        _check_moved(vault)
        move_value_added_into_books(vault)  # done: nothing more happens
        _check_moved(vault)
    finally:
        vault.close()


def test_the_main_file_keeps_no_value_added_text_after_the_upgrade(entered):
    vault = entered
    dump = FIXTURE.dump()["records"]
    audit = json.dumps(dump["audit"], ensure_ascii=False)
    words = set()
    for client in dump["clients"].values():
        words.add(client["notes"])
        for contact in client["contacts"]:
            words |= set((contact["personal"] or {}).values()) | {contact["notes"]}
        words |= {p["terms"] for p in client["pricing"]}
        words |= {i["summary"] for i in client["interactions"]}
    # The legacy audit trail still holds some old values (sealing them is the audit's
    # part of the upgrade): those words are left out here.
    words = {w for w in words if w and len(w) >= 8 and w not in audit}
    assert len(words) > 10
    try:
        move_value_added_into_books(vault)
        main = vault.folder / DATABASE_NAME
        key = vault.held.main.raw
        plain = decrypt_sqlcipher4(main, key) + decrypt_sqlcipher4_wal(
            main.with_name(main.name + "-wal"), main, key
        )
        assert "Łukasiewicz".encode() in plain  # the reader reads: a basic name is there
        found = [w for w in words if w.encode() in plain]
        assert found == []
    finally:
        vault.close()


@pytest.mark.parametrize("step", ["upgrade:copied", "upgrade:dropped"])
def test_an_upgrade_step_killed_half_way_finishes_at_the_next_open(entered, step):
    folder = entered.folder
    entered.close()
    password = _way().password
    env = {**os.environ, "CRMDESK_TEST_CRASH_AT": step}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), password],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    vault = keys_upgrade.enter(folder, _way(), None, Vault)
    try:
        move_value_added_into_books(vault)
        _check_moved(vault)
    finally:
        vault.close()
