"""A vault whose audit trail holds years of a small office's work, made fast.

:func:`make_trail` makes a vault of five people (an owner, a manager, two salespeople and
an assistant) and writes ``entries`` audit entries spread evenly over the last three
years: views of value-added information, searches, sign-ins and edits, each hashed into
the chain and signed with the key of the person it names, exactly as crmdesk writes them
(:func:`crmdesk.audit.chain.record`), but in bulk: one ``INSERT`` per batch instead of a
transaction per entry. Signing is most of the cost (about 25-30 s a million entries).

    .venv/bin/python -m benchmarks.audit_trail /tmp/trail 1000000
    .venv/bin/python -m benchmarks.audit_trail /tmp/trail 1000000 --measure

``--measure`` then times what reads the trail: ``audit verify`` (the first walk, which
checks every signature and records a checkpoint; the next, incremental; ``--full``), the
Activity page's first screen with several filters, one person's views over 30 days,
alerts over a year, and an Access report's events over a year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdesk.audit.chain import _entry_hash, canonical_details, genesis_hash
from crmdesk.services import opening, people, signin
from crmdesk.services.policy import PolicyService
from crmdesk.services.user_session import Session
from crmdesk.vault import Owner, Vault
from crmdesk.vault.keys.passphrase import KdfParams

# Passwords cost nothing here: the benchmark measures the trail, not Argon2id.
CHEAP = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
OWNER = "boss"
PASSPHRASE = "trail bench passphrase 1"
PASSWORD = "trail bench password 2"
INITIAL = "trail bench password 1"
COLLEAGUES = (
    ("maria", "Maria Manager", "manager"),
    ("sam", "Sam Seller", "salesperson"),
    ("kim", "Kim Seller", "salesperson"),
    ("alex", "Alex Assistant", "assistant"),
)
YEARS = 3
_BATCH = 20_000
_SECTIONS = (["purchases", "pricing"], ["preferences"], ["notes", "purchases"], ["pricing"])
_WORDS = ("harbour", "bakery", "smith", "north", "garden", "steel", "kyoto", "market")


@dataclass(frozen=True, slots=True)
class TrailVault:
    """A vault made by :func:`make_trail`: where it is and how its people sign in."""

    folder: Path
    entries: int  # in the trail (the bulk entries and those signing in wrote)
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
    """Make a new vault in ``vault_folder`` whose trail holds ``entries`` more entries,
    spread over the three years before ``now``, each signed by the person it names."""
    people.PASSWORD_KDF = CHEAP
    folder = Path(vault_folder)
    end = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC) - dt.timedelta(minutes=1)
    vault, _ = Vault.create(folder, Owner("Bo Boss", OWNER), passphrase_text=PASSPHRASE, kdf=CHEAP)
    owner = opening.owner_session(vault)
    sessions = [owner]
    try:
        from crmdesk.services.people import UserService

        users = UserService(owner)
        for login, name, role in COLLEAGUES:
            users.add(login, name, role, INITIAL)
        for login, _, _ in COLLEAGUES:
            session = signin.sign_in(folder, login, INITIAL)
            signin.change_password(session, INITIAL, PASSWORD)
            PolicyService(session).accept()
            sessions.append(session)
        signers = {s.actor: s.vault.person for s in sessions}
        _bulk(owner, signers, entries, seed=seed, end=end, progress=progress)
        with owner.vault.reading() as conn:
            length = int(conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0])
    finally:
        for session in reversed(sessions):
            session.close()
    passwords = {OWNER: PASSPHRASE} | {login: PASSWORD for login, _, _ in COLLEAGUES}
    logins = (OWNER, *(login for login, _, _ in COLLEAGUES))
    return TrailVault(folder, length, OWNER, passwords, logins)


def _bulk(
    owner: Session,
    signers: dict[str, Any],
    entries: int,
    *,
    seed: int,
    end: dt.datetime,
    progress: Callable[[int], None] | None,
) -> None:
    vault = owner.vault
    vault_id = vault.meta.vault_id
    rng = random.Random(seed)
    logins = list(signers)
    with vault.reading() as conn:
        row = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC").fetchone()
    seq, prev = (int(row[0]), str(row[1])) if row else (0, genesis_hash(vault_id))
    start = end - dt.timedelta(days=365 * YEARS)
    # The few entries that setting the vault up wrote stay first, dated today: the bulk
    # follows them in the chain, dated over the three years before.
    step = (end - start) / max(entries, 1)
    written = 0
    sql = (
        "INSERT INTO audit_events (seq, ts, actor, action, object, details, prev_hash, hash,"
        " signer, key_serial, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    while written < entries:
        batch = []
        for n in range(written, min(entries, written + _BATCH)):
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
            conn.executemany(sql, batch)
        written += len(batch)
        if progress is not None:
            progress(written)
    # One entry written the ordinary way: vault.json's head moves to the end of the bulk.
    with vault.transaction():
        vault.record_event(OWNER, "audit.bench_filled", details={"entries": entries})


def _event(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    roll = rng.random()
    client = f"client:{rng.randrange(1, 5001)}"
    if roll < 0.70:
        return "client.viewed", client, {"value_added": True, "sections": rng.choice(_SECTIONS)}
    if roll < 0.85:
        words = " ".join(rng.sample(_WORDS, rng.randrange(1, 3)))
        return "clients.searched", "clients", {"text": words, "first_page": rng.randrange(60)}
    if roll < 0.90:
        return "signin.ok", "", {}
    return "client.updated", client, {"fields": ["phones"], "version": rng.randrange(2, 40)}


# -- measuring ---------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(trail: TrailVault, runs: int = 3) -> Iterator[tuple[str, float, float]]:
    """(what, median wall seconds, median CPU seconds) of each measure."""
    from crmdesk.services.activity import ActivityFilter, ActivityService
    from crmdesk.services.evidence import Evidence

    session = trail.sign_in()
    try:

        def median(what: str, fn: Callable[[], Any], n: int = runs) -> tuple[str, float, float]:
            times = [_timed(fn) for _ in range(n)]
            return (
                what,
                statistics.median(t[0] for t in times),
                statistics.median(t[1] for t in times),
            )

        yield median("audit verify (first walk, every signature)", lambda: _verify(session), 1)
        yield median("audit verify (from the newest checkpoint)", lambda: _verify(session))
        yield median("audit verify --full", lambda: _verify(session, full=True), 1)
        activity = ActivityService(session)
        now = dt.datetime.now(dt.UTC)
        month = ActivityFilter(since=now - dt.timedelta(days=30), until=now)
        sam = ActivityFilter(login="sam", since=now - dt.timedelta(days=30), until=now)
        views = ActivityFilter(
            login="sam", action="client.viewed", since=now - dt.timedelta(days=30), until=now
        )
        year = ActivityFilter(since=now - dt.timedelta(days=365), until=now)
        for label, query in (
            ("Activity first screen, 30 days", month),
            ("Activity first screen, no filter", ActivityFilter()),
            ("Activity first screen, one person 30 days", sam),
            ("Activity first screen, one person's views 30 days", views),
            ("Activity first screen, action 'report'", ActivityFilter(action="report")),
        ):
            yield median(label, lambda q=query: _first_screen(activity, q))
        yield median("one person's views over 30 days (all)", lambda: activity.log(views))
        yield median("alerts over a year", lambda: activity.alerts(year), 1)
        yield median(
            "Access report events, one person, 365 days",
            lambda: sum(1 for _ in Evidence(session).access_events("sam", 365)),
            1,
        )
    finally:
        session.close()


def _verify(session: Session, *, full: bool = False) -> Any:
    from crmdesk.services import session as sessions

    return sessions.verify_audit(session, full=full)


def _first_screen(activity: Any, query: Any) -> Any:
    return activity.page(query, limit=500), activity.count(query)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("entries", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--measure", action="store_true")
    args = parser.parse_args(argv)
    if not (args.folder / "vault.json").exists():
        started = time.perf_counter()
        trail = make_trail(
            args.folder,
            args.entries,
            progress=lambda n: print(f"  {n:,} entries", end="\r", flush=True),
        )
        print(f"\n{trail.entries:,} entries in {time.perf_counter() - started:.1f} s")
    else:
        people.PASSWORD_KDF = CHEAP
        passwords = {OWNER: PASSPHRASE} | {login: PASSWORD for login, _, _ in COLLEAGUES}
        logins = (OWNER, *(login for login, _, _ in COLLEAGUES))
        trail = TrailVault(args.folder, args.entries, OWNER, passwords, logins)
    if args.measure:
        print(f"| {'measure':<52} | {'wall (s)':>9} | {'CPU (s)':>8} |")
        print(f"|{'-' * 54}|{'-' * 11}|{'-' * 10}|")
        for what, wall, cpu in measure(trail):
            print(f"| {what:<52} | {wall:>9.3f} | {cpu:>8.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
