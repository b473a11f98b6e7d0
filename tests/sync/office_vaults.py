"""An office vault and its salespeople's laptop vaults, syncing through a plain folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmdesk.services import people
from crmdesk.services.clients import ClientService
from crmdesk.services.replication import exchange, joining
from crmdesk.services.session import Session, create_vault
from crmdesk.vault import Owner
from tests.services.office import OWNER_PASSWORD, Office, make_office, secret_client
from tests.support import MemoryKeyStore


@dataclass
class Laptop:
    session: Session
    folder: Path

    @property
    def vault(self):
        return self.session.vault

    def clients(self) -> ClientService:
        return ClientService(self.session)

    def sync(self) -> exchange.SyncReport:
        return exchange.sync_now(self.session)


def client_id(vault, name: str) -> int | None:
    row = vault.connection.execute("SELECT id FROM clients WHERE name = ?", (name,)).fetchone()
    return None if row is None else int(row[0])


def office_with_folder(vault, shared: Path) -> Office:
    """The role tests' office (an owner, a manager, Sam the salesperson, an assistant,
    Sam's client and the owner's) plus Kim, a second salesperson with a client, made an
    office syncing through ``shared``."""
    office = make_office(vault)
    people.UserService(office.owner).add(
        "kim", "Kim Park", "salesperson", "initial password 1", owner_password=OWNER_PASSWORD
    )
    ClientService(office.owner).add(secret_client("Kim Park", "Park Logistics"))
    joining.create_office(office.owner, shared)
    return office


def join_laptop(office: Office, login: str, full_name: str, where: Path, shared: Path) -> Laptop:
    """``login``'s laptop: a new vault of their own joined to the office with its
    invitation; the owner's next sync answers it."""
    invitation = joining.invite(office.owner, login)
    session, _ = create_vault(where, Owner(full_name, login, ""), keystore=MemoryKeyStore())
    joining.become_member(session, joining.read_invitation(invitation), shared)
    return Laptop(session, where)


def sync_all(office_session: Session, *laptops: Laptop, rounds: int = 2) -> None:
    """Everyone syncs, ``rounds`` times over (two rounds carry any edit everywhere)."""
    for _ in range(rounds):
        for laptop in laptops:
            laptop.sync()
        exchange.sync_now(office_session)
