"""An office of four in one vault, each with their own keys, for the audit's attack tests:
Zoë the owner, Mia a manager, Sam a salesperson, Ann an assistant."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crmdesk import audit
from crmdesk.services import people, signin
from crmdesk.services.clients import ClientService
from crmdesk.services.policy import PolicyService
from crmdesk.services.session import Session, owner_session
from crmdesk.vault import Vault
from crmdesk.vault.connection import open_database
from crmdesk.vault.metadata import update_metadata
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.support import FAST_KDF

OWNER_PASSWORD = "owner password 1"
PASSWORDS = {
    "mia": "manager password 1",
    "sam": "seller password 1",
    "ann": "assistant password 1",
}
STAFF = (("mia", "Mia Ortega", "manager"), ("sam", "Sam Reed", "salesperson"),
         ("ann", "Ann Lee", "assistant"))  # fmt: skip
COLUMNS = "seq, ts, actor, action, object, details, prev_hash, hash, signer, key_serial, sig"


@dataclass
class Office:
    folder: Path
    owner: Session
    client: int  # Sam's client, with value-added notes
    sessions: dict[str, Session] = field(default_factory=dict)

    def session(self, login: str) -> Session:
        """``login`` signed in (their own password chosen, the policy accepted)."""
        if login == "zoe":
            return self.owner
        if login not in self.sessions:
            s = signin.sign_in(self.folder, login, PASSWORDS[login])
            self.sessions[login] = s
        return self.sessions[login]

    def close(self) -> None:
        for s in self.sessions.values():
            s.vault.close()


@pytest.fixture
def office(vault: Vault, vault_dir: Path, monkeypatch):
    monkeypatch.setattr(people, "PASSWORD_KDF", FAST_KDF)
    monkeypatch.setattr(signin, "PASSWORD_KDF", FAST_KDF)
    owner = owner_session(vault)
    signin.set_password(owner, OWNER_PASSWORD)
    users = people.UserService(owner)
    for login, name, role in STAFF:
        users.add(login, name, role, "initial password 1", owner_password=OWNER_PASSWORD)
    for login, _, _ in STAFF:
        first = signin.sign_in(vault_dir, login, "initial password 1")
        signin.change_password(first, "initial password 1", PASSWORDS[login])
        PolicyService(first).accept()
        first.vault.close()
    client = ClientService(owner).add(
        {"name": "Reed Supplies", "salesperson": "Sam Reed", "notes": "Decides in January."}
    )
    found = Office(vault_dir, owner, client)
    yield found
    found.close()


# -- the attacker's tools: the database key and the files, nothing else -------------------


def attacker_connection(folder: Path, session: Session):
    """A connection opened with the main key this person's process holds: no Vault, no
    rules, no triggers."""
    conn = open_database(folder / DATABASE_NAME, session.vault.held.main)
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    return conn


def entries(conn) -> list[list]:
    return [list(r) for r in conn.execute(f"SELECT {COLUMNS} FROM audit_events ORDER BY seq")]


def rewrite(conn, vault_id: str, rows: list[list], folder: Path) -> tuple[int, str]:
    """Put ``rows`` back as the whole trail, renumbered, every link and hash recomputed
    (signatures kept as they are), and vault.json's head set to match."""
    prev = audit.genesis_hash(vault_id)
    conn.execute("DELETE FROM audit_events")
    for seq, row in enumerate(rows, start=1):
        row[0], row[6] = seq, prev
        row[7] = audit.chain._entry_hash(seq, *row[1:6], prev)
        conn.execute(f"INSERT INTO audit_events ({COLUMNS}) VALUES ({', '.join('?' * 11)})", row)
        prev = row[7]
    conn.commit()
    set_head(folder, len(rows), prev)
    return len(rows), prev


def set_head(folder: Path, seq: int, digest: str) -> None:
    def change(meta):
        meta.audit_head = {"seq": seq, "hash": digest}

    update_metadata(folder / METADATA_NAME, folder, change)


def remove_head(folder: Path) -> None:
    path = folder / METADATA_NAME
    data = json.loads(path.read_text())
    del data["audit_head"]
    path.write_text(json.dumps(data))
