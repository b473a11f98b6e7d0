"""The audit trail read at scale: the indexes the Activity page's queries use (shown by
SQLite's own plan), and evidence that is complete however long the trail (no cap on the
entries an access report, the measures report or alerts read)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from crmdesk import audit
from crmdesk.services.activity import ActivityFilter, ActivityService, _conditions
from crmdesk.services.evidence import Evidence
from crmdesk.services.reports import ReportService
from crmdesk.services.session import owner_session

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def _plan(conn, query: ActivityFilter, tail: str = "") -> str:
    conditions, params = _conditions(query)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    rows = conn.execute(
        f"EXPLAIN QUERY PLAN SELECT seq FROM audit_events e{where}{tail}", params
    ).fetchall()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        (ActivityFilter(since=NOW - dt.timedelta(days=30), until=NOW), {"audit_events_ts"}),
        (
            ActivityFilter(login="Sam"),
            {"audit_events_actor_nocase", "audit_events_signin_object"},
        ),
        (
            ActivityFilter(login="sam", since=NOW - dt.timedelta(days=30), until=NOW),
            {"audit_events_actor_nocase", "audit_events_signin_object"},
        ),
        (ActivityFilter(action="report"), {"audit_events_action_ts"}),
    ],
    ids=["period", "person", "person and period", "family"],
)
def test_the_activity_queries_use_the_trails_indexes(vault, query, indexes):
    plan = _plan(vault.connection, query, " ORDER BY e.seq DESC LIMIT 500")
    # No full scan of the trail: every table is searched through an index.
    scans = [line for line in plan.splitlines() if line.startswith("SCAN") and "INDEX" not in line]
    assert scans == [], plan
    for index in indexes:
        assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan


def test_per_person_counts_of_a_period_read_the_time_index_alone(vault):
    query = ActivityFilter(since=NOW - dt.timedelta(days=30), until=NOW)
    plan = _plan(vault.connection, query, " GROUP BY actor, action")
    assert "COVERING INDEX audit_events_ts" in plan, plan


def _bulk(
    vault,
    person,
    count: int,
    *,
    action: str,
    start: dt.datetime,
    step: dt.timedelta,
    clients: int = 7,
):
    """``count`` entries of ``action`` by ``person``, signed by them, as
    :func:`crmdesk.audit.record` writes them (in one transaction: fast)."""
    with vault.transaction() as conn:
        seq, prev = audit.head(conn)
        rows = []
        for n in range(count):
            seq += 1
            ts = (start + step * n).isoformat(timespec="microseconds")
            obj = f"client:{n % clients + 1}"
            text = audit.canonical_details({"value_added": True, "sections": ["notes"]})
            digest = audit.chain._entry_hash(seq, ts, person.login, action, obj, text, prev)
            sig = person.sign(bytes.fromhex(digest))
            rows.append((seq, ts, person.login, action, obj, text, prev, digest,
                         person.login, person.serial, sig))  # fmt: skip
            prev = digest
        conn.executemany(
            "INSERT INTO audit_events (seq, ts, actor, action, object, details, prev_hash,"
            " hash, signer, key_serial, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # One entry the ordinary way moves vault.json's head to the end.
        vault.record_event(person.login, "audit.filled", details={"entries": count})


def test_more_than_100000_events_of_one_person_are_all_collected(vault, tmp_path):
    """An access report's events and alerts read every entry: all 100,560 of one
    person's entries of a year are collected, in order, and an early burst of views is
    found behind the 100,500 later entries (a cap of the newest 100,000 hid it)."""
    session = owner_session(vault)
    person = vault.person
    start = NOW - dt.timedelta(days=300)
    # A burst: 60 value-added views of 60 clients in half an hour, long ago.
    _bulk(vault, person, 60, action="client.viewed", start=start,
          step=dt.timedelta(seconds=30), clients=60)  # fmt: skip
    _bulk(vault, person, 100_500, action="clients.searched",
          start=start + dt.timedelta(days=1), step=dt.timedelta(minutes=4))  # fmt: skip
    with vault.reading() as conn:
        expected = conn.execute(
            "SELECT count(*) FROM audit_events WHERE actor = ? AND ts >= ? AND ts < ?",
            (
                person.login,
                (NOW - dt.timedelta(days=365)).isoformat(timespec="microseconds"),
                NOW.isoformat(timespec="microseconds"),
            ),
        ).fetchone()[0]
    assert expected == 100_560
    evidence = Evidence(session, now=lambda: NOW)
    seqs = [e.seq for e in evidence.access_events(person.login, 365)]
    assert len(seqs) == expected and seqs == sorted(seqs) and len(set(seqs)) == expected
    service = ActivityService(session, now=lambda: NOW, tz=dt.UTC)
    period = ActivityFilter(login=person.login, since=NOW - dt.timedelta(days=365), until=NOW)
    assert service.count(period) == expected
    # A screen's worth is one, and says so beside the count of all.
    assert len(service.log(period)) == period.limit < service.count(period)
    alerts = service.alerts(ActivityFilter(since=NOW - dt.timedelta(days=365), until=NOW))
    assert [a.kind for a in alerts] == ["value_added_burst"], alerts
    # The Access report itself (issue 19, "done when"): its CSV holds every entry, and the
    # PDF's summary counts them all.
    report = ReportService(session, now=lambda: NOW).access_report(
        person.login, 365, tmp_path / "access.pdf"
    )
    rows = list(csv.reader(io.StringIO(report.companion.data.decode("utf-8-sig"))))
    assert len(rows) - 1 == expected
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.data)).pages)
    assert "100,560" in text
