"""Devices' copies converge: the merge rules of issue 14 (cr-sqlite's column-level
last-writer-wins with causal lengths, on hybrid logical clocks), without storage."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmdesk.domain.replication.changes import ROW, Change
from crmdesk.domain.replication.clock import MAX_DRIFT_MS, HybridClock, Stamp
from crmdesk.domain.replication.errors import ReplicationError
from crmdesk.domain.replication.merge import Replica


class FakeTime:
    """A laptop's wall clock, which a test sets (and may set backwards)."""

    def __init__(self, ms: int = 1_760_000_000_000) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def _device(n: int, time: FakeTime) -> tuple[HybridClock, Replica]:
    return HybridClock(f"{n:08x}", now_ms=time), Replica()


def _exchange(*pairs: tuple[HybridClock, Replica]) -> None:
    """Every device gets every change (its clock moving past each)."""
    everything = [c for _, replica in pairs for c in replica._changes.values()]
    for clock, replica in pairs:
        for change in everything:
            if replica.apply(change):
                clock.observe(change.stamp)


def test_edits_of_different_fields_both_survive():
    time = FakeTime()
    a, b = _device(1, time), _device(2, time)
    created = a[1].create(a[0], "clients")
    a[1].write(a[0], "clients", created.row, "name", "Harbour Bakery")
    _exchange(a, b)
    time.ms += 1000
    a[1].write(a[0], "clients", created.row, "phone", "+4930123456")
    b[1].write(b[0], "clients", created.row, "notes", "orders rye in autumn")
    _exchange(a, b)
    expected = {"name": "Harbour Bakery", "phone": "+4930123456", "notes": "orders rye in autumn"}
    assert a[1].record("clients", created.row) == expected
    assert b[1].record("clients", created.row) == expected
    assert a[1].conflicts() == b[1].conflicts() == []


def test_the_same_field_changed_on_two_laptops_keeps_one_and_lists_the_other():
    time = FakeTime()
    a, b = _device(1, time), _device(2, time)
    row = a[1].create(a[0], "clients").row
    a[1].write(a[0], "clients", row, "price", "12.50")
    _exchange(a, b)
    time.ms += 1000
    mine = a[1].write(a[0], "clients", row, "price", "13.00")
    time.ms += 1000  # written later by the wall clock: the last writer
    theirs = b[1].write(b[0], "clients", row, "price", "11.90")
    _exchange(a, b)
    for _, replica in (a, b):
        assert replica.record("clients", row) == {"price": "11.90"}
        [conflict] = replica.conflicts()
        assert (conflict.column, conflict.kept, conflict.lost) == ("price", theirs, (mine,))
    # A person settles it on one laptop, keeping their own price: both stop listing it.
    settled = a[1].write(a[0], "clients", row, "price", "13.00", resolves=[mine.stamp])
    _exchange(a, b)
    for _, replica in (a, b):
        assert replica.record("clients", row) == {"price": "13.00"}
        assert replica.winner("clients", row, "price") == settled
        assert replica.conflicts() == []


def test_a_change_made_after_seeing_another_is_no_conflict_even_with_a_slow_clock():
    time_a, time_b = FakeTime(), FakeTime(1_760_000_000_000 - 2 * 3_600_000)  # b: 2 h slow
    a, b = (
        (HybridClock("0000000a", now_ms=time_a), Replica()),
        (
            HybridClock("0000000b", now_ms=time_b),
            Replica(),
        ),
    )
    row = a[1].create(a[0], "clients").row
    a[1].write(a[0], "clients", row, "name", "Old Name")
    _exchange(a, b)
    newer = b[1].write(b[0], "clients", row, "name", "New Name")
    _exchange(a, b)
    assert a[1].record("clients", row) == b[1].record("clients", row) == {"name": "New Name"}
    assert a[1].winner("clients", row, "name") == newer
    assert a[1].conflicts() == []


def test_a_deletion_beats_an_edit_made_before_it_was_seen_and_lists_the_edit():
    time = FakeTime()
    a, b = _device(1, time), _device(2, time)
    row = a[1].create(a[0], "clients").row
    a[1].write(a[0], "clients", row, "name", "Harbour Bakery")
    _exchange(a, b)
    time.ms += 1000
    edit = b[1].write(b[0], "clients", row, "notes", "new buyer: Ines")
    deletion = a[1].delete(a[0], "clients", row)
    _exchange(a, b)
    for _, replica in (a, b):
        assert replica.record("clients", row) is None and replica.rows("clients") == []
        [conflict] = replica.conflicts()
        assert (conflict.column, conflict.kept, conflict.lost) == (ROW, deletion, (edit,))
    # Restored: a new life, fields empty, the conflict settled.
    b[1].restore(b[0], "clients", row, resolves=[edit.stamp])
    _exchange(a, b)
    for _, replica in (a, b):
        assert replica.record("clients", row) == {}
        assert replica.conflicts() == []


def test_records_added_on_two_laptops_both_survive():
    time = FakeTime()
    a, b = _device(1, time), _device(2, time)
    one = a[1].create(a[0], "purchases")
    two = b[1].create(b[0], "purchases")
    a[1].write(a[0], "purchases", one.row, "amount", "120.00")
    b[1].write(b[0], "purchases", two.row, "amount", "80.00")
    _exchange(a, b)
    assert a[1].rows("purchases") == b[1].rows("purchases") == sorted([one.row, two.row])
    assert a[1].snapshot() == b[1].snapshot()


def test_a_clock_set_backwards_still_stamps_forwards():
    time = FakeTime()
    clock = HybridClock("000000ff", now_ms=time)
    first = clock.tick()
    time.ms -= 3_600_000
    second = clock.tick()
    assert second > first and second.wall_ms == first.wall_ms


def test_a_stamp_from_far_ahead_is_refused():
    time = FakeTime()
    clock = HybridClock("000000ff", now_ms=time)
    with pytest.raises(ReplicationError) as refused:
        clock.observe(Stamp(time.ms + MAX_DRIFT_MS + 1, 0, "000000aa"))
    assert refused.value.code == "sync.clock_ahead" and refused.value.facts["device"] == "000000aa"
    assert clock.last.wall_ms == 0  # unmoved


_STAMPS = st.builds(
    Stamp,
    st.integers(min_value=0, max_value=2**48 - 1),
    st.integers(min_value=0, max_value=0xFFFF),
    st.sampled_from(["00000001", "0000000a", "ffffffffffff0000"]),
)


@given(st.lists(_STAMPS, min_size=2, max_size=8))
def test_encoded_stamps_sort_as_the_stamps_do(stamps):
    encoded = [s.encode() for s in stamps]
    assert [Stamp.decode(e) for e in encoded] == stamps
    if len({s.device for s in stamps}) == 1:
        assert sorted(encoded) == [s.encode() for s in sorted(stamps)]


@given(
    st.text(max_size=5),
    st.one_of(st.none(), st.text(max_size=8), st.integers()),
    st.integers(min_value=0, max_value=4).map(lambda n: 2 * n + 1),
    _STAMPS,
)
def test_changes_survive_json(column, value, life, stamp):
    change = Change("clients", "r1", column or "name", value, life, stamp)
    assert Change.from_json(change.to_json()) == change


_ZERO = "0" * 16 + "-0a0a0a0a"


@pytest.mark.parametrize(
    "garbled",
    [
        {},
        {"table": "clients", "row": "r", "column": "name", "cl": "1", "stamp": "x"},
        {"table": "clients", "row": "r", "column": "name", "cl": 1, "stamp": "nonsense"},
        {
            "table": "clients",
            "row": "r",
            "column": "name",
            "cl": 2,
            "stamp": "0" * 16 + "-0a0a0a0a",
        },
    ],
)
def test_a_garbled_change_is_refused_with_a_code(garbled):
    with pytest.raises(ReplicationError) as refused:
        Change.from_json(garbled)
    assert refused.value.code in {"sync.bad_change", "sync.bad_stamp"}


def test_one_stamp_with_two_contents_is_refused():
    replica = Replica()
    stamp = Stamp(1, 0, "0000000a")
    replica.apply(Change("clients", "r1", ROW, None, 1, stamp))
    with pytest.raises(ReplicationError) as refused:
        replica.apply(Change("clients", "r2", ROW, None, 1, stamp))
    assert refused.value.code == "sync.duplicate_stamp"


# -- the property: any edits, any delivery order, duplicates: all devices end identical -


_OPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # device
        st.sampled_from(["create", "write", "write", "write", "delete", "restore", "settle"]),
        st.integers(min_value=0, max_value=3),  # which record
        st.sampled_from(["name", "phone", "notes"]),
        st.integers(min_value=0, max_value=5),  # value
        st.integers(min_value=0, max_value=3),  # deliveries made before this edit
        st.integers(min_value=-5, max_value=5),  # the device's clock moves (or goes back)
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(devices=st.integers(min_value=2, max_value=4), ops=_OPS, seed=st.integers(0, 2**32))
def test_every_device_ends_identical_whatever_the_order_and_duplicates(devices, ops, seed):
    rng = random.Random(seed)
    times = [FakeTime(1_760_000_000_000 + 7 * n) for n in range(devices)]
    nodes = [(HybridClock(f"{n + 1:08x}", now_ms=times[n]), Replica()) for n in range(devices)]
    sent: list[Change] = []
    for device, kind, which, column, value, deliveries, drift in ops:
        device %= devices
        clock, replica = nodes[device]
        times[device].ms += drift
        # Some files arrive first, at random, some of them again.
        for _ in range(deliveries):
            if sent:
                change = rng.choice(sent)
                if replica.apply(change):
                    clock.observe(change.stamp)
        rows = sorted({r for t in replica.tables() for r in replica.rows(t)})
        table_rows = {r for (t, r) in replica._lives}
        try:
            if kind == "create" or not table_rows:
                made = [replica.create(clock, "clients")]
            elif kind == "write" and rows:
                row = rows[which % len(rows)]
                made = [replica.write(clock, "clients", row, column, f"v{value}")]
            elif kind == "delete" and rows:
                made = [replica.delete(clock, "clients", rows[which % len(rows)])]
            elif kind == "restore":
                gone = sorted(r for r in table_rows if replica.life("clients", r) % 2 == 0)
                made = [replica.restore(clock, "clients", gone[which % len(gone)])] if gone else []
            elif kind == "settle" and replica.conflicts():
                conflict = replica.conflicts()[which % len(replica.conflicts())]
                lost = [c.stamp for c in conflict.lost]
                if conflict.column == ROW:
                    made = [replica.restore(clock, "clients", conflict.row, resolves=lost)]
                else:
                    keep = conflict.lost[0].value
                    made = [
                        replica.write(
                            clock, "clients", conflict.row, conflict.column, keep, resolves=lost
                        )
                    ]
            else:
                made = []
        except ReplicationError as exc:
            assert exc.code == "sync.no_record"
            made = []
        sent += made

    # Everything delivered everywhere, in a different order on each device, with repeats.
    for clock, replica in nodes:
        order = sent + rng.sample(sent, k=min(len(sent), 5))
        rng.shuffle(order)
        for change in order:
            if replica.apply(change):
                clock.observe(change.stamp)
    first = nodes[0][1]
    for _, replica in nodes[1:]:
        assert replica.snapshot() == first.snapshot()
        assert replica.conflicts() == first.conflicts()
        assert len(replica) == len(first) == len(sent)
