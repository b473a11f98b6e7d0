"""Everyday database work off the GUI thread: :class:`QueryOp` reads, :class:`ChangeOp` writes.

As Anki's ``QueryOp`` and ``CollectionOp``: the function runs on the app's database
worker thread, its result comes back to a callback on the GUI thread, and an error is
shown in one place (:func:`crmdesk.gui.errors.show_error`) unless the caller handles it.
A change also announces which clients it changed (:mod:`crmdesk.gui.ops.changes`), so
that every view showing them refreshes itself; views are not wired to each other.

One worker thread, first come first served: the vault has one connection used by one
thread at a time (``vault/unlocked.py``), so a second thread would only wait for it, and
one queue keeps a change and the reads that follow it in order. The GUI thread never
waits for the database, except in :meth:`Pending.wait`, which keeps painting and
running timers (only keyboard and mouse input waits) while a save the caller must know
the outcome of finishes.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from crmdesk.gui.errors import show_error
from crmdesk.gui.ops.changes import ChangeNotices, ClientChanges
from crmdesk.services.gc_pause import collections_paused

T = TypeVar("T")
Failure = Callable[[BaseException], Any]


class _Task:
    """One function to run on the worker and what to do with its outcome."""

    def __init__(
        self,
        fn: Callable[[], Any],
        success: Callable[[Any], Any],
        failure: Failure | None,
        parent: QObject | None,
        after: Callable[[Any], Any] | None = None,
    ) -> None:
        self.number = next(_numbers)
        self.fn, self.success, self.failure, self.parent = fn, success, failure, parent
        self.after = after  # a change's announcement, after the caller's success
        self.cancelled = False
        self.delivered = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.on_delivered: list[Callable[[], None]] = []

    def run(self) -> None:
        try:
            # A read holds thousands of objects while it works (the day's follow-ups,
            # the coverage of every client): Python's full collections walked them all,
            # 40-120 ms at a time with the interpreter lock held, and the GUI thread
            # waited as long. The worker's tasks make no reference cycles worth
            # collecting meanwhile; what they leave is let go by reference counting.
            with collections_paused():
                self.result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, shown there
            self.error = exc

    def deliver(self) -> None:
        self.delivered = True
        try:
            if self.cancelled:
                return  # the view asked for newer data, or the vault is being locked
            # A view closed meanwhile is not called back; a change is still announced.
            alive = self.parent is None or shiboken6.isValid(self.parent)
            if self.error is None:
                if alive:
                    self.success(self.result)
                if self.after is not None:
                    self.after(self.result)
            elif not alive:
                return
            elif self.failure is not None:
                self.failure(self.error)
            else:
                show_error(_window(self.parent), self.error)
        finally:
            for callback in self.on_delivered:
                callback()


_numbers = itertools.count(1)


def _window(parent: QObject | None) -> QWidget | None:
    while parent is not None and not isinstance(parent, QWidget):
        parent = parent.parent()
    return parent.window() if isinstance(parent, QWidget) else None


class _Delivery(QObject):
    """Lives on the GUI thread: the worker's finished tasks arrive here, queued."""

    arrived = Signal(object)


class _Worker:
    """The database worker thread and its queue."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Task] = queue.SimpleQueue()
        self._waiting: dict[int, _Task] = {}
        self._parked: list[_Task] | None = None  # while held: work kept for later
        self._busy = 0
        self._done = threading.Condition()
        self._delivery = _Delivery()
        self._delivery.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name="crmdesk-database", daemon=True)
        self._thread.start()

    def submit(self, task: _Task) -> None:
        with self._done:
            if self._parked is not None:
                self._parked.append(task)
                return
            self._busy += 1
            self._waiting[task.number] = task
        self._queue.put(task)

    def hold(self) -> None:
        """From now on keep new work for :meth:`release` (the vault is being locked)."""
        with self._done:
            if self._parked is None:
                self._parked = []

    def release(self, *, run: bool) -> None:
        """Run the work kept while held (the vault is open again), or drop it."""
        with self._done:
            parked, self._parked = self._parked or [], None
        for task in parked:
            if run:
                self.submit(task)
            else:
                task.cancelled = True

    def _loop(self) -> None:
        while True:
            task = self._queue.get()
            with self._done:
                self._waiting.pop(task.number, None)
            try:
                if not task.cancelled:
                    task.run()
            finally:
                with self._done:
                    self._busy -= 1
                    self._done.notify_all()
            self._delivery.arrived.emit(task)

    def _deliver(self, task: object) -> None:
        assert isinstance(task, _Task)
        task.deliver()

    def cancel_waiting(self) -> None:
        """Tasks not started yet will not run (nor call back)."""
        with self._done:
            for task in self._waiting.values():
                task.cancelled = True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the queue is empty and nothing runs; False after ``timeout`` s."""
        with self._done:
            return self._done.wait_for(lambda: self._busy == 0, timeout)

    def busy(self) -> bool:
        with self._done:
            return self._busy > 0


_worker: _Worker | None = None


def worker() -> _Worker:
    """The app's database worker, started on first use (on the GUI thread)."""
    global _worker
    if _worker is None:
        app = QCoreApplication.instance()
        assert app is not None, "the operations layer needs a QApplication"
        _worker = _Worker()
    return _worker


def busy() -> bool:
    """True while database work is queued or running."""
    return _worker is not None and _worker.busy()


def settle(timeout: float = 30.0) -> bool:
    """Wait for the database work under way and hand its results to their callbacks,
    and for the work those callbacks start in turn (before quitting; in tests)."""
    if _worker is None:
        return True
    for _round in range(50):
        if not _worker.wait_idle(timeout):
            return False
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        if not _worker.busy():
            return True
    return not _worker.busy()


def hold_work(timeout: float = 30.0) -> bool:
    """Before the vault is locked: drop the work not started yet, wait for what runs,
    and keep any new work until :func:`release_work`."""
    if _worker is None:
        return True
    _worker.hold()
    _worker.cancel_waiting()
    return _worker.wait_idle(timeout)


def release_work(*, run: bool = True) -> None:
    """After an unlock (``run``), or before closing for good: the work kept meanwhile."""
    if _worker is not None:
        _worker.release(run=run)


class Pending:
    """A submitted operation: cancel it, ask whether it is done, or wait for it."""

    def __init__(self, task: _Task) -> None:
        self._task = task

    def cancel(self) -> None:
        """Its callbacks will not be called (the work itself runs if it already started)."""
        self._task.cancelled = True

    def is_done(self) -> bool:
        return self._task.delivered

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Until its callbacks have run: the GUI keeps painting and running timers, but
        keyboard and mouse input waits. False if it took longer than ``timeout_ms``."""
        if self._task.delivered:
            return True
        loop = QEventLoop()
        self._task.on_delivered.append(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        return self._task.delivered


class QueryOp(Generic[T]):
    """A read: ``op`` runs on the worker, ``success`` gets its result on the GUI thread.

    Errors go to :meth:`failure`'s function when one is given, else to a dialog over
    ``parent``'s window. Nothing is called back once ``parent`` has been deleted.
    """

    def __init__(
        self, *, parent: QObject | None, op: Callable[[], T], success: Callable[[T], Any]
    ) -> None:
        self._parent = parent
        self._op = op
        self._success = success
        self._failure: Failure | None = None

    def failure(self, fn: Failure) -> QueryOp[T]:
        self._failure = fn
        return self

    def _after(self) -> Callable[[Any], Any] | None:
        return None

    def run_in_background(self) -> Pending:
        task = _Task(self._op, self._success, self._failure, self._parent, self._after())
        worker().submit(task)
        return Pending(task)


class ChangeOp(QueryOp[T]):
    """A write: as :class:`QueryOp`, and once it succeeded, ``notices`` announces
    ``changes`` (or what ``changes`` makes of the result) to every view that listens."""

    def __init__(
        self,
        *,
        parent: QObject | None,
        op: Callable[[], T],
        success: Callable[[T], Any],
        notices: ChangeNotices | None,
        changes: ClientChanges | Callable[[T], ClientChanges],
    ) -> None:
        super().__init__(parent=parent, op=op, success=success)
        self._notices = notices
        self._changes = changes

    def _after(self) -> Callable[[Any], Any] | None:
        notices, changes = self._notices, self._changes
        if notices is None:
            return None

        def announce(result: Any) -> None:
            notices.announce(changes(result) if callable(changes) else changes)

        return announce


__all__ = [
    "ChangeOp",
    "Pending",
    "QueryOp",
    "busy",
    "hold_work",
    "release_work",
    "settle",
    "worker",
]
