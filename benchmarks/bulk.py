"""Bulk paths benchmark: a backup, a CSV export of every client and ``status``, with
their wall-clock and CPU time (issue 19 part 7).

    .venv/bin/python -m benchmarks.bulk                          # 100,000 clients
    .venv/bin/python -m benchmarks.bulk --clients 10000 100000   # linear in the clients?

The machine may be shared: CPU time is the process's own work (SQLite runs in this
process), wall-clock time adds waiting for the disk and for other processes. The
functions ``time_backup``, ``time_export`` and ``time_status`` take an open owner's
session, for other benchmarks to call.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.run import TODAY, BenchKeyStore, bench_session
from crmdesk.services import backup as backups
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.exports import ExportService
from crmdesk.services.session import Session, status
from crmdesk.vault import Owner, Vault

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Timing:
    wall_s: float
    cpu_s: float  # this process's CPU time, every thread


def timing(fn: Callable[[], T]) -> tuple[T, Timing]:
    """What ``fn`` returns, and how long it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def time_backup(session: Session, dest: Path) -> Timing:
    """A backup of the session's vault (owner only) to the new file ``dest``; the file is
    removed afterwards."""
    _, took = timing(lambda: backups.backup(session, dest))
    dest.unlink()
    return took


def time_export(session: Session, dest: Path, fmt: str = "csv") -> Timing:
    """An export of every client to the new file ``dest``; the file is removed afterwards."""
    service = ExportService(session, today=lambda: TODAY)
    _, took = timing(lambda: service.export(fmt, ClientQuery(), dest))
    dest.unlink()
    return took


def time_status(session: Session) -> Timing:
    """What ``crmdesk status`` reads: the vault's facts and its record counts."""
    return timing(lambda: status(session))[1]


def measure(session: Session, work: Path) -> dict[str, Timing]:
    return {
        "backup": time_backup(session, work / "bench.crmbackup"),
        "export, CSV, every client": time_export(session, work / "bench.csv"),
        "status": time_status(session),
    }


def _build(folder: Path, clients: int, store: BenchKeyStore) -> Any:
    vault, _ = Vault.create(folder, Owner("Bench Mark", "bench"), keystore=store)
    create_demo_clients(bench_session(vault), clients, today=TODAY)
    vault.close()
    return Vault.open(folder, keystore=store)  # a fresh process's cold page cache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100_000])
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crmdesk-bench-bulk-"))
    rows: list[tuple[int, str, Timing]] = []
    try:
        for clients in args.clients:
            print(f"building a vault of {clients:,} demo clients ...", flush=True)
            store = BenchKeyStore()
            vault = _build(work / f"vault-{clients}", clients, store)
            try:
                for label, took in measure(bench_session(vault), work).items():
                    rows.append((clients, label, took))
            finally:
                vault.close()
            shutil.rmtree(work / f"vault-{clients}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n| {'clients':>8} | {'measure':<26} | {'wall (s)':>8} | {'CPU (s)':>8} |")
    print(f"|{'-' * 10}|{'-' * 28}|{'-' * 10}|{'-' * 10}|")
    for clients, label, took in rows:
        print(f"| {clients:>8,} | {label:<26} | {took.wall_s:>8.2f} | {took.cpu_s:>8.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
