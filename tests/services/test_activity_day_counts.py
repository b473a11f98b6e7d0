"""The trail's day counts (audit_day_counts, schema 9) and what the Activity page reads
from them: equal to a count of the entries themselves, whatever the period and filter,
however the entries were written (one by one, in bulk, edited by someone who dropped the
append-only triggers), and after a backup is restored."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk import audit
from crmdesk.services import activity, backup, signin
from crmdesk.services.activity import ActivityFilter, ActivityService, _conditions, _counting
from crmdesk.services.session import owner_session, unlock
from crmdesk.vault import Vault, migrations
from crmdesk.vault.signin_log import count_failure
from tests.conftest import OWNER
from tests.support import MemoryKeyStore

DAY0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
ACTORS = ("sam", "Sam", "SAM", "zoe", "kim", "(none)")
ACTIONS = (
    "client.viewed",
    "clients.searched",
    "signin.ok",
    "signin.failed",
    "SIGNIN.failed",  # LIKE 'signin.%' files it too, as the index does
    "report",
    "report.printed",
    "reports.listed",
)
OBJECTS = ("", "sam", "Sam", "kim", "client:1")
COLUMNS = "seq, ts, actor, action, object, details, prev_hash, hash"


def recount(conn) -> dict[tuple[str, str, str, str], int]:
    """The day counts as the entries give them now."""
    rows = conn.execute(
        "SELECT substr(ts, 1, 10), actor, action,"
        " CASE WHEN action LIKE 'signin.%' THEN object ELSE '' END, count(*)"
        " FROM audit_events GROUP BY 1, 2, 3, 4"
    )
    return {tuple(r[:4]): r[4] for r in rows}


def stored(conn) -> dict[tuple[str, str, str, str], int]:
    rows = conn.execute("SELECT day, actor, action, filed, n FROM audit_day_counts WHERE n != 0")
    return {tuple(r[:4]): r[4] for r in rows}


def raw(conn, query: ActivityFilter) -> tuple[int, dict[str, dict[str, int]], list[list[int]]]:
    """Count, counts, a page of the newest and of the oldest of ``query``, from the
    entries alone."""
    conditions, params = _conditions(query)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    total = conn.execute(f"SELECT count(*) FROM audit_events e{where}", params).fetchone()[0]
    counted: dict[str, dict[str, int]] = {}
    for actor, action, n in conn.execute(
        f"SELECT actor, action, count(*) FROM audit_events e{where} GROUP BY actor, action",
        params,
    ):
        counted.setdefault(actor, {})[action] = n
    seqs = [
        [r[0] for r in conn.execute(f"{sql} LIMIT 3 OFFSET 2", params)]
        for sql in (
            f"SELECT seq FROM audit_events e{where} ORDER BY seq DESC",
            f"SELECT seq FROM audit_events e{where} ORDER BY seq",
        )
    ]
    return total, {a: dict(sorted(counted[a].items())) for a in sorted(counted)}, seqs


# A time of the few days around DAY0: often exactly midnight, or written another way than
# crmdesk writes it (no microseconds, "Z"), which must be split where the entries split.
moments = st.builds(
    lambda days, seconds, micro: (
        DAY0 + dt.timedelta(days=days, seconds=seconds, microseconds=micro)
    ),
    st.integers(-1, 4),
    st.sampled_from([0, 0, 1, 3599, 43200, 86399]) | st.integers(0, 86399),
    st.sampled_from([0, 0, 999999]) | st.integers(0, 999999),
)
entry = st.tuples(
    moments,
    st.sampled_from(["micro", "micro", "micro", "plain", "zulu"]),
    st.sampled_from(ACTORS),
    st.sampled_from(ACTIONS),
    st.sampled_from(OBJECTS),
)
zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(-dt.timedelta(hours=8))]
)
filters = st.builds(
    lambda login, action, actions, since, until, zone: ActivityFilter(
        login=login,
        action=action,
        actions=actions,
        since=since.astimezone(zone) if since else None,
        until=until.astimezone(zone) if until else None,
    ),
    st.sampled_from([None, "sam", "SAM", "kim", "nobody"]),
    st.sampled_from([None, None, "client", "signin", "report", "signin.failed"]),
    st.sampled_from([(), (), ("client.viewed",), ("report", "signin")]),
    st.none() | moments,
    st.none() | moments,
    zones,
)


def _text(moment: dt.datetime, how: str) -> str:
    if how == "plain":
        return moment.replace(microsecond=0).isoformat()
    if how == "zulu":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="microseconds")


def test_the_page_reads_the_same_as_the_entries_for_any_period_and_filter(vault, monkeypatch):
    """Property: for random trails (edited in between: deleted, changed) and random
    filters, count(), counts() and a page equal what the entries alone give, and the day
    counts equal a fresh count of the entries."""
    # Small enough that the newest-first walk of a page runs here, windows and all.
    monkeypatch.setattr(activity, "FEW", 2)
    monkeypatch.setattr(activity, "NEWEST_WINDOW", 2)
    session = owner_session(vault)
    service = ActivityService(session)
    with vault.transaction() as conn:
        # Someone with the key may edit the trail; the day counts then follow the entries.
        for statement in migrations.AUDIT_APPEND_ONLY.drop:
            conn.execute(statement)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        entries=st.lists(entry, min_size=10, max_size=80),
        edits=st.lists(st.tuples(st.integers(0, 79), entry), max_size=5),
        queries=st.lists(filters, min_size=1, max_size=4),
    )
    def check(entries, edits, queries) -> None:
        with vault.transaction() as conn:
            conn.execute("DELETE FROM audit_events")
            rows = [
                (seq, _text(moment, how), actor, action, obj, "{}", "", "")
                for seq, (moment, how, actor, action, obj) in enumerate(entries, start=1)
            ]
            conn.executemany(
                f"INSERT INTO audit_events ({COLUMNS}) VALUES ({', '.join('?' * 8)})", rows
            )
            for index, (moment, how, actor, action, obj) in edits:
                conn.execute(
                    "UPDATE audit_events SET ts = ?, actor = ?, action = ?, object = ?"
                    " WHERE seq = ?",
                    (_text(moment, how), actor, action, obj, index + 1),
                )
        with vault.reading() as conn:
            assert stored(conn) == recount(conn)
            for query in queries:
                total, counted, seqs = raw(conn, query)
                assert service.count(query) == total == service.count(query, exact=True), query
                assert service.counts(query) == counted, query
                pages = [
                    [e.seq for e in service.page(query, descending=d, limit=3, offset=2)]
                    for d in (True, False)
                ]
                assert pages == seqs, query

    check()


def test_entries_written_by_crmdesk_are_counted_by_day(vault, tmp_path):
    """Through the ordinary writer, the sign-in queue (failures recorded later, filed
    under the login typed) and a vault's own entries, the day counts stay equal to the
    entries, and the counts of a period of days equal a count of the entries."""
    session = owner_session(vault)
    for n in range(5):
        with vault.transaction() as conn:  # the writer every layer uses, on days of its own
            audit.record(conn, vault.meta.vault_id, actor="zoe", action="client.viewed",
                         object=f"client:{n}", now=DAY0 + dt.timedelta(hours=7 * n))  # fmt: skip
    count_failure(vault.folder, "Sam", DAY0, None, {"reason": "password"})
    assert signin.record_queued_failures(session) == 1
    with vault.reading() as conn:
        assert stored(conn) == recount(conn)
        filed = conn.execute(
            "SELECT actor, filed, n FROM audit_day_counts WHERE action = 'signin.failed'"
        ).fetchall()
    assert filed == [("Sam", "Sam", 1)]
    service = ActivityService(session)
    period = ActivityFilter(since=DAY0 - dt.timedelta(hours=1), until=DAY0 + dt.timedelta(days=2))
    assert service.count(period) == 5
    assert service.counts(period) == {"zoe": {"client.viewed": 5}}
    assert service.count(ActivityFilter(login="sam")) == 1  # the sign-in filed under "sam"


def test_a_restored_backup_counts_its_own_entries(tmp_path):
    """A backup holds the day counts of its own entries: entries written after it are
    not counted once it is restored."""
    store = MemoryKeyStore()
    vault, recovery_key = Vault.create(tmp_path / "mine", OWNER, keystore=store)
    try:
        made = backup.backup(owner_session(vault), tmp_path / "office.crmbackup")
        with vault.transaction():
            for n in range(3):
                vault.record_event("zoe", "client.viewed", object=f"client:{n}")
    finally:
        vault.close()
    fresh = MemoryKeyStore()
    backup.restore(made.path, tmp_path / "new", keystore=fresh, recovery_key=recovery_key)
    with unlock(tmp_path / "new", keystore=fresh) as restored, restored.vault.reading() as conn:
        assert stored(conn) == recount(conn)
        assert not [key for key in stored(conn) if key[2] == "client.viewed"]
        assert (
            ActivityService(restored).count()
            == conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        )


def test_the_day_counts_are_read_by_range_of_days(vault):
    """The whole days of a period are a range of the day counts' primary key, and the
    partial days a range of the time index: no scan of the trail."""
    query = ActivityFilter(
        login="sam",
        action="client",
        since=DAY0 + dt.timedelta(hours=5),
        until=DAY0 + dt.timedelta(days=400, hours=3),
    )
    statements = _counting(query, "actor, action")
    assert len(statements) == 3
    with vault.reading() as conn:
        for sql, params in statements:
            plan = "\n".join(
                str(r[-1])
                for r in conn.execute(f"EXPLAIN QUERY PLAN {sql} GROUP BY actor, action", params)
            )
            scans = [
                line
                for line in plan.splitlines()
                if line.startswith("SCAN") and "INDEX" not in line
            ]
            assert scans == [], plan
    # An alert's evidence is counted from its entries alone.
    assert len(_counting(ActivityFilter(since=DAY0, seqs=frozenset({1})), "")) == 1
