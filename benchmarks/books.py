"""Books benchmark: 100,000 demo clients spread over ten books, as the owner and as a
salesperson see them.

    .venv/bin/python -m benchmarks.books                    # 100,000 clients
    .venv/bin/python -m benchmarks.books --clients 20000 --no-redo

Ten books is the most one connection attaches (sqlcipher3 is built with
SQLITE_MAX_ATTACHED = 10): the house book and nine salespeople's. The clients are
assigned in turn to the nine salespeople and to the owner (whose clients are in the
house book). The owner holds all ten books: a search runs over the main index and ten
book indexes, a list sorted or filtered by a value-added figure over ten books. A
salesperson holds one. Issue 13's targets: search p95 <= 50 ms and a client in full
<= 30 ms.

``--no-redo`` builds the vault without the redo rows in main (value-added rows go into
the books alone): the difference is what crash safety costs bulk inserts.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import TODAY, pct, timed
from crmdesk.demo import generate_clients
from crmdesk.errors import CrmdeskError, SignInFailed
from crmdesk.services import opening, people, signin
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.client_store import redo, value_added
from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.vault import Owner, Vault
from crmdesk.vault.keys.passphrase import KdfParams

# Passwords cost nothing here: the benchmark measures the books, not Argon2id.
CHEAP = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
PASSPHRASE = "bench passphrase for books 1"
SELLERS = 9


@contextlib.contextmanager
def _without_redo() -> Iterator[None]:
    """Value-added rows into the books alone, no sealed copy in main (for comparison)."""
    real = redo.write_into_book

    def books_only(vault: Any, book_id: str, entries: Any) -> None:
        schema = vault.book_schema(book_id)
        value_added.write(vault.connection, schema, [(c, 0, va) for c, va in entries])

    redo.write_into_book = books_only  # type: ignore[assignment]
    try:
        yield
    finally:
        redo.write_into_book = real  # type: ignore[assignment]


def build(folder: Path, count: int, *, with_redo: bool) -> float:
    """The vault: owner (passphrase), nine salespeople, ``count`` demo clients."""
    people.PASSWORD_KDF = CHEAP
    vault, _ = Vault.create(
        folder, Owner("Bench Mark", "bench"), passphrase_text=PASSPHRASE, kdf=CHEAP
    )
    try:
        owner = opening.owner_session(vault)
        users = UserService(owner)
        for n in range(SELLERS):
            users.add(f"seller{n}", f"Seller {n}", "salesperson", "bench password 1")
        names = ("bench", *(f"Seller {n}" for n in range(SELLERS)))
        clients = generate_clients(count, seed=1, today=TODAY, salespeople=names)
        service = ClientService(owner, today=lambda: TODAY)
        started = time.perf_counter()
        with contextlib.nullcontext() if with_redo else _without_redo():
            service.add_many(clients, source="benchmark")
        return time.perf_counter() - started
    finally:
        vault.close()


def sign_in(folder: Path, login: str, password: str) -> Any:
    session = signin.sign_in(folder, login, password)
    opening.settle(session)
    return session


class _Shown(dict[str, float]):
    """Figures, each printed as it comes (a run at 100,000 clients takes minutes)."""

    def __setitem__(self, key: str, value: float) -> None:
        print(f"  {key}: {value:.2f} ms", flush=True)
        super().__setitem__(key, value)


def measure(
    service: ClientService, prefixes: list[str], ids: list[int], *, owner: bool
) -> dict[str, float]:
    out: dict[str, float] = _Shown()
    out["first list page, by name"] = timed(lambda: service.list(ClientQuery(limit=50)))
    searches = [timed(lambda p=p: service.search(p, ClientQuery(limit=50))) for p in prefixes]
    out["search-as-you-type p50"] = pct(searches, 50)
    out["search-as-you-type p95"] = pct(searches, 95)
    two = [timed(lambda p=p: service.search(p, ClientQuery(limit=50))) for p in pairs(prefixes)]
    out["two-word search p95"] = pct(two, 95)
    loads = [timed(lambda i=i: service.get_json(i)) for i in ids]
    out["client in full p50"] = pct(loads, 50)
    out["client in full p95"] = pct(loads, 95)
    # The same without their audit entries (a write transaction each, and vault.json's
    # head rewritten): what reading the books costs.
    quiet = [
        timed(
            lambda p=p: service.list(
                ClientQuery(text=p, sort=SortKey.RELEVANCE, limit=50), record_search=False
            )
        )
        for p in prefixes
    ]
    out["search p50, not recorded"] = pct(quiet, 50)
    out["search p95, not recorded"] = pct(quiet, 95)
    quiet = [timed(lambda i=i: service.get_json(i, record_view=False)) for i in ids]
    out["client in full p50, not recorded"] = pct(quiet, 50)
    out["client in full p95, not recorded"] = pct(quiet, 95)
    spend = ClientQuery(sort=SortKey.SPEND_12M, descending=True, limit=50)
    service.list(spend)  # works the 12-month spends out for today once
    out["page sorted by 12-month spend"] = statistics.median(
        timed(lambda: service.list(spend)) for _ in range(5)
    )
    month = ClientQuery(buys_in_month=11, limit=50)
    out["page of buyers in November"] = statistics.median(
        timed(lambda: service.list(month)) for _ in range(5)
    )
    out["birthdays in the next 7 days"] = statistics.median(
        timed(lambda: service.birthdays(within_days=7)) for _ in range(5)
    )
    out["count of a one-word search"] = statistics.median(
        timed(lambda p=p: service.count(ClientQuery(text=p))) for p in prefixes[:20]
    )
    if owner:
        creates = [
            timed(
                lambda n=n: service.add(
                    {"name": f"Benchmark Client {n}", "salesperson": f"Seller {n % SELLERS}"}
                )
            )
            for n in range(30)
        ]
        out["create a client, median"] = statistics.median(creates)
    own = ids[:30]
    updates = [
        timed(lambda i=i, n=n: service.update(i, {"notes": f"benchmark note {n}"}))
        for n, i in enumerate(own)
    ]
    out["update a client's notes, median"] = statistics.median(updates)
    if owner:
        moves = [
            timed(lambda i=i, n=n: service.update(i, {"salesperson": f"Seller {(n + 1) % 9}"}))
            for n, i in enumerate(ids[30:50])
        ]
        out["reassign a client to another book, median"] = statistics.median(moves)
    return out


def pairs(prefixes: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in zip(prefixes[::2], prefixes[1::2], strict=False)][:100]


def _prefixes(service: ClientService, rng: random.Random) -> list[str]:
    words = [
        w
        for row in service.list(ClientQuery(limit=2000))
        for w in row.name.split()
        if len(w) >= 3 and w.isalpha()
    ]
    return [w[:k] for w in rng.sample(words, min(100, len(words))) for k in (2, 3, 4, 5)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="build the vault here and keep it")
    parser.add_argument("--no-redo", action="store_true", help="build without redo rows")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crmdesk-books-"))
    folder = work / "vault"
    try:
        if not folder.exists():
            seconds = build(folder, args.clients, with_redo=not args.no_redo)
            redo_note = "without redo rows" if args.no_redo else "with a redo row per client"
            print(f"{args.clients:,} clients over 10 books, {redo_note}: {seconds:.1f} s")
        sizes = sorted((p.stat().st_size for p in (folder / "books").glob("*.db")), reverse=True)
        print(
            f"main database {(folder / 'crmdesk.db').stat().st_size / 2**20:.0f} MiB, "
            f"books {sum(sizes) / 2**20:.0f} MiB in {len(sizes)} files"
        )
        opens = [
            timed(lambda: sign_in(folder, "bench", PASSPHRASE).vault.close()) for _ in range(5)
        ]
        rng = random.Random(7)
        results: dict[str, dict[str, float]] = {}
        owner = sign_in(folder, "bench", PASSPHRASE)
        owner_service = ClientService(owner, today=lambda: TODAY)
        prefixes = _prefixes(owner_service, rng)
        with owner.vault.reading() as conn:
            total = conn.execute("SELECT max(id) FROM clients").fetchone()[0]
        ids = rng.sample(range(1, total + 1), min(200, total))
        print("owner (10 books):", flush=True)
        results["owner (10 books)"] = measure(owner_service, prefixes, ids, owner=True)
        owner.vault.close()

        try:
            seller = signin.sign_in(folder, "seller0", "bench password 1")
            signin.change_password(seller, "bench password 1", "bench password 2")
        except SignInFailed:  # a vault kept from an earlier run
            seller = signin.sign_in(folder, "seller0", "bench password 2")
        with contextlib.suppress(CrmdeskError):
            PolicyService(seller).accept()
        opening.settle(seller)
        seller_service = ClientService(seller, today=lambda: TODAY)
        with seller.vault.reading() as conn:
            own = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM clients WHERE salesperson = 'Seller 0' ORDER BY random()"
                    " LIMIT 200"
                )
            ]
        print("salesperson (1 book):", flush=True)
        results["salesperson (1 book)"] = measure(seller_service, prefixes, own, owner=False)
        seller.vault.close()

        print(f"\nopen (sign in, settle), median: {statistics.median(opens):.1f} ms")
        print(f"{len(prefixes)} one-word prefixes, {len(pairs(prefixes))} two-word searches\n")
        heads = list(results)
        print(f"| {'measure (ms)':<42} | " + " | ".join(f"{h:>20}" for h in heads) + " |")
        print(f"|{'-' * 44}|" + "|".join("-" * 22 for _ in heads) + "|")
        for label in results[heads[0]]:
            cells = [results[h].get(label) for h in heads]
            shown = [f"{c:>20.2f}" if c is not None else f"{'':>20}" for c in cells]
            print(f"| {label:<42} | " + " | ".join(shown) + " |")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak memory (max RSS): {peak:.0f} MiB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
