"""Report benchmark: a one-client summary with 500 purchases, and a list of 10,000 clients.

    make bench     (or: .venv/bin/python -m benchmarks.reports [--smoke])

Targets (issue 5): the summary in at most 300 ms, the list in at most 10 s; the Access
report of 10,000 events in about 3 s (issue 6). These used to be loose limits inside the
tests; timings belong here. ``--smoke``: 200 clients and 200 views, to check it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import TODAY, BenchKeyStore, bench_session
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.reports import ReportService
from crmdesk.vault import Owner, Vault


def big_client() -> dict:
    start = TODAY - dt.timedelta(days=500 * 7)
    return {
        "name": "Nordic Timber Supply",
        "status": "active",
        "contacts": [{"name": "Zoë Łukasiewicz", "personal": {"hobbies": "sailing"}}],
        "purchases": [
            {
                "date": (start + dt.timedelta(days=7 * i)).isoformat(),
                "items": [
                    {
                        "product": f"Oak planks grade {i % 4}",
                        "quantity": "12",
                        "unit_price": "19.90",
                    },
                    {"product": "Pine battens", "quantity": "40", "unit_price": "2.35"},
                ],
            }
            for i in range(500)
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="200 clients, 200 views")
    args = parser.parse_args(argv)
    clients_count = 200 if args.smoke else 10_000
    work = Path(tempfile.mkdtemp(prefix="crmdesk-report-bench-"))
    try:
        vault, _ = Vault.create(
            work / "vault", Owner("Bench Mark", "bench"), keystore=BenchKeyStore()
        )
        session = bench_session(vault)
        clients = ClientService(session, today=lambda: TODAY)
        reports = ReportService(session, today=lambda: TODAY)
        client_id = clients.add(big_client())
        times = []
        for _ in range(5):
            start = time.perf_counter()
            report = reports.client_summary(client_id)
            times.append((time.perf_counter() - start) * 1000)
        pages = report.record.page_count
        median = statistics.median(times)
        print(f"client summary, 500 purchases ({pages} pages): median {median:.0f} ms")

        create_demo_clients(session, clients_count - 1, today=TODAY)
        start = time.perf_counter()
        listed = reports.client_list(ClientQuery())
        seconds = time.perf_counter() - start
        print(
            f"client list, {len(listed.record.client_ids):,} clients "
            f"({listed.record.page_count} pages): {seconds:.1f} s"
        )
        client_ids = listed.record.client_ids
        for i in range(clients_count):
            clients.get(client_ids[i % len(client_ids)])  # one client.viewed entry each
        start = time.perf_counter()
        access = reports.access_report("bench", 30)
        seconds = time.perf_counter() - start
        print(
            f"access report, {clients_count:,} views ({access.record.page_count} pages): "
            f"{seconds:.1f} s"
        )
        vault.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
