"""One client in full with its view recorded (issue 19: p95 <= 2 ms at 100,000 clients).

    .venv/bin/python -m benchmarks.view --clients 100000 --keep /tmp/view-bench

Wall time and CPU time (``time.process_time``) both: on a shared machine the wall time
is mostly waiting (for the CPU, and for the commit's fsync), the CPU time is crmdesk's
own work. :func:`view_figures` is what a larger benchmark calls with its own service.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.books import PASSPHRASE, build, sign_in
from benchmarks.common import TODAY, pct
from crmdesk.services.clients import ClientService


def _times(fn: Callable[[int], Any], ids: Sequence[int]) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for client_id in ids:
        w0, c0 = time.perf_counter(), time.process_time()
        fn(client_id)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return wall, cpu


def view_figures(service: ClientService, ids: Sequence[int]) -> dict[str, float]:
    """p50 and p95, wall and CPU, in ms, of ``get_json`` (a client in full, as the app
    and ``client show`` load it) with its view recorded, and without for comparison."""
    for client_id in ids[:10]:
        service.get_json(client_id, record_view=False)  # warm the page cache
    out: dict[str, float] = {}
    for label, fn in (
        ("client in full, view recorded", service.get_json),
        ("client in full, not recorded", lambda i: service.get_json(i, record_view=False)),
    ):
        wall, cpu = _times(fn, ids)
        out[f"{label}: wall p50"] = pct(wall, 50)
        out[f"{label}: wall p95"] = pct(wall, 95)
        out[f"{label}: CPU p50"] = pct(cpu, 50)
        out[f"{label}: CPU p95"] = pct(cpu, 95)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--views", type=int, default=300)
    parser.add_argument("--keep", metavar="DIR", help="build the vault here and keep it")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crmdesk-view-"))
    folder = work / "vault"
    try:
        if not folder.exists():
            seconds = build(folder, args.clients, with_redo=True)
            print(f"{args.clients:,} clients over 10 books: {seconds:.1f} s")
        owner = sign_in(folder, "bench", PASSPHRASE)
        try:
            service = ClientService(owner, today=lambda: TODAY)
            with owner.vault.reading() as conn:
                total = conn.execute("SELECT max(id) FROM clients").fetchone()[0]
            rng = random.Random(11)
            ids = [rng.randint(1, total) for _ in range(args.views)]
            for label, value in view_figures(service, ids).items():
                print(f"{label:<45} {value:8.2f} ms")
        finally:
            owner.vault.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
