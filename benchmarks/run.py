"""crmdesk benchmark: a vault of demo clients, encrypted against plain SQLite.

    make bench                      # 100,000 clients (about 2 minutes to build)
    make bench ARGS="--clients 20000"

It builds a vault with ``demo``, makes an unencrypted copy of the same database
(``sqlcipher_export``), and runs the same service calls on both: opening, the first
page of the client list by name, search-as-you-type over real name prefixes, loading
one client in full with its patterns, creating and updating a client. It prints each
figure for both and the encrypted/plain ratio, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from crmdesk import audit
from crmdesk.domain.roles import Principal, Role
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.session import Session
from crmdesk.vault import Owner, Vault, VaultKey
from crmdesk.vault.books import RedoSeal, book_path
from crmdesk.vault.connection import _SESSION_PRAGMAS
from crmdesk.vault.keys.slots import book_key_id
from crmdesk.vault.paths import DATABASE_NAME

TODAY = dt.date(2026, 11, 29)


class BenchKeyStore:
    """Keys in memory: the benchmark measures the database, not the OS keyring."""

    def __init__(self) -> None:
        self.keys: dict[str, VaultKey] = {}

    def describe(self) -> str:
        return "benchmark key store"

    def get(self, vault_id: str) -> VaultKey | None:
        key = self.keys.get(vault_id)
        return VaultKey(key.raw) if key else None

    def put(self, vault_id: str, key: VaultKey) -> None:
        self.keys[vault_id] = VaultKey(key.raw)

    def delete(self, vault_id: str) -> None:
        self.keys.pop(vault_id, None)


def bench_session(vault: Any) -> Session:
    """The owner's session on a benchmark vault (no sign-in, no policy to accept)."""
    return Session(vault, Principal("bench", "Bench Mark", Role.OWNER))


def plain_export(path: Path, key: VaultKey, plain: Path) -> None:
    """An unencrypted copy of one SQLCipher file (``sqlcipher_export``)."""
    plain.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()


class PlainVault:
    """The same database and books without encryption, with the calls the services make.

    The books are attached under the schema names the real vault gave them; their redo
    rows are sealed as the real vault seals them.
    """

    def __init__(
        self, path: Path, vault_id: str, books: dict[str, tuple[str, Path, VaultKey]]
    ) -> None:
        self.connection = sqlcipher3.connect(str(path), isolation_level=None)
        for pragma in _SESSION_PRAGMAS:
            self.connection.execute(pragma).fetchall()
        self.connection.execute("PRAGMA user_version").fetchone()
        for schema, book, _ in books.values():
            self.connection.execute(f"ATTACH DATABASE ? AS {schema}", (str(book),))
        self._books = books
        self.vault_id = vault_id
        self.transactions = 0

    def held_books(self) -> dict[str, str]:
        return {book_id: schema for book_id, (schema, _, _) in self._books.items()}

    def book_schema(self, book_id: str) -> str | None:
        found = self._books.get(book_id)
        return found[0] if found else None

    def redo_seal(self, book_id: str) -> RedoSeal | None:
        found = self._books.get(book_id)
        return RedoSeal(found[2], self.vault_id, book_id) if found else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        self.connection.execute("BEGIN IMMEDIATE")
        self.transactions += 1
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        yield self.connection

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        yield  # the plain copy is only read and lightly written: nothing to do

    def record_event(self, actor: str, action: str, **kw: Any) -> Any:
        return audit.record(self.connection, self.vault_id, actor=actor, action=action, **kw)

    def close(self) -> None:
        self.connection.close()


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(service: ClientService, prefixes: list[str], ids: list[int]) -> dict[str, float]:
    out: dict[str, float] = {}
    out["first list page, by name (ms)"] = timed(lambda: service.list(ClientQuery(limit=50)))
    warm = [timed(lambda: service.list(ClientQuery(limit=50))) for _ in range(20)]
    out["list page, warm, median (ms)"] = statistics.median(warm)
    searches = [timed(lambda p=p: service.search(p, ClientQuery(limit=50))) for p in prefixes]
    out["search-as-you-type p50 (ms)"] = pct(searches, 50)
    out["search-as-you-type p95 (ms)"] = pct(searches, 95)
    loads = [timed(lambda i=i: service.get_json(i)) for i in ids]
    out["full client load p50 (ms)"] = pct(loads, 50)
    out["full client load p95 (ms)"] = pct(loads, 95)
    creates = [
        timed(lambda n=n: service.add({"name": f"Benchmark Client {n}", "email": "b@x.example"}))
        for n in range(30)
    ]
    out["create a client, median (ms)"] = statistics.median(creates)
    updates = [
        timed(lambda i=i, n=n: service.update(i, {"notes": f"benchmark note {n}"}))
        for n, i in enumerate(ids[:30])
    ]
    out["update a client, median (ms)"] = statistics.median(updates)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="build the vault here and keep it")
    args = parser.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crmdesk-bench-"))
    folder = work / "vault"
    store = BenchKeyStore()
    print(f"crmdesk benchmark: {args.clients:,} demo clients, vault in {folder}")
    try:
        vault, _ = Vault.create(folder, Owner("Bench Mark", "bench"), keystore=store)
        session = bench_session(vault)
        started = time.perf_counter()
        create_demo_clients(session, args.clients, today=TODAY)
        build_s = time.perf_counter() - started
        counts = vault.status().table_counts
        # The keys of each file, for the unencrypted copy below.
        vault_id = vault.meta.vault_id
        key = VaultKey(vault.held.main.raw)
        books = {
            book_id: (schema, VaultKey(vault.held.current[book_key_id(book_id)].raw))
            for book_id, schema in vault.held_books().items()
        }
        vault.close()
        db_bytes = (folder / DATABASE_NAME).stat().st_size
        print(
            f"demo --clients {args.clients}: {build_s:.1f} s; {counts['contacts']:,} contacts, "
            f"{counts['purchase_items']:,} purchase lines, {counts['interactions']:,} "
            f"interactions; database {db_bytes / 2**20:.0f} MiB"
        )

        # An unencrypted copy of the very same database and books.
        plain_path = work / "plain.db"
        plain_export(folder / DATABASE_NAME, key, plain_path)
        plain_books = {}
        for book_id, (schema, book_key) in books.items():
            plain_book = work / f"plain-{book_id}.db"
            plain_export(book_path(folder, book_id), book_key, plain_book)
            plain_books[book_id] = (schema, plain_book, book_key)

        opens_enc = []
        for _ in range(7):
            opens_enc.append(timed(lambda: Vault.open(folder, keystore=store).close()))
        opens_plain = [
            timed(lambda: PlainVault(plain_path, vault_id, plain_books).close()) for _ in range(7)
        ]

        rng = random.Random(7)
        enc_vault = Vault.open(folder, keystore=store)
        names = [
            r[0]
            for r in enc_vault.connection.execute(
                "SELECT name FROM clients WHERE id IN (SELECT id FROM clients ORDER BY random()"
                " LIMIT 150)"
            )
        ]
        words = [w for n in names for w in n.split() if len(w) >= 3 and w.isalpha()]
        prefixes = [w[:k] for w in rng.sample(words, min(100, len(words))) for k in (2, 3, 4, 5)]
        ids = rng.sample(range(1, args.clients + 1), min(200, args.clients))

        results_enc = measure(
            ClientService(bench_session(enc_vault), today=lambda: TODAY), prefixes, ids
        )  # noqa: E501
        enc_vault.close()
        plain = PlainVault(plain_path, vault_id, plain_books)
        plain_session = bench_session(plain)
        results_plain = measure(ClientService(plain_session, today=lambda: TODAY), prefixes, ids)
        plain.close()

        rows = [
            (
                "open the vault, median (ms)",
                statistics.median(opens_enc),
                statistics.median(opens_plain),
            )
        ]
        rows += [(k, results_enc[k], results_plain[k]) for k in results_enc]
        print(f"\n{len(prefixes)} search prefixes, {len(ids)} client loads\n")
        print(f"| {'measure':<34} | {'encrypted':>10} | {'plain':>10} | {'ratio':>6} |")
        print(f"|{'-' * 36}|{'-' * 12}|{'-' * 12}|{'-' * 8}|")
        for label, enc, pln in rows:
            ratio = enc / pln if pln else float("nan")
            print(f"| {label:<34} | {enc:>10.2f} | {pln:>10.2f} | {ratio:>5.2f}x |")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak memory (max RSS): {peak:.0f} MiB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
