"""The hash chain recomputed in batches, signatures aside: the cheap part of a walk of
the trail (:mod:`crmdesk.audit.verify`).

SQLite spells each entry's canonical JSON (``json_array``) and hands over a whole batch
of entries as three values: their JSON texts joined by newlines (a newline inside a JSON
text is always escaped, so it only ever separates entries), and their links and hashes as
raw bytes, 32 to an entry. That is one row for Python to build per batch instead of one
per entry (building a million row tuples cost more than hashing them), and SQLite does it
in a second thread without Python's lock while this one hashes the batch before (one
SHA-256 an entry) and compares whole byte strings at C speed.

A batch that does not check out, or that SQLite spelled or ordered differently from
Python's encoder and the chain (which decide), is walked again entry by entry by the
walk itself, which says what is wrong.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from crmdesk.audit.chain import Connection


@dataclass(frozen=True, slots=True)
class Batch:
    """Entries ``first``..``last`` as SQLite read them: how many there are, their
    lowest and highest number, their canonical JSON texts joined by newlines (UTF-8), and
    their links and hashes as raw bytes in the order read (None where the range is empty,
    or a link or hash is not hex)."""

    first: int
    last: int
    count: int
    low: int | None
    high: int | None
    texts: bytes | None
    prevs: bytes | None
    hashes: bytes | None


class Walk(Protocol):
    """What :func:`rehash` needs of the walk (:class:`crmdesk.audit.verify._Walk`)."""

    keys: Any
    expected_seq: int

    def slow_until(self) -> int: ...

    def batch(self, batch: Batch) -> bool: ...

    def step(self, row: tuple[Any, ...]) -> str | None: ...


# Entries hashed at a time by the batched path (about 1 MB of JSON text a batch).
_BATCH = 4096
# One row per range of entries (the rowid order of a range scan; the walk checks it).
_BATCHED = (
    "SELECT count(*), min(seq), max(seq),"
    " CAST(group_concat(json_array(seq, ts, actor, action, object, details, prev_hash),"
    " char(10)) AS BLOB), unhex(group_concat(prev_hash, '')), unhex(group_concat(hash, ''))"
    " FROM audit_events WHERE seq >= ? AND seq <= ?"
)


def rehash(conn: Connection, walk: Walk, until: int | None, columns: str) -> tuple[int, str] | None:
    """Recompute the hash chain up to entry ``until`` (or the end), signatures aside. A
    problem as (entry, problem)."""
    keys, walk.keys = walk.keys, None
    try:
        slow_until = walk.slow_until()
        if until is not None:
            slow_until = min(slow_until, until)
        if slow_until:
            # Resealed entries and the upgrade entry that vouches for them: one at a time.
            rows = conn.execute(
                f"SELECT {columns} FROM audit_events WHERE seq <= ? ORDER BY seq", (slow_until,)
            )
            for row in rows:
                problem = walk.step(row)
                if problem is not None:
                    return int(row[0]), problem
        newest = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0]
        last = min(until, int(newest)) if until is not None else int(newest)
        while walk.expected_seq <= last:
            reader = _Reader(conn, walk.expected_seq, last)
            try:
                failed = next((b for b in reader if not walk.batch(b)), None)
            finally:
                reader.close()
            if failed is None:
                return None
            # Something in this batch does not check out (or SQLite spelled an entry's
            # JSON differently): the entry-by-entry walk says what, or passes it, and the
            # batches carry on after it. It goes past the batch's end when the batch's
            # last entries are missing: the next entry there is, is out of place.
            before = walk.expected_seq
            rows = conn.execute(
                f"SELECT {columns} FROM audit_events WHERE seq >= ? ORDER BY seq",
                (walk.expected_seq,),
            )
            try:
                for row in rows:
                    problem = walk.step(row)
                    if problem is not None:
                        return int(row[0]), problem
                    if int(row[0]) >= failed.last:
                        break
            finally:
                rows.close()
            if walk.expected_seq == before:
                return None  # nothing more to read: the walk after this one says why
        return None
    finally:
        walk.keys = keys


class _Reader:
    """Batches read by a second thread while this one hashes the batch before: SQLite
    decrypts pages and spells JSON without Python's lock, so on two cores the walk takes
    about the longer of the two instead of their sum."""

    def __init__(self, conn: Connection, first: int, last: int) -> None:
        self._queue: queue.Queue[Batch | None | BaseException] = queue.Queue(maxsize=4)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(conn, first, last), daemon=True)
        self._thread.start()

    def _run(self, conn: Connection, first: int, last: int) -> None:
        try:
            for low in range(first, last + 1, _BATCH):
                if self._stop.is_set():
                    return
                high = min(low + _BATCH - 1, last)
                row = conn.execute(_BATCHED, (low, high)).fetchone()
                self._put(Batch(low, high, int(row[0]), *row[1:]))
            self._put(None)  # the rows ended
        except BaseException as exc:  # handed to the walking thread, which raises it
            self._put(exc)

    def _put(self, item: Batch | None | BaseException) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(queue.Full):
                self._queue.put(item, timeout=0.05)
                return

    def __iter__(self) -> Iterator[Batch]:
        while True:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                return
            yield item

    def close(self) -> None:
        """Stop reading (the connection is this thread's again once this returns)."""
        self._stop.set()
        self._thread.join()
