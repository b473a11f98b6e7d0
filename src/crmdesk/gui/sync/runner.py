"""The office's background sync: ``exchange.sync_now`` on the database worker every two
minutes while the app runs, and whenever someone chooses Sync now.

It runs as every other database operation does (:mod:`crmdesk.gui.ops`): on the one
worker thread, never on the GUI thread, in line with the reads and writes of the views,
and it is waited for before the vault locks or closes (``hold_work``/``settle``). Work
asked for while the vault is locked is not started: a timer tick then does nothing.
After an exchange that changed clients the window's one change notice is announced, so
the views read them again; the state read after it (``SyncStatus``) goes to whoever
listens (the status bar, the Sync page). A failure is said in the status bar, never in
a dialog: the next tick tries again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from crmdesk.gui.ops import ChangeNotices, ClientChanges, Pending, QueryOp
from crmdesk.gui.sync import texts
from crmdesk.services.replication import exchange, status
from crmdesk.services.replication.exchange import SyncReport
from crmdesk.services.replication.status import SyncStatus
from crmdesk.services.session import Session

INTERVAL_MS = 2 * 60 * 1000
FIRST_SYNC_MS = 5_000  # after the window opened: its first page is read first


@dataclass(frozen=True, slots=True)
class Synced:
    """One exchange's outcome, on the GUI thread."""

    report: SyncReport | None  # None: it failed
    status: SyncStatus | None
    failure: str = ""
    manual: bool = False


class SyncRunner(QObject):
    """Runs the exchanges of one window's vault; :meth:`start` once it is an office."""

    status_read = Signal(object)  # SyncStatus | None, after every read of it
    synced = Signal(object)  # a Synced, after every exchange (failed ones too)
    started = Signal()  # the timer runs: the vault is an office
    began = Signal()  # an exchange was asked of the worker

    def __init__(self, session: Session, window: QWidget, notices: ChangeNotices) -> None:
        super().__init__(window)
        self.session, self.window, self.notices = session, window, notices
        self.status: SyncStatus | None = None
        self.last_failure = ""
        self.failed_at: dt.datetime | None = None
        self._op: Pending | None = None
        self._status_op: Pending | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.tick)

    # -- state --------------------------------------------------------------------------

    def is_office(self) -> bool:
        return self.status is not None

    def busy(self) -> bool:
        """True while an exchange is queued or running on the worker."""
        return self._op is not None and not self._op.is_done()

    def own_device(self) -> bool:
        """Whether the signed-in person is the one this vault's device belongs to (on
        the office's vault with several users, only the owner's sign-in syncs)."""
        if self.status is None:
            return False
        return self.status.login.casefold() == self.session.actor.casefold()

    def _can_run(self) -> bool:
        return self.session.is_open and self.window.isVisible()

    # -- reading the state --------------------------------------------------------------

    def read_status(self) -> None:
        """Read the sync state on the worker (at start; after a change elsewhere)."""
        if not self.session.is_open:
            return
        session = self.session

        def arrived(found: SyncStatus | None) -> None:
            self._status_op = None
            self._take_status(found)

        self._status_op = (
            QueryOp(parent=self, op=lambda: status.sync_status(session), success=arrived)
            .failure(lambda exc: self._failed(exc, manual=False))
            .run_in_background()
        )

    def _take_status(self, found: SyncStatus | None) -> None:
        was_office = self.status is not None
        self.status = found
        if found is not None and not was_office:
            self.start()
        self.status_read.emit(found)

    def start(self) -> None:
        """Sync every two minutes from now on, the first time soon."""
        if not self.timer.isActive():
            self.timer.start()
            QTimer.singleShot(FIRST_SYNC_MS, self, self.tick)
            self.started.emit()

    def stop(self) -> None:
        self.timer.stop()

    # -- exchanging ---------------------------------------------------------------------

    def tick(self) -> None:
        """The timer's sync: only for the device's own person, never while locked."""
        if self.is_office() and self.own_device() and self._can_run():
            self.sync_now(manual=False)

    def sync_now(self, *, manual: bool = True) -> bool:
        """An exchange on the worker; False when one is under way already (or the vault
        is locked or no office)."""
        if self.busy() or not self.session.is_open or not self.is_office():
            return False
        session = self.session

        def work() -> tuple[SyncReport, SyncStatus | None]:
            report = exchange.sync_now(session)
            return report, status.sync_status(session)

        def done(result: tuple[SyncReport, SyncStatus | None]) -> None:
            report, found = result
            self.last_failure, self.failed_at = "", None
            if texts.changed_clients(report):
                self.notices.announce(ClientChanges.all_clients(origin=self))
            self._take_status(found)
            self.synced.emit(Synced(report, found, manual=manual))

        self._op = (
            QueryOp(parent=self, op=work, success=done)
            .failure(lambda exc: self._failed(exc, manual=manual))
            .run_in_background()
        )
        self.began.emit()
        return True

    def _failed(self, exc: BaseException, *, manual: bool) -> None:
        folder = self.status.folder if self.status is not None else ""
        self.last_failure = texts.failure_text(exc, folder)
        self.failed_at = dt.datetime.now(dt.UTC)
        self.synced.emit(Synced(None, self.status, self.last_failure, manual))
