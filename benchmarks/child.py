"""The measures whose peak memory counts, each run alone in a child process
(:func:`benchmarks.common.run_child` reads the child's peak when it ends).

    python -m benchmarks.child list-report VAULT OUTPUT.pdf
    python -m benchmarks.child access-report VAULT LOGIN DAYS OUTPUT.pdf

The list report's vault opens with the keys :class:`BenchKeyStore` sends on stdin; the
Access report's with the owner's login and password on stdin (two lines).

Prints one line: what was made.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.common import TODAY, BenchKeyStore, bench_session


def list_report(folder: Path, output: Path) -> str:
    from crmdesk.services.client_query import ClientQuery
    from crmdesk.services.reports import ReportService
    from crmdesk.vault import Vault

    store = BenchKeyStore.from_pipe(sys.stdin.read())
    vault = Vault.open(folder, keystore=store)
    try:
        report = ReportService(bench_session(vault), today=lambda: TODAY).client_list(
            ClientQuery(), output
        )
        return f"{len(report.record.client_ids):,} clients, {report.record.page_count:,} pages"
    finally:
        vault.close()


def access_report(folder: Path, login: str, days: int, output: Path) -> str:
    from crmdesk.services import opening, signin
    from crmdesk.services.reports import ReportService

    owner, password = sys.stdin.read().split("\n", 1)
    session = signin.sign_in(folder, owner, password.rstrip("\n"))
    opening.settle(session)
    try:
        report = ReportService(session).access_report(login, days, output)
        return f"{report.record.page_count:,} pages"
    finally:
        session.close()


def main(argv: list[str]) -> int:
    what, *args = argv
    if what == "list-report":
        print(list_report(Path(args[0]), Path(args[1])))
    elif what == "access-report":
        print(access_report(Path(args[0]), args[1], int(args[2]), Path(args[3])))
    else:
        raise SystemExit(f"unknown measure {what!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
