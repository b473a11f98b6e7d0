"""The audit trail after years: ``audit verify``, the Activity page's first screen, alerts
over a year and the Access report of a year, on a trail of a million entries (three
years of five people)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.audit_trail import TrailVault, make_trail
from benchmarks.common import Figure, Figures, run_child
from crmdesk.services import opening
from crmdesk.services import session as sessions
from crmdesk.services.activity import ActivityFilter, ActivityService


def build(folder: Path, entries: int) -> TrailVault:
    started = time.perf_counter()
    trail = make_trail(
        folder, entries, progress=lambda n: print(f"  {n:,} entries", end="\r", flush=True)
    )
    seconds = time.perf_counter() - started
    print(f"  a trail of {trail.entries:,} entries made in {seconds:.0f} s", flush=True)
    return trail


def _seconds(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def first_screen(activity: ActivityService, query: ActivityFilter) -> None:
    """What the Activity page reads before it shows anything but its alerts
    (:func:`crmdesk.gui.activity.reading.load`): who is in the trail, how many entries
    match, the first page of 500 with their clients' names, the counts per person."""
    activity.actors()
    activity.actions()
    activity.count(query)
    activity.client_names(activity.page(query, limit=500))
    activity.counts(ActivityFilter(login=query.login, since=query.since, until=query.until))


def measure(trail: TrailVault, work: Path, figures: Figures) -> None:
    n = f"{trail.entries:,}"
    session = trail.sign_in()
    opening.settle(session)
    try:
        # The first walk of a trail never verified checks every entry's Ed25519
        # signature (a one-time cost: it records a signed checkpoint); every later walk
        # still rehashes the whole chain from the first entry, and checks the signatures
        # after the checkpoint (issue 19's "full walk": one encoder, incremental
        # verification from signed checkpoints).
        for label, target in (
            (f"`audit verify`, {n} entries never verified (every signature)", ""),
            (f"`audit verify`, {n} entries (whole chain, signatures since checkpoint)", "≤ 2 s"),
        ):
            seconds, report = _seconds(lambda: sessions.verify_audit(session))
            if not report.ok:
                raise SystemExit(f"the benchmark's trail does not verify: {report.problem}")
            figures.add(Figure(label, seconds, "s", target))

        activity = ActivityService(session)
        now = dt.datetime.now(dt.UTC)
        month, year, ever = (now - dt.timedelta(days=d) for d in (30, 365, 4 * 365))
        year_filter = ActivityFilter(since=year, until=now)
        per_person = activity.counts(year_filter)
        heavy = max(per_person, key=lambda login: sum(per_person[login].values()))
        filters = {
            "everyone, 30 days": ActivityFilter(since=month, until=now),
            "everyone, 365 days": year_filter,
            "everyone, all years": ActivityFilter(since=ever, until=now),
            f"{heavy}, 30 days": ActivityFilter(login=heavy, since=month, until=now),
            f"{heavy}'s views, 365 days": ActivityFilter(
                login=heavy, actions=("client.viewed",), since=year, until=now
            ),
            "printed reports, 365 days": ActivityFilter(action="report", since=year, until=now),
        }
        worst = 0.0
        for label, query in filters.items():
            first_screen(activity, query)  # the pages it reads are in the cache afterwards
            ms = min(_seconds(lambda q=query: first_screen(activity, q))[0] for _ in range(3))
            print(f"  Activity first screen, {label}: {ms * 1000:.0f} ms", flush=True)
            worst = max(worst, ms)
        figures.add(
            Figure(
                f"Activity first screen, worst of {len(filters)} filters",
                worst * 1000,
                "ms",
                "≤ 200 ms",
            )
        )
        in_year = activity.count(year_filter)
        seconds, alerts = _seconds(lambda: activity.alerts(year_filter))
        print(f"  ({len(alerts):,} alerts over the {in_year:,} entries of the year)")
        figures.add(Figure("alerts over a year", seconds, "s", "complete"))
        heavy_count = sum(per_person[heavy].values())
    finally:
        session.close()

    pdf = work / "access-report.pdf"
    child = run_child(
        "benchmarks.child",
        "access-report",
        str(trail.folder),
        heavy,
        "365",
        str(pdf),
        stdin=f"{trail.owner}\n{trail.passwords[trail.owner]}\n",
    )
    print(f"  (Access report of {heavy}: {heavy_count:,} entries, {child.made})")
    pdf.unlink(missing_ok=True)
    figures.add(
        Figure(
            f"Access report, 365 days of the busiest person ({heavy_count:,} entries)",
            child.seconds,
            "s",
            "≤ 10 s",
        )
    )
    figures.add(Figure("Access report, 365 days, peak memory", child.peak_mb, "MB", "≤ 300 MB"))
