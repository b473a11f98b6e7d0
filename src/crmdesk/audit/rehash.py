"""The hash chain recomputed in batches, signatures aside: the cheap part of a walk of
the trail (:mod:`crmdesk.audit.verify`), about a second a million entries on an idle
two-core machine.

SQLite spells each entry's canonical JSON (``json_array``, as UTF-8 bytes) and reads the
links as raw bytes in a second thread; this one hashes each batch (one SHA-256 an entry)
and compares whole lists at C speed. A batch that does not check out, or that SQLite
spelled differently from Python's encoder (which decides), is walked again entry by entry
by the walk itself, which says what is wrong.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Any, Protocol

from crmdesk.audit.chain import Connection


class Walk(Protocol):
    """What :func:`rehash` needs of the walk (:class:`crmdesk.audit.verify._Walk`)."""

    keys: Any
    expected_seq: int

    def slow_until(self) -> int: ...

    def batch(self, rows: list[tuple[Any, ...]]) -> bool: ...

    def step(self, row: tuple[Any, ...]) -> str | None: ...


# Rows hashed at a time by the batched path.
_BATCH = 4096
# SQLite's spelling of an entry's canonical JSON (:func:`crmdesk.audit.chain._entry_hash`),
# as UTF-8 bytes, and the links as raw bytes: where SQLite's spelling differs from
# Python's, the entry-by-entry walk decides.
_CANONICAL = (
    "SELECT seq, CAST(json_array(seq, ts, actor, action, object, details, prev_hash) AS BLOB),"
    " unhex(prev_hash), unhex(hash) FROM audit_events WHERE seq >= ? AND seq <= ? ORDER BY seq"
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
        last = until if until is not None else _MAX_SEQ
        while True:
            reader = _Reader(conn, _CANONICAL, (walk.expected_seq, last))
            try:
                failed = next((b for b in reader if not walk.batch(b)), None)
            finally:
                reader.close()
            if failed is None:
                return None
            # Something in this batch does not check out (or SQLite spelled an entry's
            # JSON differently): the entry-by-entry walk says what, or passes it, and the
            # batches carry on after it.
            rows = conn.execute(
                f"SELECT {columns} FROM audit_events WHERE seq >= ? AND seq <= ? ORDER BY seq",
                (walk.expected_seq, int(failed[-1][0])),
            )
            for row in rows:
                problem = walk.step(row)
                if problem is not None:
                    return int(row[0]), problem
    finally:
        walk.keys = keys


class _Reader:
    """Batches of rows read by a second thread while this one hashes the batch before:
    SQLite decrypts pages and spells JSON without Python's lock, so on two cores the walk
    takes about the longer of the two instead of their sum."""

    def __init__(self, conn: Connection, sql: str, params: tuple[Any, ...]) -> None:
        self._queue: queue.Queue[list[Any] | BaseException] = queue.Queue(maxsize=4)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(conn, sql, params), daemon=True)
        self._thread.start()

    def _run(self, conn: Connection, sql: str, params: tuple[Any, ...]) -> None:
        try:
            cursor = conn.execute(sql, params)
            try:
                while not self._stop.is_set():
                    batch = cursor.fetchmany(_BATCH)
                    self._put(batch)  # an empty batch says the rows ended
                    if not batch:
                        return
            finally:
                cursor.close()
        except BaseException as exc:  # handed to the walking thread, which raises it
            self._put(exc)

    def _put(self, item: list[Any] | BaseException) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(queue.Full):
                self._queue.put(item, timeout=0.05)
                return

    def __iter__(self) -> Iterator[list[Any]]:
        while True:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item

    def close(self) -> None:
        """Stop reading (the connection is this thread's again once this returns)."""
        self._stop.set()
        self._thread.join()


_MAX_SEQ = 2**63 - 1
