"""An insider on the shared office computer, tried as one would (issue 13's "done when").

The attacker is a colleague with an account in the vault (or only the OS account). They
gather everything within reach: every key their own crmdesk process holds after signing
in (data keys, audit secrets, their own slot secret), every secret of every keyring
collection of the OS account (read straight from the Secret Service, as a script would),
and every file of the vault folder. With those they try what a determined person would:
open every grant in keys.json with every private key they have, decrypt every database
file and WAL with every key (with an independent SQLCipher 4 reader, not crmdesk's code),
and open every sealed audit detail. What they read is then searched for words that only
other people's value-added information holds.

Each test also shows that the harness reads what the attacker may read (their own book,
the basic names), so a harness that read nothing could not pass.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import secretstorage
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService
from crmdesk.vault import Vault
from crmdesk.vault.keys.keystore import system_keystore
from tests.conftest import OWNER
from tests.services.office import fast_passwords, make_office, secret_client  # noqa: F401
from tests.support import decrypt_sqlcipher4, decrypt_sqlcipher4_wal

pytestmark = pytest.mark.keyring

# Words no demo or test data holds, one per book: found in what an attacker reads only
# if they read that book's value-added information (or an audit detail about it).
SAMS, EVES, HOUSE = "qsammarkz", "qevemarkz", "qhousemarkz"


def _marked(salesperson: str, name: str, mark: str) -> dict:
    """A client whose value-added text, of every kind, carries ``mark``."""
    data = secret_client(salesperson, name)
    data["notes"] = f"notes {mark}1"
    contact = data["contacts"][0]
    contact["personal"] = {"hobbies": f"{mark}2", "family": f"{mark}3"}
    data["pricing"] = [{"product": "Widget", "price": "17.50", "terms": f"net {mark}4"}]
    data["preferences"] = [{"topic": "Delivery", "detail": f"{mark}5"}]
    data["specifications"] = [{"item": "Flour", "detail": f"{mark}6"}]
    data["seasonal_needs"] = [{"months": [12], "need": f"{mark}7"}]
    data["interactions"][0]["summary"] = f"{mark}8 said"
    data["purchases"][0]["items"][0]["product"] = f"Widget {mark}9"
    return data


@pytest.fixture
def office(tmp_path, fast_passwords):  # noqa: F811
    """Owner Zoë, manager Mia, salespeople Sam and Eve, assistant Ann, on the real keyring;
    a client of each salesperson and one of the house, each value-added field marked; an
    edit of each, so the audit trail holds sealed old and new values."""
    store = system_keystore()
    vault, _ = Vault.create(tmp_path / "vault", OWNER, keystore=store)
    made = make_office(vault)
    UserService(made.owner).add("eve", "Eve Stone", "salesperson", "initial password 1")
    clients = ClientService(made.owner)
    for salesperson, name, mark in [
        ("Sam Reed", "Reed Marker Co", SAMS),
        ("Eve Stone", "Stone Marker Co", EVES),
        ("", "House Marker Co", HOUSE),
    ]:
        client_id = clients.add(_marked(salesperson, name, mark))
        clients.update(client_id, {"notes": f"changed {mark}10"})
    yield made
    made.owner.close()
    store.delete(vault.meta.vault_id)


# -- what the attacker gathers --------------------------------------------------------------


@dataclass
class Loot:
    keys: set[bytes] = field(default_factory=set)  # 32-byte candidates: data keys, secrets
    read: bytearray = field(default_factory=bytearray)  # every plaintext they got

    def add_key(self, raw: bytes) -> None:
        if len(raw) == 32:
            self.keys.add(raw)
        elif len(raw) == 64:  # a slot secret: its X25519 half, and the rest, to try both
            self.keys.update({raw[:32], raw[32:]})


def _decodings(secret: bytes) -> list[bytes]:
    """A keyring secret as stored, and as hex or base64 text if it is that."""
    found = [secret]
    text = secret.decode("ascii", "replace").strip()
    for decode in (bytes.fromhex, base64.b64decode, base64.urlsafe_b64decode):
        with contextlib.suppress(ValueError, binascii.Error):
            found.append(decode(text))
    return found


def _keyring_secrets() -> list[bytes]:
    """Every secret of every unlocked collection the OS account's Secret Service holds."""
    connection = secretstorage.dbus_init()
    try:
        secrets = []
        for collection in secretstorage.get_all_collections(connection):
            if collection.is_locked():
                continue  # unlocking would ask the desktop user: not silent, not here
            for item in collection.get_all_items():
                secrets.append(item.get_secret())
        return secrets
    finally:
        connection.close()


def _unseal_grants(folder: Path, loot: Loot) -> None:
    """Open every sealed value in keys.json (every slot's grants, whoever's) with every
    private key in hand; what opens is another key to try."""
    keyfile = json.loads((folder / "keys.json").read_text())
    sealed = [v for v in _strings(keyfile) if len(v) >= 80]
    for _ in range(3):  # a key opened may open more grants
        before = len(loot.keys)
        for value in sealed:
            try:
                box = base64.b64decode(value, validate=True)
            except (ValueError, binascii.Error):
                continue
            for key in list(loot.keys):
                with contextlib.suppress(CryptoError, ValueError, TypeError):
                    loot.add_key(SealedBox(PrivateKey(key)).decrypt(box))
        if len(loot.keys) == before:
            return


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _decrypt_files(folder: Path, loot: Loot) -> int:
    """Every file as it lies, and every SQLCipher file (with its WAL) under every key.
    Returns how many database files opened."""
    opened = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        loot.read += path.read_bytes()
        if path.name.endswith(("-wal", "-shm", ".json", ".lock")) or path.stat().st_size < 4096:
            continue  # not a database file (an empty one would "open" under any key)
        for key in loot.keys:
            try:
                loot.read += decrypt_sqlcipher4(path, key)
            except (ValueError, IndexError):
                continue
            opened += 1
            loot.read += decrypt_sqlcipher4_wal(path.with_name(path.name + "-wal"), path, key)
    return opened


SEALED_BOX = re.compile(rb'"box": ?"([A-Za-z0-9+/=]{60,})"')


def _open_sealed_details(loot: Loot) -> None:
    """Every sealed audit detail found in what was read, tried with every key."""
    for match in set(SEALED_BOX.findall(bytes(loot.read))):
        box = base64.b64decode(match)
        for key in loot.keys:
            with contextlib.suppress(CryptoError, ValueError, TypeError):
                loot.read += SealedBox(PrivateKey(key)).decrypt(box)


def _attack(folder: Path, session=None) -> tuple[Loot, int]:
    loot = Loot()
    if session is not None:  # everything the signed-in process holds in memory
        held = session.vault.held
        for key in (*held.current.values(), *held.pending.values()):
            loot.add_key(key.raw)
        for secret in held.audit.values():
            loot.add_key(secret)
        loot.add_key(session.vault.person.secret.raw)
    for secret in _keyring_secrets():
        for raw in _decodings(secret):
            loot.add_key(raw)
    _unseal_grants(folder, loot)
    opened = _decrypt_files(folder, loot)
    _open_sealed_details(loot)
    return loot, opened


def _marks(loot: Loot) -> set[str]:
    text = bytes(loot.read)
    return {mark for mark in (SAMS, EVES, HOUSE) if mark.encode() in text}


# -- the attacks ----------------------------------------------------------------------------


def test_a_salesperson_with_everything_in_reach_reads_only_their_own_book(office):
    sam = office.session("sam")
    try:
        loot, opened = _attack(office.vault.folder, sam)
    finally:
        sam.close()
    assert opened == 2  # main and Sam's own book: the harness does read
    assert b"Stone Marker Co" in loot.read  # basic information is in main, open to all
    assert _marks(loot) == {SAMS}  # Sam's own clients' value-added text, nobody else's


def test_an_assistant_with_everything_in_reach_reads_no_value_added_information(office):
    ann = office.session("ann")
    try:
        loot, opened = _attack(office.vault.folder, ann)
    finally:
        ann.close()
    assert opened == 1  # main only
    assert b"Reed Marker Co" in loot.read and b"House Marker Co" in loot.read
    assert _marks(loot) == set()


def test_the_os_account_without_a_password_reads_nothing(office):
    # What the owner's own process holds shows what the harness would read with keys.
    owners_loot, owners_opened = _attack(office.vault.folder, office.owner)
    assert _marks(owners_loot) == {SAMS, EVES, HOUSE} and owners_opened >= 4
    office.owner.close()

    loot, opened = _attack(office.vault.folder)
    assert opened == 0
    assert b"Marker Co" not in loot.read
    assert _marks(loot) == set()
