"""Report time and peak memory: the list of 100,000 clients, the Access report of a year.

    .venv/bin/python -m benchmarks.report_memory list 100000
    .venv/bin/python -m benchmarks.report_memory layout 100000   (the list's layout alone)
    .venv/bin/python -m benchmarks.report_memory access 100000 365

Targets (issue 19): the list of 100,000 clients in at most 300 MB; the Access report of
365 days of a heavy user (~100,000 events) in at most 10 s and 300 MB.

Each measure runs in a process of its own, so one report's memory does not count
against another's. The vault is built in one process and the report made in another,
which opens it as the app or a ``crmdesk report`` command would: building 100,000
clients leaves hundreds of MB in the process that built them (its 512 MiB page cache
freed but not given back), which the report would otherwise seem to hold. The peak is
the resident set's high-water mark while the report is made: it is reset
(``/proc/self/clear_refs``, Linux) once the vault is open.

For the benchmark: :func:`list_report`, :func:`list_layout` and :func:`access_report`
return a :class:`Measured`; :func:`measure` times any report call on a vault already built.
``list`` builds its 100,000 clients first (many minutes); ``layout`` lays out as many
generated rows without a vault (the PDF side of the same report, in a minute or two).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROC_STATUS = Path("/proc/self/status")
OWNER_PASSWORD = "bench owner password 1"
CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class Measured:
    """One report made: how long it took, the peak resident memory, its size."""

    what: str
    seconds: float
    peak_mb: float
    pages: int
    entries: int = 0  # the Access report: the audit entries it covers

    def line(self) -> str:
        more = f", {self.entries:,} entries" if self.entries else ""
        return (
            f"{self.what} ({self.pages:,} pages{more}): {self.seconds:.1f} s, "
            f"peak {self.peak_mb:.0f} MB"
        )


def _reset_peak() -> bool:
    """Start the high-water mark afresh (Linux 4.0+); False where that cannot be done."""
    try:
        CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    try:
        for line in PROC_STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # since start


def measure(what: str, make: Callable[[], Any]) -> Measured:
    """Time ``make()`` (a ReportService call returning a PrintedReport) and its peak."""
    gc.collect()
    _reset_peak()
    start = time.perf_counter()
    report = make()
    seconds = time.perf_counter() - start
    companion = getattr(report, "companion", None)
    entries = 0
    if companion is not None:
        entries = max(0, companion.data.count(b"\r\n") - 1)  # rows less the header
    return Measured(what, seconds, _peak_mb(), report.record.page_count, entries)


def list_report(clients: int = 100_000) -> Measured:
    """The printed list of ``clients`` clients, in a process of its own."""
    return _child("list", clients)


def list_layout(clients: int = 100_000) -> Measured:
    """The list's PDF of ``clients`` generated rows, without a vault, in a process of its
    own."""
    return _child("layout", clients)


def access_report(events: int = 100_000, days: int = 365) -> Measured:
    """The Access report of ``days`` days holding ``events`` entries of one person, in a
    process of its own."""
    return _child("access", events, days)


def _child(*args: object, stdin: str = "") -> Measured:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.report_memory", "--json", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"report_memory {args[0]} failed:\n{done.stderr.strip()}")
    return Measured(**json.loads(done.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------- the child


def add_events(vault: Any, login: str, count: int, days: int, end: dt.datetime) -> None:
    """``count`` audit entries of ``login`` spread over ``days`` days before ``end``,
    written in one transaction (signed like every entry: ~25 µs each): views of value-
    added and basic information across 2,000 clients, changes, searches, prints and
    sign-ins, in the proportions of a heavy user."""
    from crmdesk import audit

    step = dt.timedelta(days=days) / max(count, 1)
    start = end - dt.timedelta(days=days) + step / 2
    kinds: list[tuple[str, dict[str, object]]] = [
        ("client.viewed", {"value_added": True}),
        ("client.viewed", {"value_added": True}),
        ("client.viewed", {"value_added": False}),
        ("clients.searched", {"text": "flour", "results": 12}),
        ("client.viewed", {"value_added": True}),
        ("client.updated", {"fields": ["pricing", "notes"]}),
        ("client.viewed", {"value_added": True}),
        ("report.printed", {"kind": "client-summary", "clients": 1, "pages": 2}),
        ("client.viewed", {"value_added": False}),
        ("signin.ok", {}),
    ]
    with vault.transaction() as conn:
        for i in range(count):
            action, details = kinds[i % len(kinds)]
            if action == "report.printed":
                obj = f"report:R{i:07d}"
            elif action.startswith("client."):
                obj = f"client:{(i * 7919) % 2000 + 1}"
            else:
                obj = ""
            audit.record(
                conn,
                vault.meta.vault_id,
                actor=login,
                action=action,
                object=obj,
                details=details,
                now=start + step * i,
                signer=vault.person,
            )


def _layout_child(clients: int) -> Measured:
    from decimal import Decimal

    from benchmarks.common import TODAY
    from crmdesk.domain.report_ids import new_report_id
    from crmdesk.reports.client_list import render_client_list
    from crmdesk.reports.context import ReportContext
    from crmdesk.reports.pages import page_count
    from crmdesk.services.client_query import ClientRow

    rows = (
        ClientRow(
            id=i,
            name=f"Client {i} Trading",
            kind="company",
            status="active",
            industry="retail",
            salesperson="Sam Reed",
            email=f"buyer{i}@shop.example",
            phone="+44 20 7946 0958",
            last_contact=TODAY - dt.timedelta(days=i % 400),
            spend_12m=Decimal("12345.67"),
            next_order=TODAY + dt.timedelta(days=i % 90),
        )  # fmt: skip
        for i in range(clients)
    )
    ctx = ReportContext(
        report_id=new_report_id(),
        kind="client-list",
        title="Client list",
        printed_by="Bench Mark",
        login="bench",
        business="Bench Ltd",
        printed_at=dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.UTC),
        audit_head="ab" * 32,
    )
    gc.collect()
    _reset_peak()
    start = time.perf_counter()
    pdf = render_client_list(rows, "All clients", ctx)
    seconds = time.perf_counter() - start
    return Measured(f"client list layout, {clients:,} rows", seconds, _peak_mb(), page_count(pdf))


def _run_child(args: list[str]) -> Measured:
    if args[0] == "layout":
        return _layout_child(int(args[1]))
    if args[0] == "made":
        return _made_child(Path(args[1]), args[2:])
    from benchmarks.common import TODAY, BenchKeyStore, bench_session
    from crmdesk.services import signin
    from crmdesk.services.demo import create_demo_clients
    from crmdesk.services.people import UserService
    from crmdesk.services.session import owner_session
    from crmdesk.vault import Owner, Vault

    work = Path(tempfile.mkdtemp(prefix="crmdesk-report-memory-"))
    try:
        store = BenchKeyStore()
        vault, _ = Vault.create(work / "vault", Owner("Bench Mark", "bench"), keystore=store)
        try:
            end = dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.UTC)
            if args[0] == "list":
                create_demo_clients(bench_session(vault), int(args[1]), today=TODAY)
                what = ["list", args[1]]
            else:
                events, days = int(args[1]), int(args[2])
                session = owner_session(vault)  # the owner made a user, a policy in force
                signin.set_password(session, OWNER_PASSWORD)  # before a second user
                UserService(session).add(
                    "heavy", "Heavy User", "salesperson", "heavy user pass 1",
                    owner_password=OWNER_PASSWORD,
                )  # fmt: skip
                add_events(vault, "heavy", events, days, end)
                what = ["access", str(days)]
        finally:
            vault.close()
        return _child("made", work, *what, stdin=store.to_pipe())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _made_child(work: Path, what: list[str]) -> Measured:
    """The report made on the vault in ``work`` that another process built (its keys on
    stdin), as the app opens it."""
    from benchmarks.common import TODAY, BenchKeyStore, bench_session
    from crmdesk.services import opening, signin
    from crmdesk.services.client_query import ClientQuery
    from crmdesk.services.reports import ReportService
    from crmdesk.vault import Vault

    keys = sys.stdin.read()
    end = dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.UTC)
    if what[0] == "list":
        vault = Vault.open(work / "vault", keystore=BenchKeyStore.from_pipe(keys))
        try:
            reports = ReportService(bench_session(vault), today=lambda: TODAY, now=lambda: end)
            return measure(
                f"client list, {int(what[1]):,} clients",
                lambda: reports.client_list(ClientQuery()),
            )
        finally:
            vault.close()
    # A vault of two people: the owner signs in.
    session = signin.sign_in(work / "vault", "bench", OWNER_PASSWORD)
    try:
        opening.settle(session)
        reports = ReportService(session, today=lambda: TODAY, now=lambda: end)
        days = int(what[1])
        return measure(
            f"Access report, {days} days",
            lambda: reports.access_report("heavy", days, work / "access.pdf"),
        )
    finally:
        session.close()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    # "made" is the second process of "list" and "access": the vault built, the report.
    if not args or args[0] not in ("list", "layout", "access", *(("made",) if as_json else ())):
        print(__doc__)
        return 2
    if as_json:
        print(json.dumps(asdict(_run_child(args))))
        return 0
    if args[0] == "access":
        measured = access_report(int(args[1]), int(args[2]) if len(args) > 2 else 365)
    else:
        measured = (list_report if args[0] == "list" else list_layout)(int(args[1]))
    print(measured.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
