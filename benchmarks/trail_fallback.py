"""A stand-in for the trail generator of issue 19 (``benchmarks/audit_trail.py``,
``make_trail``), with the same interface, so that the audit section runs before that
module is merged. Delete this file when it is: :mod:`benchmarks.trail` imports the real
one first.

A vault of five people (owner, manager, two salespeople, an assistant) and ``entries``
audit entries over the three years before ``now``: 70 % views of value-added
information, 15 % searches, 5 % sign-ins, 10 % edits, each hashed into the chain and
signed with the key of the person it names, as :func:`crmdesk.audit.chain.record`
writes them, but many to a transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdesk.audit.chain import _entry_hash, canonical_details, genesis_hash
from crmdesk.services import opening, people, signin
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.user_session import Session
from crmdesk.vault import Owner, Vault
from crmdesk.vault.keys.passphrase import KdfParams

# Passwords cost nothing here: the benchmark measures the trail, not Argon2id.
CHEAP = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
OWNER = "boss"
PASSPHRASE = "trail bench passphrase 1"
INITIAL, PASSWORD = "trail bench password 1", "trail bench password 2"
COLLEAGUES = (
    ("maria", "Maria Manager", "manager"),
    ("sam", "Sam Seller", "salesperson"),
    ("kim", "Kim Seller", "salesperson"),
    ("alex", "Alex Assistant", "assistant"),
)
_BATCH = 20_000
_SQL = (
    "INSERT INTO audit_events (seq, ts, actor, action, object, details, prev_hash, hash,"
    " signer, key_serial, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class TrailVault:
    folder: Path
    entries: int  # the trail's length
    owner: str
    passwords: dict[str, str]  # login -> password (the owner's: the passphrase)
    logins: tuple[str, ...]

    def sign_in(self, login: str | None = None) -> Session:
        login = login or self.owner
        return signin.sign_in(self.folder, login, self.passwords[login])


def make_trail(
    vault_folder: Path,
    entries: int,
    *,
    seed: int = 1,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> TrailVault:
    people.PASSWORD_KDF = CHEAP
    end = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC) - dt.timedelta(minutes=1)
    vault, _ = Vault.create(
        vault_folder, Owner("Bo Boss", OWNER), passphrase_text=PASSPHRASE, kdf=CHEAP
    )
    owner = opening.owner_session(vault)
    sessions = [owner]
    try:
        for login, name, role in COLLEAGUES:
            UserService(owner).add(login, name, role, INITIAL)
        for login, _, _ in COLLEAGUES:
            session = signin.sign_in(vault_folder, login, INITIAL)
            signin.change_password(session, INITIAL, PASSWORD)
            PolicyService(session).accept()
            sessions.append(session)
        signers = {s.actor: s.vault.person for s in sessions}
        _fill(owner.vault, signers, entries, random.Random(seed), end, progress)
        with owner.vault.reading() as conn:
            length = int(conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0])
    finally:
        for session in reversed(sessions):
            session.close()
    passwords = {OWNER: PASSPHRASE} | {login: PASSWORD for login, _, _ in COLLEAGUES}
    return TrailVault(Path(vault_folder), length, OWNER, passwords, tuple(passwords))


def _fill(
    vault: Vault,
    signers: dict[str, Any],
    entries: int,
    rng: random.Random,
    end: dt.datetime,
    progress: Callable[[int], None] | None,
) -> None:
    with vault.reading() as conn:
        row = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC").fetchone()
    seq, prev = (int(row[0]), str(row[1])) if row else (0, genesis_hash(vault.meta.vault_id))
    start = end - dt.timedelta(days=3 * 365)
    step = (end - start) / max(entries, 1)
    logins = list(signers)
    for first in range(0, entries, _BATCH):
        batch = []
        for n in range(first, min(entries, first + _BATCH)):
            seq += 1
            ts = (start + step * n).isoformat(timespec="microseconds")
            actor = logins[rng.randrange(len(logins))]
            action, obj, details = _event(rng)
            text = canonical_details(details)
            digest = _entry_hash(seq, ts, actor, action, obj, text, prev)
            person = signers[actor]
            sig = person.sign(bytes.fromhex(digest))
            batch.append(
                (seq, ts, actor, action, obj, text, prev, digest, actor, person.serial, sig)
            )
            prev = digest
        with vault.transaction() as conn:
            conn.executemany(_SQL, batch)
        if progress is not None:
            progress(first + len(batch))
    # One entry the ordinary way: vault.json's audit head moves to the end of the trail.
    with vault.transaction():
        vault.record_event(OWNER, "audit.bench_filled", details={"entries": entries})


def _event(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    roll = rng.random()
    client = f"client:{rng.randrange(1, 5001)}"
    if roll < 0.70:
        sections = rng.choice((["purchases", "pricing"], ["preferences"], ["notes"]))
        return "client.viewed", client, {"value_added": True, "sections": sections}
    if roll < 0.85:
        return "clients.searched", "clients", {"text": rng.choice(("smith", "north", "bakery"))}
    if roll < 0.90:
        return "signin.ok", "", {}
    return "client.updated", client, {"fields": ["phones"]}
