"""Long work with a progress dialog and Cancel (demo data, imports, reports, the audit trail).

``run_with_progress`` runs a function on a thread of its own while a progress dialog
shows how far it got; Cancel asks the function to stop at its next check. The result or
the error comes back on the GUI thread. Everyday reads and writes, which take
milliseconds to a second, go through :mod:`crmdesk.gui.ops.background` instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class Job:
    """What the worker function gets: report progress, and ask whether to stop."""

    def __init__(self, emit: Callable[[int], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    def progress(self, done: int) -> None:
        self._emit(done)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Worker(QObject):
    progressed = Signal(int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Job], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.job = Job(self.progressed.emit)

    def run(self) -> None:
        try:
            result = self.fn(self.job)
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, shown there
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


class Operation(QObject):
    """One piece of background work and its progress dialog."""

    finished = Signal(object)  # the result; emitted on the GUI thread
    failed = Signal(object)  # the exception

    def __init__(
        self,
        parent: QWidget,
        title: str,
        total: int,
        fn: Callable[[Job], Any],
        show_after_ms: int = 300,
    ):
        super().__init__(parent)
        self.dialog = QProgressDialog(title, "Cancel", 0, max(total, 1), parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(show_after_ms)  # quick work shows no dialog
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self._thread = QThread(self)
        self._worker = _Worker(fn)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_progress)
        self._worker.succeeded.connect(self._on_success)
        self._worker.failed.connect(self._on_failure)
        self.dialog.canceled.connect(self._on_cancel)
        self._total = total

    @property
    def job(self) -> Job:
        return self._worker.job

    def start(self) -> Operation:
        self._thread.start()
        return self

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = -1) -> bool:
        """Block until done (for tests and shutdown)."""
        return self._thread.wait() if msecs < 0 else self._thread.wait(msecs)

    def _on_progress(self, done: int) -> None:
        self.dialog.setValue(min(done, self._total))
        self.dialog.setLabelText(f"{done:,} of {self._total:,}")

    def _on_cancel(self) -> None:
        self.dialog.setLabelText("Stopping after the current step…")
        self.job.cancel()

    def _finish(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.dialog.close()

    def _on_success(self, result: object) -> None:
        self._finish()
        self.finished.emit(result)

    def _on_failure(self, exc: object) -> None:
        self._finish()
        self.failed.emit(exc)


def run_with_progress(
    parent: QWidget,
    title: str,
    total: int,
    fn: Callable[[Job], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    show_after_ms: int = 300,
) -> Operation:
    op = Operation(parent, title, total, fn, show_after_ms)
    op.finished.connect(on_done)
    op.failed.connect(on_error)
    return op.start()
