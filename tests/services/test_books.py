"""Books: each client's value-added information in the book of its salesperson, under
that book's key, and nowhere else; searches over the books a person holds; changes that
a crash cuts between the main file's commit and a book's are made good at the next open.

Files are read back with the independent SQLCipher reader of tests/support.py.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from crmdesk.errors import BadInput, VaultDamaged
from crmdesk.services import client_store
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.client_store import search
from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService
from crmdesk.services.session import owner_session
from crmdesk.vault import Vault
from crmdesk.vault.books import HOUSE, book_path
from crmdesk.vault.keys.slots import book_key_id
from crmdesk.vault.paths import DATABASE_NAME
from tests.conftest import OWNER
from tests.services.conftest import TODAY, full_client
from tests.services.office import fast_passwords, make_office, secret_client  # noqa: F401
from tests.support import decrypt_sqlcipher4, decrypt_sqlcipher4_wal

MARK = "zqxwvmark"  # a word no demo or test data holds


def _marked(salesperson: str, name: str) -> dict:
    """A client whose every kind of value-added text carries MARK and a number."""
    data = secret_client(salesperson, name)
    data["notes"] = f"client notes {MARK}1"
    contact = data["contacts"][0]
    contact["notes"] = f"contact notes {MARK}2"
    contact["personal"] = {"hobbies": f"{MARK}3", "family": f"{MARK}4", "education": f"{MARK}5"}
    data["pricing"] = [{"product": "Widget", "price": "17.50", "terms": f"net {MARK}6"}]
    data["preferences"] = [{"topic": "Delivery", "detail": f"{MARK}7"}]
    data["specifications"] = [{"item": "Flour", "detail": f"{MARK}8"}]
    data["seasonal_needs"] = [{"months": [12], "need": f"{MARK}9 stock"}]
    data["interactions"][0]["summary"] = f"{MARK}10 said"
    data["interactions"][0]["outcome"] = f"{MARK}11 sent"
    data["purchases"][0]["notes"] = f"{MARK}12"
    data["purchases"][0]["items"][0]["product"] = f"Widget {MARK}13"
    return data


def _plaintext(path: Path, key: bytes) -> bytes:
    """A database file and its WAL, decrypted page by page."""
    return decrypt_sqlcipher4(path, key) + decrypt_sqlcipher4_wal(
        path.with_name(path.name + "-wal"), path, key
    )


def _book_of(vault, login: str) -> str:
    return vault.connection.execute("SELECT id FROM books WHERE login = ?", (login,)).fetchone()[0]


# -- what the files hold --------------------------------------------------------------------


def test_the_main_file_holds_no_value_added_text(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    client_id = ClientService(office.owner).add(_marked("Sam Reed", "Marker Supplies"))
    # A change written through the store (the audit trail's sealing of old and new values
    # is not the client store's part): a redo row goes into main with it.
    client = client_store.load_client(vault, client_id)
    changed = dataclasses.replace(client, notes=f"changed {MARK}14")
    with vault.transaction():
        client_store.update_client(vault, changed, client.updated_at, TODAY)
    assert vault.connection.execute("SELECT count(*) FROM book_redo").fetchone()[0] >= 1

    main = vault.folder / DATABASE_NAME
    plain = _plaintext(main, vault.held.main.raw)
    assert b"Marker Supplies" in plain  # the reader reads: the basic name is there
    assert MARK.encode() not in plain
    assert MARK.encode() not in main.read_bytes()

    sams = _book_of(vault, "sam")
    book = _plaintext(book_path(vault.folder, sams), vault.held.current[book_key_id(sams)].raw)
    for n in (2, 3, 6, 10, 13, 14):
        assert f"{MARK}{n}".encode() in book
    house = _plaintext(book_path(vault.folder, HOUSE), vault.held.current[book_key_id(HOUSE)].raw)
    assert MARK.encode() not in house


def test_a_salespersons_keys_open_no_other_salespersons_book(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    UserService(office.owner).add("eve", "Eve Stone", "salesperson", "initial password 1")
    ClientService(office.owner).add(_marked("Eve Stone", "Stone Bakery"))
    files = {p.stem: p for p in (vault.folder / "books").glob("*.db")}
    sams, eves = _book_of(vault, "sam"), _book_of(vault, "eve")
    assert set(files) == {HOUSE, sams, eves}

    def opened_by(session) -> dict[str, int]:
        held = session.vault.held
        keys = [k.raw for k in (*held.current.values(), *held.pending.values())]
        keys += list(held.audit.values())
        found = {}
        for book_id, path in files.items():
            for key in keys:
                try:
                    decrypt_sqlcipher4(path, key)
                except ValueError:
                    continue
                found[book_id] = found.get(book_id, 0) + 1
        return found

    assert opened_by(office.session("sam")) == {sams: 1}
    assert opened_by(office.session("ann")) == {}
    assert opened_by(office.owner) == {HOUSE: 1, sams: 1, eves: 1}


def test_a_search_reads_only_the_books_its_person_holds(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    owner = ClientService(office.owner)
    for n, notes in enumerate(["golf", "golf golf and more golf", "played golf once, long ago"]):
        data = secret_client("Sam Reed", f"Seller Client {n}")
        data["notes"] = notes
        owner.add(data)
    sam = ClientService(office.session("sam"))
    before = [r.id for r in sam.search("golf")]
    counted = sam.count(ClientQuery(text="golf"))
    assert len(before) == 4 and counted == 4  # Reed Supplies and these three
    # Text Sam cannot read, in another book: nothing of his changes.
    for n in range(30):
        data = secret_client("zoe", f"House Client {n}")
        data["notes"] = "golf " * (n + 1)
        owner.add(data)
    assert [r.id for r in sam.search("golf")] == before
    assert sam.count(ClientQuery(text="golf")) == counted
    assert len(owner.search("golf", ClientQuery(limit=100))) == 35  # and Harbour Foods


@pytest.mark.parametrize("rank_all_limit", [5000, 0])
def test_words_may_match_in_the_name_and_in_the_book(clients, monkeypatch, rank_all_limit):
    # Past the ranking limit the same clients are found (names first).
    monkeypatch.setattr(search, "RANK_ALL_LIMIT", rank_all_limit)
    clients.add(full_client())  # "Zoë's Bakery", notes "Family business since 1952"
    clients.add({"name": "Family Bakers", "notes": "sourdough"})
    assert [r.name for r in clients.search("bakery family")] == ["Zoë's Bakery"]
    assert {r.name for r in clients.search("family")} == {"Zoë's Bakery", "Family Bakers"}
    # Three words: one in the name, one in the basic details, one in the notes.
    assert [r.name for r in clients.search("zoe portland 1952")] == ["Zoë's Bakery"]
    assert [r.name for r in clients.search("bakers sourd")] == ["Family Bakers"]
    assert clients.search("bakers 1952") == []
    assert clients.count(ClientQuery(text="zoe portland 1952")) == 1
    # With a filter, and sorted by name rather than rank.
    query = ClientQuery(text="family", status="prospect", sort=SortKey.NAME)
    assert [r.name for r in clients.list(query)] == ["Family Bakers"]


def test_someone_without_the_book_edits_the_basics_and_keeps_what_they_cannot_see(
    vault,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    ann = ClientService(office.session("ann"))
    shown = ann.get_json(office.zoes_client)
    assert shown["contacts"][0]["personal"] is None
    contacts = [{**shown["contacts"][0], "name": "Pat Doe-Smith", "personal": None}]
    ann.update(office.zoes_client, {"contacts": contacts})
    stored = ClientService(office.owner).get_json(office.zoes_client)
    assert stored["contacts"][0]["name"] == "Pat Doe-Smith"
    assert stored["contacts"][0]["personal"]["hobbies"] == "golf"
    assert stored["contacts"][0]["birthday"] == "1970-12-03"


def test_an_office_opens_at_most_ten_books(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)  # the house book and Sam's
    users = UserService(office.owner)
    for n in range(8):
        users.add(f"seller{n}", f"Seller {n}", "salesperson", "initial password 1")
    assert len(vault.held_books()) == 10
    with pytest.raises(BadInput, match="the most this version"):
        users.add("seller9", "Seller 9", "salesperson", "initial password 1")


# -- the redo log -------------------------------------------------------------------------


def _book_files(folder: Path, book_id: str) -> list[Path]:
    path = book_path(folder, book_id)
    return [path, path.with_name(path.name + "-wal")]


def _save(files: list[Path], where: Path) -> None:
    where.mkdir()
    for f in files:
        if f.exists():
            shutil.copy2(f, where / f.name)


def _restore(files: list[Path], where: Path) -> None:
    """The files as they were: as if what was committed to them since never was."""
    for f in files:
        saved = where / f.name
        if saved.exists():
            shutil.copy2(saved, f)
        else:
            f.unlink(missing_ok=True)
        f.with_name(f.name.replace("-wal", "") + "-shm").unlink(missing_ok=True)


def test_a_book_commit_lost_in_a_crash_is_redone_at_the_next_open(vault_dir, keystore, tmp_path):
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    client_id = ClientService(owner_session(vault), today=lambda: TODAY).add(full_client())
    vault.close()
    files = _book_files(vault_dir, HOUSE)
    _save(files, tmp_path / "before")

    vault = Vault.open(vault_dir, keystore=keystore)
    ClientService(owner_session(vault)).update(client_id, {"notes": "After the change"})
    vault.close()
    _restore(files, tmp_path / "before")  # main committed, the book did not

    vault = Vault.open(vault_dir, keystore=keystore)
    try:
        with vault.reading():
            assert client_store.load_client(vault, client_id).notes.startswith("Family")
        session = owner_session(vault)  # the open settles the books
        assert ClientService(session).get(client_id).notes == "After the change"
        assert vault.connection.execute("SELECT count(*) FROM book_redo").fetchone()[0] == 0
    finally:
        vault.close()


def test_a_redo_row_that_was_tampered_with_is_refused(vault_dir, keystore):
    vault, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    session = owner_session(vault)
    first = ClientService(session, today=lambda: TODAY).add(full_client())
    second = ClientService(session, today=lambda: TODAY).add({"name": "Second"})
    with vault.transaction() as conn:
        # The sealed rows of the first client, claimed for the second: it must not open.
        conn.execute("DELETE FROM book_redo")
    client = client_store.load_client(vault, first)
    with vault.transaction() as conn:
        client_store.update_client(vault, client, client.updated_at, TODAY)
        conn.execute("UPDATE book_redo SET client_id = ?", (second,))
        house = vault.book_schema(HOUSE)
        conn.execute(f"UPDATE {house}.book_clients SET va_version = 0")  # as if never written
    with pytest.raises(VaultDamaged, match="changed by hand"):
        client_store.settle_books(vault)
    vault.close()
