"""Coverage benchmark: a page of 100 clients and the whole book, at 100,000 clients.

    .venv/bin/python -m benchmarks.coverage                  # 100,000 demo clients
    .venv/bin/python -m benchmarks.coverage --clients 20000

Builds a vault of demo clients (about 2 minutes at 100,000), then times what the app
asks: the coverage of one page of the client list (100 clients, one query), the first
page sorted by coverage and filtered to "no pricing on file", and the coverage of the
whole book (shares, by salesperson, month by month, the audit trail's dates), each on a
warm vault. Prints the median of several runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import TODAY, BenchKeyStore, bench_session
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.coverage import CoverageService
from crmdesk.services.demo import create_demo_clients
from crmdesk.vault import Owner, Vault


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crmdesk-coverage-bench-"))
    try:
        vault, _ = Vault.create(
            work / "vault", Owner("Bench Mark", "bench"), keystore=BenchKeyStore()
        )
        session = bench_session(vault)
        started = time.perf_counter()
        create_demo_clients(session, args.clients, today=TODAY)
        print(f"{args.clients:,} demo clients built in {time.perf_counter() - started:.0f} s")
        clients = ClientService(session, today=lambda: TODAY)
        book = CoverageService(session, today=lambda: TODAY)
        page = [r.id for r in clients.list(ClientQuery(limit=100))]
        figures = {
            "coverage of a page of 100 clients (ms)": median_ms(lambda: clients.coverage(page), 20),
            "list page of 100 with its coverage (ms)": median_ms(
                lambda: clients.list(ClientQuery(limit=100)), 20
            ),
            "first page sorted by coverage (ms)": median_ms(
                lambda: clients.list(ClientQuery(sort=SortKey.COVERAGE, limit=100)), 5
            ),
            "count of 'no pricing on file' (ms)": median_ms(
                lambda: clients.count(ClientQuery(missing=("pricing",))), 5
            ),
            "coverage of the whole book (ms)": median_ms(book.book, 3),
        }
        for label, value in figures.items():
            print(f"{label:<45} {value:>9.1f}")
        vault.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
