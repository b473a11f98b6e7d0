"""The measures whose peak memory counts, each run alone in a child process
(:func:`benchmarks.common.run_child` reads the child's peak when it ends).

    python -m benchmarks.child list-report VAULT OUTPUT.pdf
    python -m benchmarks.child access-report VAULT LOGIN DAYS OUTPUT.pdf
    python -m benchmarks.child idle        (the reports imported, nothing made: the floor)

The list report's vault opens with the keys :class:`BenchKeyStore` sends on stdin; the
Access report's with the owner's login and password on stdin (two lines).

Prints one line of JSON: the seconds the report took (signing in and opening the vault
not included), what it made, in words, and the process's own peak memory in bytes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.common import TODAY, BenchKeyStore, bench_session, own_peak_bytes


def list_report(folder: Path, output: Path) -> tuple[float, str]:
    from crmdesk.services.client_query import ClientQuery
    from crmdesk.services.reports import ReportService
    from crmdesk.vault import Vault

    store = BenchKeyStore.from_pipe(sys.stdin.read())
    vault = Vault.open(folder, keystore=store)
    try:
        reports = ReportService(bench_session(vault), today=lambda: TODAY)
        started = time.perf_counter()
        report = reports.client_list(ClientQuery(), output)
        seconds = time.perf_counter() - started
        made = f"{len(report.record.client_ids):,} clients, {report.record.page_count:,} pages"
        return seconds, made
    finally:
        vault.close()


def access_report(folder: Path, login: str, days: int, output: Path) -> tuple[float, str]:
    from crmdesk.services import opening, signin
    from crmdesk.services.reports import ReportService

    owner, password = sys.stdin.read().split("\n", 1)
    session = signin.sign_in(folder, owner, password.rstrip("\n"))
    opening.settle(session)
    try:
        started = time.perf_counter()
        report = ReportService(session).access_report(login, days, output)
        return time.perf_counter() - started, f"{report.record.page_count:,} pages"
    finally:
        session.close()


def main(argv: list[str]) -> int:
    what, *args = argv
    if what == "list-report":
        seconds, made = list_report(Path(args[0]), Path(args[1]))
    elif what == "access-report":
        seconds, made = access_report(Path(args[0]), args[1], int(args[2]), Path(args[3]))
    elif what == "idle":
        import crmdesk.services.reports  # noqa: F401 (what every report process holds)

        seconds, made = 0.0, "nothing"
    else:
        raise SystemExit(f"unknown measure {what!r}")
    print(json.dumps({"seconds": seconds, "made": made, "peak_bytes": own_peak_bytes()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
