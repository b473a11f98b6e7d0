"""Bulk paths on the vault of demo clients: a backup, a CSV export of every client, and
the list report of every client (in a child process, for its peak memory)."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import TODAY, Figure, Figures, bench_session, run_child
from benchmarks.encrypted import ClientVault
from crmdesk.services import backup
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.exports import ExportService


def measure(bench: ClientVault, work: Path, figures: Figures) -> None:
    vault = bench.open()
    try:
        with vault.reading() as conn:  # the clients section may have added a few
            n = f"{conn.execute('SELECT count(*) FROM clients').fetchone()[0]:,}"
        session = bench_session(vault)
        target = work / "bench.crmbackup"
        started = time.perf_counter()
        made = backup.backup(session, target, force=True)
        seconds = time.perf_counter() - started
        print(f"  (backup file {made.size / 2**20:.0f} MiB)")
        target.unlink()
        figures.add(Figure(f"backup of {n} clients", seconds, "s", "≤ 12 s"))

        csv = work / "clients.csv"
        started = time.perf_counter()
        ExportService(session, today=lambda: TODAY).export("csv", ClientQuery(), csv)
        seconds = time.perf_counter() - started
        csv.unlink()
        figures.add(Figure(f"CSV export of {n} clients", seconds, "s", "linear in the clients"))
    finally:
        vault.close()

    pdf = work / "client-list.pdf"
    child = run_child(
        "benchmarks.child", "list-report", str(bench.folder), str(pdf), stdin=bench.store.to_pipe()
    )
    print(f"  ({child.made})")
    pdf.unlink(missing_ok=True)
    figures.add(Figure(f"list report of {n} clients", child.seconds, "s"))
    figures.add(Figure(f"list report of {n} clients, peak memory", child.peak_mb, "MB", "≤ 300 MB"))
