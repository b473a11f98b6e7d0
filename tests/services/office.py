"""A small office in one vault, for the role tests: an owner and one user of each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crmdesk.services import people, signin
from crmdesk.services.clients import ClientService
from crmdesk.services.policy import PolicyService
from crmdesk.services.session import Session, owner_session
from tests.support import FAST_KDF

OWNER_PASSWORD = "owner password 1"
PASSWORDS = {
    "zoe": OWNER_PASSWORD,
    "mia": "manager password 1",
    "sam": "seller password 1",
    "ann": "assistant password 1",
}
STAFF = [
    ("mia", "Mia Ortega", "manager"),
    ("sam", "Sam Reed", "salesperson"),
    ("ann", "Ann Lee", "assistant"),
]


@pytest.fixture
def fast_passwords(monkeypatch):
    """Argon2id at its cheapest: the tests sign in hundreds of times."""
    monkeypatch.setattr(people, "PASSWORD_KDF", FAST_KDF)


def secret_client(salesperson: str, name: str) -> dict:
    return {
        "name": name,
        "salesperson": salesperson,
        "email": f"info@{name.split()[0].lower()}.example",
        "phone": "+1 202 555 0100",
        "notes": "Decides every January; golfing buddy of the CFO.",
        "contacts": [
            {
                "name": "Pat Doe",
                "email": "pat@example.com",
                "birthday": "1970-12-03",
                "personal": {"hobbies": "golf", "family": "two sons"},
            }
        ],
        "purchases": [
            {"date": "2026-10-01", "items": [{"product": "Widget", "quantity": "3",
                                              "unit_price": "19.99"}]}
        ],
        "pricing": [{"product": "Widget", "price": "17.50"}],
        "preferences": [{"topic": "Delivery", "detail": "mornings"}],
        "seasonal_needs": [{"months": [12], "need": "holiday stock"}],
        "interactions": [
            {"date": "2026-11-01", "kind": "call", "contact": "Pat Doe",
             "summary": "wants a rebate", "outcome": "quote sent"}
        ],
        "tasks": [{"due": "2026-11-20", "title": "Call Pat", "done": False}],
    }  # fmt: skip


@dataclass
class Office:
    vault: object
    owner: Session
    sams_client: int  # assigned to Sam Reed
    zoes_client: int  # assigned to the owner

    def session(self, login: str) -> Session:
        """``login`` signed in, first password changed and policy accepted."""
        if login == "zoe":
            return self.owner
        s = signin.sign_in(self.vault.folder, login, "initial password 1")
        signin.change_password(s, "initial password 1", PASSWORDS[login])
        PolicyService(s).accept()
        return s


def make_office(vault) -> Office:
    owner = owner_session(vault)
    signin.set_password(owner, OWNER_PASSWORD)
    users = people.UserService(owner)
    for login, name, role in STAFF:
        # The first colleague ends the keyring's part: it needs the owner's password.
        users.add(login, name, role, "initial password 1", owner_password=OWNER_PASSWORD)
    clients = ClientService(owner)
    sams = clients.add(secret_client("Sam Reed", "Reed Supplies"))
    zoes = clients.add(secret_client("zoe", "Harbour Foods"))
    return Office(vault, owner, sams, zoes)


def actions(vault, after: int = 0) -> list[str]:
    return [
        r[0]
        for r in vault.connection.execute(
            "SELECT action FROM audit_events WHERE seq > ? ORDER BY seq", (after,)
        )
    ]


def last_seq(vault) -> int:
    return vault.connection.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0]
