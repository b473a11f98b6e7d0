"""The main window: clients, the day's work, and the lock. It composes widgets; every
read and write goes through the services held by the session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui import settings as app_settings
from crmdesk.gui.clients.detail.editor import ClientEditor
from crmdesk.gui.clients.list_panel import ClientListPanel
from crmdesk.gui.errors import show_error
from crmdesk.gui.icons import icon
from crmdesk.gui.idle import IdleWatcher
from crmdesk.gui.ops import Job, Operation, run_with_progress
from crmdesk.gui.reports.preview import ReportPreview
from crmdesk.gui.reports.trace import TraceDialog
from crmdesk.gui.today.views import BirthdaysView, FollowUpsView, SeasonalOutlookView
from crmdesk.gui.vault_flows.lock_screen import LockScreen, SetPasswordDialog
from crmdesk.gui.vault_flows.unlock import UnlockDialog
from crmdesk.services import session as sessions
from crmdesk.services import signin
from crmdesk.services.clients import ClientService
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.reports import PrintedReport, ReportCancelled, ReportService
from crmdesk.services.session import KeyStore, Session

PAGES = (
    ("clients", "Clients"),
    ("followups", "Follow-ups"),
    ("seasonal", "Seasonal outlook"),
    ("birthdays", "Birthdays"),
)


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: Session,
        folder: Path,
        *,
        keystore: KeyStore | None = None,
        keyring_usable: bool | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__()
        self.session, self.folder = session, folder
        self._keystore, self._keyring_usable = keystore, keyring_usable
        self.service = ClientService(session, today=today)
        self._demo_op: Operation | None = None
        self._report_op: Operation | None = None
        self.reports = ReportService(session, today=today)
        self.setWindowTitle(f"crmdesk — {folder.name}")
        self.setWindowIcon(icon("crmdesk"))

        self.list_panel = ClientListPanel(self.service)
        self.editor = ClientEditor(self.service)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(1, 2)
        self.followups = FollowUpsView(self.service, today=today)
        self.seasonal = SeasonalOutlookView(self.service, today=today)
        self.birthdays = BirthdaysView(self.service, today=today)

        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
        self.pages = QStackedWidget()
        for (name, label), page in zip(
            PAGES, (self.splitter, self.followups, self.seasonal, self.birthdays), strict=True
        ):
            QListWidgetItem(icon(name), label, self.nav)
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self._show_page)

        workspace = QSplitter(Qt.Orientation.Horizontal)
        workspace.addWidget(self.nav)
        workspace.addWidget(self.pages)
        workspace.setCollapsible(1, False)
        self.lock_screen = LockScreen(session.full_name)
        self.central = QStackedWidget()
        self.central.addWidget(workspace)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)

        self._build_actions()
        self._connect()
        self.security_label = QLabel()
        self.statusBar().addPermanentWidget(self.security_label)
        self._update_security_state()
        self.idle = IdleWatcher(app_settings.idle_minutes(), self)
        self.idle.idle.connect(self.lock_idle)
        self.nav.setCurrentRow(0)
        self._restore_layout()

    # -- building ---------------------------------------------------------------------

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: str | None = None, icon_name=None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action("&New client", self.new_client, "Ctrl+N", "add")
        self.act_save = self._action("&Save", self.editor.save, "Ctrl+S", "save")
        self.act_revert = self._action("&Revert changes", self.editor.revert, None, "revert")
        self.act_delete = self._action("&Delete client…", self.editor.delete_client, None, "delete")
        self.act_find = self._action("&Find…", self.find, "Ctrl+F", "search")
        self.act_print = self._action("&Print client summary…", self.print_summary, "Ctrl+P")
        self.act_print_list = self._action("Print client &list…", self.print_client_list)
        self.act_print_calls = self._action("Print &call list…", self.print_call_list)
        self.act_trace = self._action("&Trace a document…", self.trace_document)
        self.act_lock = self._action("&Lock", self.lock, "Ctrl+L", "lock")
        self.act_demo = self._action("Add &demo clients…", self.add_demo_clients, None, "demo")
        self.act_settings = self._action("&Auto-lock…", self.change_idle_minutes, None, "settings")
        self.act_password = self._action("Set sign-in &password…", self.set_password)
        self.act_quit = self._action("&Quit", self.close, "Ctrl+Q")
        self.act_save.setEnabled(False)
        self.act_revert.setEnabled(False)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.act_new, self.act_save, self.act_revert, self.act_delete):
            file_menu.addAction(act)
        file_menu.addSeparator()
        for act in (self.act_print, self.act_print_list, self.act_print_calls):
            file_menu.addAction(act)
        file_menu.addSeparator()
        file_menu.addAction(self.act_lock)
        file_menu.addAction(self.act_quit)
        bar.addMenu("&Edit").addAction(self.act_find)
        tools = bar.addMenu("&Tools")
        for act in (self.act_trace, self.act_demo, self.act_settings, self.act_password):
            tools.addAction(act)
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (self.act_new, self.act_save, self.act_find, self.act_lock):
            self.toolbar.addAction(act)

    def _connect(self) -> None:
        self.list_panel.current_client_changed.connect(self._open_client)
        self.editor.saved.connect(self._after_save)
        self.editor.deleted.connect(lambda _id: self.list_panel.refresh())
        self.editor.dirty_changed.connect(self.act_save.setEnabled)
        self.editor.dirty_changed.connect(self.act_revert.setEnabled)
        for view in (self.followups, self.seasonal, self.birthdays):
            view.client_activated.connect(self.show_client)
        self.lock_screen.unlock_requested.connect(self.unlock)
        self.lock_screen.set_password_requested.connect(self.set_password)

    # -- clients ----------------------------------------------------------------------

    def _show_page(self, row: int) -> None:
        if row > 0 and not self.editor.maybe_save(self):
            self.nav.setCurrentRow(0)
            return
        self.pages.setCurrentIndex(row)
        view = self.pages.currentWidget()
        if hasattr(view, "refresh"):
            view.refresh()

    def _open_client(self, client_id: object) -> None:
        if client_id is None or client_id == self.editor.client_id():
            return
        if not self.editor.maybe_save(self):
            self.list_panel.select_client(self.editor.client_id())
            return
        self.editor.load(int(client_id))  # type: ignore[arg-type]

    def show_client(self, client_id: int) -> None:
        """Open a client from the day's views."""
        self.nav.setCurrentRow(0)
        if self.editor.maybe_save(self):
            self.editor.load(client_id)
            self.list_panel.select_client(client_id)

    def _after_save(self, client_id: int) -> None:
        self.list_panel.refresh()
        self.list_panel.select_client(client_id)
        self.statusBar().showMessage("Saved.", 3000)

    def new_client(self) -> None:
        self.nav.setCurrentRow(0)
        if self.editor.maybe_save(self):
            self.editor.new_client()

    def find(self) -> None:
        self.nav.setCurrentRow(0)
        self.list_panel.focus_search()

    def add_demo_clients(self) -> None:
        count, ok = QInputDialog.getInt(
            self, "Add demo clients", "How many realistic demo clients?", 200, 1, 100_000, 100
        )
        if not ok:
            return
        session = self.session

        def work(job: Job) -> int:
            return create_demo_clients(
                session, count, progress=job.progress, cancelled=job.cancelled
            )

        def done(made: int) -> None:
            self.list_panel.refresh()
            self.statusBar().showMessage(f"Added {made:,} demo clients.", 5000)

        self._demo_op = run_with_progress(
            self, "Adding demo clients", count, work, done, lambda e: show_error(self, e)
        )

    # -- reports ----------------------------------------------------------------------

    def _preview(self, report: PrintedReport) -> None:
        self._last_preview = ReportPreview(self.reports, report, self)
        self._last_preview.show()

    def _build_report(self, title: str, total: int, make: Callable[[Job], PrintedReport]) -> None:
        """Reports are built off the GUI thread (a big client takes a few hundred ms)."""
        self._report_op = run_with_progress(
            self,
            title,
            total,
            make,
            self._preview,
            lambda e: None if isinstance(e, ReportCancelled) else show_error(self, e),
        )

    def print_summary(self) -> None:
        client_id = self.editor.client_id()
        if client_id is None:
            self.statusBar().showMessage("Open a client first, then print its summary.", 5000)
            return
        if not self.editor.maybe_save(self):
            return
        reports = self.reports
        self._build_report(
            "Building the client summary", 1, lambda job: reports.client_summary(client_id)
        )

    def print_client_list(self) -> None:
        query = self.list_panel.query()
        reports = self.reports
        self._build_report(
            "Building the client list",
            self.service.count(query),
            lambda job: reports.client_list(query, progress=job.progress, cancelled=job.cancelled),
        )

    def print_call_list(self) -> None:
        reports = self.reports
        self._build_report("Building the call list", 1, lambda job: reports.call_list())

    def trace_document(self) -> None:
        TraceDialog(self.reports, self).exec()

    # -- security ---------------------------------------------------------------------

    def _update_security_state(self) -> None:
        if not self.session.is_open:
            self.security_label.setText("Locked")
            return
        vault = self.session.vault
        where = (
            "key wrapped by passphrase"
            if vault.meta.key_storage == "passphrase"
            else f"key in {vault.key_source}"
        )
        self.security_label.setText(f"Encrypted · {where} · {self.session.full_name}")
        self.security_label.setToolTip(f"Vault {vault.meta.vault_id}\nKey {vault.key_location()}")

    def lock_idle(self) -> None:
        # Not in the middle of background work: it holds the open vault. The progress
        # dialog is on screen meanwhile; the idle timer starts again when it ends.
        if any(op is not None and op.is_running() for op in (self._demo_op, self._report_op)):
            self.idle.resume()
            return
        self.lock(ask=False)

    def lock(self, ask: bool = True) -> None:
        """Hide everything, close the database and drop the key bytes."""
        if not self.session.is_open:
            return
        if ask and not self.editor.maybe_save(self):
            return
        # Unsaved edits stay in the editor (in memory) and can be saved after unlocking.
        try:
            password_set = signin.has_password(self.session)
            sessions.lock(self.session)
        except CrmdeskError as exc:
            show_error(self, exc)
            self.session.close()
            password_set = False
        self.idle.pause()
        self.lock_screen.set_password_required(password_set)
        self.central.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.toolbar.setEnabled(False)
        self._update_security_state()

    def unlock(self) -> None:
        """Reopen through the same path as at start: keyring, else passphrase or recovery."""
        try:
            fresh = self._reopen()
        except CrmdeskError as exc:
            self.lock_screen.show_error_text(exc.message)
            return
        if fresh is None:
            return
        self.session.reattach(fresh)
        if signin.has_password(self.session) and not signin.check_password(
            self.session, self.lock_screen.password()
        ):
            self.session.close()
            self.lock_screen.show_error_text("That password is not right. Try again.")
            return
        with self.session.vault.transaction():
            self.session.vault.record_event(
                self.session.actor, "session.unlocked", object=self.session.actor
            )
        self.lock_screen.show_error_text("")
        self.central.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.toolbar.setEnabled(True)
        self.idle.resume()
        self._update_security_state()

    def _reopen(self) -> Session | None:
        needs_passphrase = sessions.needs_passphrase(self.folder)
        if not needs_passphrase:
            try:
                return sessions.unlock(self.folder, keystore=self._keystore)
            except CrmdeskError as exc:
                reason = exc.message
        else:
            reason = "This vault is protected by its master passphrase."
        dialog = UnlockDialog(
            self.folder,
            reason,
            needs_passphrase=needs_passphrase,
            keystore=self._keystore,
            keyring_usable=self._keyring_usable,
            parent=self,
        )
        if dialog.exec() and dialog.session() is not None:
            return dialog.session()
        return None

    def set_password(self) -> None:
        if not self.session.is_open:
            self.unlock()
            if not self.session.is_open:
                return
        dialog = SetPasswordDialog(self)
        if dialog.exec():
            try:
                signin.set_password(self.session, dialog.password())
            except CrmdeskError as exc:
                show_error(self, exc)
                return
            self.statusBar().showMessage("Sign-in password set: unlocking now asks for it.", 5000)

    def change_idle_minutes(self) -> None:
        minutes, ok = QInputDialog.getInt(
            self,
            "Auto-lock",
            "Lock crmdesk after this many idle minutes:",
            app_settings.idle_minutes(),
            1,
            240,
        )
        if ok:
            app_settings.set_idle_minutes(minutes)
            self.idle.set_minutes(minutes)

    # -- closing ----------------------------------------------------------------------

    def _restore_layout(self) -> None:
        store = app_settings.settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = store.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        split = store.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)
        else:
            self.splitter.setSizes([480, 800])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.session.is_open and not self.editor.maybe_save(self):
            event.ignore()
            return
        store = app_settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.setValue("window/splitter", self.splitter.saveState())
        if self.session.is_open:
            self.session.close()
        event.accept()
