"""crmdesk import and export speed: 100,000 CSV rows imported (plan and commit), then
the same clients exported as vCard, CSV and JSON Lines through the export service.

    .venv/bin/python -m benchmarks.io_speed                  # 100,000 rows
    .venv/bin/python -m benchmarks.io_speed --rows 20000

Each client has a company, a contact person, two phone numbers (one national, read in
the vault's region), two emails and an address, as a contact program's export has them.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import BenchKeyStore, bench_session
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.exports import ExportService
from crmdesk.services.imports import ImportService
from crmdesk.vault import Owner, Vault

HEADER = ["Company", "First Name", "Last Name", "E-mail Address", "E-mail 2 Address",
          "Business Phone", "Mobile Phone", "Business Street", "Business City",
          "Business Postal Code", "Business Country/Region", "Notes"]  # fmt: skip


def write_rows(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow(
                [f"Bäckerei {i:06d} GmbH", "Zoë", f"Łukasiewicz {i}", f"zoe{i}@b{i}.example",
                 f"orders{i}@b{i}.example", "0351 223344", f"0151 {i:08d}"[:13],
                 "Prager Straße 12", "Dresden", "01069", "Deutschland", "Pays by invoice"]
            )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crmdesk-io-bench-"))
    try:
        vault, _ = Vault.create(
            work / "vault", Owner("Bench Mark", "bench"), keystore=BenchKeyStore()
        )
        session = bench_session(vault)
        source = work / "contacts.csv"
        write_rows(source, args.rows)
        importer = ImportService(session, phone_region="DE")
        # Wall-clock time, and the process's CPU time beside it: on a machine shared with
        # other work the wall clock also counts the time spent waiting for a core.
        cpu_started, started = time.process_time(), time.perf_counter()
        plan = importer.plan(source)
        cpu_planned, planned = time.process_time(), time.perf_counter()
        result = importer.commit(plan)
        cpu_done, done = time.process_time(), time.perf_counter()
        assert result.added == args.rows, result
        print(f"import of {args.rows:,} CSV rows: plan {planned - started:.1f} s, commit "
              f"{done - planned:.1f} s, together {done - started:.1f} s (CPU: plan "
              f"{cpu_planned - cpu_started:.1f} s, commit {cpu_done - cpu_planned:.1f} s, "
              f"together {cpu_done - cpu_started:.1f} s)")  # fmt: skip
        exporter = ExportService(session)
        for fmt in ("vcf", "csv", "json"):
            out = work / f"export.{fmt}"
            cpu_started, started = time.process_time(), time.perf_counter()
            exporter.export(fmt, ClientQuery(), out)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            size = out.stat().st_size / (1 << 20)
            print(f"{fmt} export of {args.rows:,} clients ({size:.0f} MB): {seconds:.1f} s "
                  f"(CPU {cpu:.1f} s)")  # fmt: skip
        vault.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
