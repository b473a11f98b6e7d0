"""Bulk paths on the vault of demo clients: a backup, a CSV export of every client, and
the list report of every client (in a child process, for its peak memory)."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from benchmarks.common import TODAY, Figure, Figures, bench_session, run_child
from benchmarks.encrypted import ClientVault
from crmdesk.services import backup
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.exports import ExportService

# Backups timed, the median reported (the figures are medians of 3): the first
# after the sections before is often the slowest (the machine's disk still catching up).
BACKUPS = 3


def measure(bench: ClientVault, work: Path, figures: Figures) -> None:
    vault = bench.open()
    try:
        with vault.reading() as conn:  # the clients section may have added a few
            n = f"{conn.execute('SELECT count(*) FROM clients').fetchone()[0]:,}"
        session = bench_session(vault)
        target = work / "bench.crmbackup"
        runs = []
        for _ in range(BACKUPS):
            # What the sections before wrote (the demo, the plain copy), or the last
            # backup, reaches the disk first: the figure is the backup's own work.
            os.sync()
            started = time.perf_counter()
            made = backup.backup(session, target, force=True)
            runs.append(time.perf_counter() - started)
            target.unlink()
        each = ", ".join(f"{s:.1f}" for s in runs)
        print(f"  (backup file {made.size / 2**20:.0f} MiB; {BACKUPS} backups: {each} s)")
        figures.add(
            Figure(
                f"backup of {n} clients (median of {BACKUPS}: {each} s)",
                statistics.median(runs),
                "s",
                "≤ 12 s",
            )
        )

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
