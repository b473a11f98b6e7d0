"""Issue 14, done when: a second salesperson's laptop holds no byte it could decrypt of
the first one's book, shown by trying every key that laptop's process holds on every
file it has: its own vault's files and every change file in the shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmdesk.services.clients import ClientService
from crmdesk.services.replication import state
from crmdesk.sync import changefile
from crmdesk.sync.errors import FileRejected
from crmdesk.vault.keys.device import section_key
from tests.services.office import fast_passwords  # noqa: F401  (fixture)
from tests.support import decrypt_sqlcipher4, decrypt_sqlcipher4_wal
from tests.sync.office_vaults import join_laptop, office_with_folder, sync_all

SECRET = "Walnut-Orchard-7731"  # in Sam's book only


@pytest.fixture
def synced(vault, tmp_path, fast_passwords):  # noqa: F811
    shared = tmp_path / "shared"
    office = office_with_folder(vault, shared)
    sam = join_laptop(office, "sam", "Sam Reed", tmp_path / "sam-laptop", shared)
    kim = join_laptop(office, "kim", "Kim Park", tmp_path / "kim-laptop", shared)
    sync_all(office.owner, sam, kim)
    owner = ClientService(office.owner)
    owner.update(office.sams_client, {"notes": f"Pays early. {SECRET}"})
    sam_side = sam.clients()
    on_sam = sam.vault.connection.execute("SELECT id FROM clients WHERE name = 'Reed Supplies'")
    sam_side.update(
        on_sam.fetchone()[0], {"preferences": [{"topic": "Codeword", "detail": SECRET}]}
    )
    sync_all(office.owner, sam, kim, rounds=3)
    return office, sam, kim, shared


def _process_keys(laptop) -> list[bytes]:
    """Every key the laptop's crmdesk process holds once its person has signed in, and
    every section key it could derive from them for any book."""
    vault = laptop.vault
    held = vault.held
    found = [k.raw for k in (*held.current.values(), *held.pending.values())]
    found += list(held.audit.values())
    found += list(state.member_keys(vault).values())
    office = state.office(vault)
    found.append(bytes(state.device_key(vault, office)._sign))
    person = vault.person.secret.raw
    found += [person[:32], person[32:]]
    books = [r[0] for r in vault.connection.execute("SELECT id FROM books")]
    derived = [section_key(k, f"book:{b}", g) for k in found for b in books for g in (1, 2, 3)]
    return [k for k in found + derived if len(k) == 32]


def _readable_bytes(folder: Path, keys: list[bytes]) -> bytes:
    """Everything in the vault folder that any of ``keys`` decrypts, plus every file
    as it lies on disk."""
    laid_out = b""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        laid_out += path.read_bytes()
        if path.suffix != ".db":
            continue
        for key in keys:
            try:
                laid_out += decrypt_sqlcipher4(path, key)
                laid_out += decrypt_sqlcipher4_wal(Path(f"{path}-wal"), path, key)
            except ValueError:
                continue  # not this file's key
    return laid_out


def _opened_sections(
    shared: Path, office: state.Office, keys: list[bytes], book: str, publics: dict[str, bytes]
) -> tuple[list, int]:
    """The sections of ``book`` in the shared folder that any of ``keys`` opens, and how
    many (file, key) pairs were tried."""
    opened = []
    tried = 0
    for device_dir in sorted((shared / office.office / "devices").iterdir()):
        name = device_dir.name
        for path in sorted(device_dir.glob("changes-*.crmsync")):
            data = path.read_bytes()
            number = int(path.stem.split("-")[1])
            for key in keys:
                for generation in (1, 2):
                    section = f"book:{book}@{generation}"
                    if section.encode() not in data:
                        continue
                    tried += 1
                    try:
                        found = changefile.decode(
                            data,
                            office=office.office,
                            device=name,
                            number=number,
                            device_key=publics[name],
                            keys={section: key},
                        )
                    except FileRejected as exc:
                        assert exc.code == "sync.file_unreadable", exc.code
                        continue
                    opened += [s for s in found.opened if s.key_id == section]
    return opened, tried


def test_kims_laptop_holds_no_byte_of_sams_book_it_could_decrypt(synced):
    office, sam, kim, shared = synced
    kim_office = state.office(kim.vault)
    publics = {d.device: state.unb64(d.sign_public) for d in state.devices(office.vault).values()}
    sams_book = office.vault.connection.execute(
        "SELECT id FROM books WHERE login = 'sam'"
    ).fetchone()[0]

    kims_keys = _process_keys(kim)
    opened, tried = _opened_sections(shared, kim_office, kims_keys, sams_book, publics)
    assert tried > 0 and opened == []
    for laptop in (kim, sam):
        laptop.vault.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert SECRET.encode() not in _readable_bytes(kim.folder, kims_keys)

    # The same search finds it where it is: on Sam's laptop, with Sam's keys.
    sams_keys = _process_keys(sam)
    assert SECRET.encode() in _readable_bytes(sam.folder, sams_keys)
    opened, _ = _opened_sections(shared, state.office(sam.vault), sams_keys, sams_book, publics)
    assert any(SECRET in str(s.items) for s in opened)
