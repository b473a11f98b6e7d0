"""A backup's stages, timed one by one (issue 19: a backup of 100,000 clients <= 12 s).

    .venv/bin/python -m benchmarks.backup_stages --clients 100000 --runs 3

Builds a vault of demo clients (like ``make bench``'s), then makes ``--runs`` backups of
it and prints, for each, the whole backup's wall time and the process's CPU time, and
each stage's wall time and the CPU time of the thread that ran it: the copy of each file
(while writers wait), folding each copy's WAL in, the HMAC check of each copy's pages,
SQLite's check of each copy, the SHA-256 of each copy, and writing the backup file;
then when each call began and ended, and on which thread. The stages overlap (the files
are copied and checked on several threads), so their wall times add up to more than the
whole. On a shared machine the wall time is mostly
waiting for a CPU; the CPU times are the work.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import TODAY, BenchKeyStore, bench_session, load_average
from crmdesk.services import backup
from crmdesk.services.demo import create_demo_clients
from crmdesk.vault import Owner, Vault
from crmdesk.vault.backup import make, snapshot

# (module, function, stage): what each stage is, by the function that does it.
STAGES = (
    (snapshot, "_copy_file", "copy of each file and its WAL (writers wait)"),
    (snapshot, "_make_whole", "each copy's WAL folded in"),
    (make, "check_pages", "HMAC check of each copy's pages"),
    (make, "verify_copy", "check of the main database's copy"),
    (make, "verify_book", "check of each book's copy"),
    (make, "file_digest", "SHA-256 of each copy"),
    (make, "write_container", "the backup file written (and its SHA-256)"),
)


class Stages:
    """Wall and thread CPU seconds per stage, summed over the calls of one backup."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self.calls: list[tuple[float, float, str, str]] = []  # start, end, stage, thread
        self._lock = threading.Lock()

    def clear(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def wrap(self, module: Any, name: str, stage: str) -> None:
        inner: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                with self._lock:
                    end = time.perf_counter()
                    self.calls.append((wall, end, stage, threading.current_thread().name))
                    got = self.seconds.setdefault(stage, [0.0, 0.0, 0])
                    got[0] += end - wall
                    got[1] += time.thread_time() - cpu
                    got[2] += 1

        setattr(module, name, timed)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crmdesk-backup-bench-"))
    try:
        store = BenchKeyStore()
        vault, _ = Vault.create(work / "vault", Owner("Bench Mark", "bench"), keystore=store)
        try:
            create_demo_clients(bench_session(vault), args.clients, today=TODAY)
        finally:
            vault.close()
        stages = Stages()
        for module, name, stage in STAGES:
            stages.wrap(module, name, stage)
        vault = Vault.open(work / "vault", keystore=store)
        try:
            session = bench_session(vault)
            for run in range(1, args.runs + 1):
                stages.clear()
                os.sync()  # the demo's writes (or the last backup's) reach the disk first
                load = load_average()
                began, cpu = time.perf_counter(), _cpu()
                made = backup.backup(session, work / "bench.crmbackup", force=True)
                wall, cpu = time.perf_counter() - began, _cpu() - cpu
                print(
                    f"backup {run} of {args.clients:,} clients ({made.size / 2**20:.0f} MiB), "
                    f"load average {load}: {wall:.2f} s, CPU {cpu:.2f} s",
                    flush=True,
                )
                for stage, (s_wall, s_cpu, calls) in stages.seconds.items():
                    print(f"  {stage:44s} x{calls}  wall {s_wall:6.2f} s  CPU {s_cpu:6.2f} s")
                for start, end, stage, thread in sorted(stages.calls):
                    print(f"    {start - began:6.2f} s to {end - began:6.2f} s  {stage} ({thread})")
        finally:
            vault.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
