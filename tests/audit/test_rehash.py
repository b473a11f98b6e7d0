"""The batched rehash (SQLite hands over a batch of entries at a time) says exactly what
the entry-by-entry walk says, for an intact trail and for every kind of tampering, at
every position relative to the batches' edges, whatever the entries' text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk import audit
from crmdesk.audit import rehash
from crmdesk.audit.verify import _Walk

VAULT_ID = "0123456789abcdef"
# The table as the vault has it since signatures (schema 5 and later), in SQLite itself.
_TABLE = """CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '', details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signer TEXT, key_serial INTEGER, sig BLOB
) STRICT"""

# Texts SQLite's json_array may spell differently from Python's encoder (controls, DEL,
# line and paragraph separators, astral characters, quotes, backslashes, slashes).
_TEXT = st.text(
    alphabet=st.sampled_from(list("ab \"\\/'\t\n\x00\x1f\x7f\u2028\u2029é€😀")), max_size=6
)


def _trail(objects: list[str]) -> sqlcipher3.Connection:
    # Another thread reads the batches, as with the vault's own connections.
    conn = sqlcipher3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.execute(_TABLE)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    conn.execute("BEGIN")
    for n, obj in enumerate(objects):
        audit.record(
            conn,
            VAULT_ID,
            actor="zoe",
            action="client.viewed",
            object=obj,
            details={"n": n, "note": obj},
            now=start + dt.timedelta(minutes=n),
        )
    conn.execute("COMMIT")
    return conn


@contextmanager
def _batches_of(size: int) -> Iterator[None]:
    saved = rehash._BATCH
    rehash._BATCH = size
    try:
        yield
    finally:
        rehash._BATCH = saved


@contextmanager
def _entry_by_entry() -> Iterator[None]:
    """Every batch refused: the walk checks each entry itself, as before batches."""
    saved = _Walk.batch
    _Walk.batch = lambda self, batch: False  # type: ignore[method-assign]
    try:
        yield
    finally:
        _Walk.batch = saved  # type: ignore[method-assign]


def _tamper(conn: sqlcipher3.Connection, kind: str, at: int, length: int) -> None:
    if kind == "edit":
        conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = ?", (at,))
    elif kind == "delete":
        conn.execute("DELETE FROM audit_events WHERE seq = ?", (at,))
    elif kind == "delete-run":
        conn.execute("DELETE FROM audit_events WHERE seq >= ? AND seq < ?", (at, at + 5))
    elif kind == "delete-newest":
        conn.execute("DELETE FROM audit_events WHERE seq >= ?", (at,))
    elif kind == "swap" and at < length:
        conn.execute("UPDATE audit_events SET seq = -1 WHERE seq = ?", (at,))
        conn.execute("UPDATE audit_events SET seq = ? WHERE seq = ?", (at, at + 1))
        conn.execute("UPDATE audit_events SET seq = ? WHERE seq = -1", (at + 1,))
    elif kind == "rehashed":
        row = conn.execute("SELECT * FROM audit_events WHERE seq = ?", (at,)).fetchone()
        forged = audit.chain._entry_hash(at, row[1], "mallory", row[3], row[4], row[5], row[6])
        conn.execute(
            "UPDATE audit_events SET actor = 'mallory', hash = ? WHERE seq = ?", (forged, at)
        )
    elif kind == "bad-hex":
        conn.execute("UPDATE audit_events SET prev_hash = 'zz' || prev_hash WHERE seq = ?", (at,))


def _summary(report: audit.ChainReport) -> tuple[object, ...]:
    return (report.ok, report.length, report.head, report.first_bad_seq, report.problem)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    objects=st.lists(_TEXT, min_size=1, max_size=30),
    batch=st.integers(min_value=1, max_value=9),
    kind=st.sampled_from(
        ["none", "edit", "delete", "delete-run", "delete-newest", "swap", "rehashed", "bad-hex"]
    ),
    where=st.floats(min_value=0, max_value=1),
)
def test_batched_walk_says_what_the_entry_by_entry_walk_says(objects, batch, kind, where):
    conn = _trail(objects)
    at = 1 + int(where * (len(objects) - 1))
    _tamper(conn, kind, at, len(objects))
    with _batches_of(batch):
        batched = audit.verify(conn, VAULT_ID)
    with _entry_by_entry():
        alone = audit.verify(conn, VAULT_ID)
    assert _summary(batched) == _summary(alone)
    if kind == "none":
        assert batched.ok and batched.length == len(objects)


def test_an_intact_trail_goes_through_in_batches(monkeypatch):
    """The fast path is the one taken (were every batch refused, the walk would still be
    right, only slow): few entries are walked one at a time."""
    conn = _trail([f"client:{n}" for n in range(50)])
    stepped = []
    step = _Walk.step

    def counting(self, row):
        stepped.append(row[0])
        return step(self, row)

    monkeypatch.setattr(_Walk, "step", counting)
    with _batches_of(8):
        report = audit.verify(conn, VAULT_ID)
    assert report.ok and report.length == 50
    assert stepped == []


@pytest.mark.parametrize("at", [1, 8, 9, 16, 17, 50])
def test_an_edit_at_a_batch_edge_is_named(at):
    conn = _trail([f"client:{n}" for n in range(50)])
    conn.execute("UPDATE audit_events SET details = '{}' WHERE seq = ?", (at,))
    with _batches_of(8):
        report = audit.verify(conn, VAULT_ID)
    assert not report.ok and report.first_bad_seq == at and "changed" in report.problem


def test_the_newest_entries_of_a_batch_deleted_are_named_missing():
    conn = _trail([f"client:{n}" for n in range(30)])
    conn.execute("DELETE FROM audit_events WHERE seq BETWEEN 13 AND 16")  # a batch's end
    with _batches_of(8):
        report = audit.verify(conn, VAULT_ID)
    # Named where the walk finds the gap: at the first entry after it (as for one entry).
    assert not report.ok and report.first_bad_seq == 17
    assert "entry 13 is missing" in report.problem
