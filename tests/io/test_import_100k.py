"""A 100,000-row file streams through plan and commit in bounded memory."""

from __future__ import annotations

import csv
import time
import tracemalloc

import pytest

from crmdesk.services.imports import ImportService
from crmdesk.services.session import owner_session

ROWS = 100_000
MB = 1 << 20


@pytest.mark.slow
def test_100k_rows_plan_and_commit_in_bounded_memory(vault, tmp_path, capsys, record_property):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Name", "Email", "City"])
        writer.writerows(
            [f"Client {i:06d}", f"client{i}@example.com", "Portland"] for i in range(ROWS)
        )
    importer = ImportService(owner_session(vault))
    # tracemalloc sees every Python allocation (SQLite's page cache is its own): it
    # slows the run several times over, so the times below are upper bounds.
    tracemalloc.start()
    try:
        started = time.monotonic()
        plan = importer.plan(path)
        planned = time.monotonic()
        _, plan_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = importer.commit(plan)
        done = time.monotonic()
        _, commit_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert plan.counts.rows == ROWS and plan.counts.to_add == ROWS
    assert len(plan.preview) == 20 and plan.problems == ()
    assert result.added == ROWS and result.added_ids == (1, ROWS)
    with vault.reading() as conn:
        assert conn.execute("SELECT count(*) FROM clients").fetchone()[0] == ROWS
    report = (
        f"100,000 rows ({path.stat().st_size / MB:.1f} MB) under tracemalloc: plan "
        f"{planned - started:.1f} s (peak {plan_peak / MB:.1f} MB), commit {done - planned:.1f} s "
        f"(peak {commit_peak / MB:.1f} MB)"
    )
    record_property("import_100k", report)
    with capsys.disabled():
        print(f"\n{report}")
    assert plan_peak < 150 * MB and commit_peak < 150 * MB
