"""The main window: clients, the day's work, and the lock. It composes widgets; every
read and write goes through the services held by the session, on the database worker
(:mod:`crmdesk.gui.ops`). The list, the editor and the day views do not call each
other about changes: each listens to the window's change notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QLabel,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
)

from crmdesk.domain.roles import Permission, allowed
from crmdesk.errors import CrmdeskError, SignInFailed, SignInThrottled
from crmdesk.gui import settings as app_settings
from crmdesk.gui.clients.detail.editor import ClientEditor
from crmdesk.gui.clients.list_panel import ClientListPanel
from crmdesk.gui.clipboard_guard import ClipboardGuard, ask_clear_seconds
from crmdesk.gui.closing import backup_on_close
from crmdesk.gui.egress import EgressMixin
from crmdesk.gui.errors import error_text, show_error
from crmdesk.gui.icons import icon
from crmdesk.gui.idle import IdleWatcher
from crmdesk.gui.navigation import Navigation
from crmdesk.gui.office_menu import OfficeHost, OfficeMenu
from crmdesk.gui.ops import (
    ChangeNotices,
    ClientChanges,
    Job,
    Operation,
    QueryOp,
    hold_work,
    release_work,
    run_with_progress,
    settle,
)
from crmdesk.gui.paper_menu import add_paper_menu, current_paper
from crmdesk.gui.people.gates import pass_gates
from crmdesk.gui.people.password_dialog import ChangePasswordDialog
from crmdesk.gui.people.policy_dialog import PolicyDialog
from crmdesk.gui.security_words import status_line, status_tip
from crmdesk.gui.today.views import BirthdaysView, FollowUpsView, SeasonalOutlookView
from crmdesk.gui.vault_flows.lock_screen import LockScreen, SetPasswordDialog
from crmdesk.gui.vault_flows.unlock import UnlockDialog
from crmdesk.gui.watermark import Watermarks
from crmdesk.gui.widgets.formats import warm_up
from crmdesk.gui.words import words
from crmdesk.services import session as sessions
from crmdesk.services import signin, unlocking
from crmdesk.services.clients import ClientService
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.session import KeyStore, Session, Unlocked
from crmdesk.services.vault_state import security_state

if TYPE_CHECKING:
    from crmdesk.services.reports import ReportService

PAGES = (
    ("clients", "Clients"),
    ("followups", "Follow-ups"),
    ("seasonal", "Seasonal outlook"),
    ("birthdays", "Birthdays"),
)


class MainWindow(EgressMixin, OfficeHost):
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
        self.session, self.folder, self.today = session, folder, today
        self._keystore, self._keyring_usable = keystore, keyring_usable
        self.service = ClientService(session, today=today)
        self.notices = ChangeNotices(self)
        self._demo_op: Operation | None = None
        self._report_op: Operation | None = None
        self._reports: ReportService | None = None  # made when first printing
        self.setWindowTitle(f"crmdesk — {folder.name}")
        self.setWindowIcon(icon("crmdesk"))

        self.list_panel = ClientListPanel(self.service, notices=self.notices)
        self.editor = ClientEditor(
            self.service, user=session.user, today=today, notices=self.notices
        )
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(1, 2)
        # The day's views read their lists the first time they are shown, not now.
        self.followups = FollowUpsView(self.service, today=today, notices=self.notices)
        self.seasonal = SeasonalOutlookView(self.service, today=today, notices=self.notices)
        self.birthdays = BirthdaysView(self.service, today=today, notices=self.notices)

        self.nav = Navigation()
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
        # The signed-in name over every view of client information (the owner's setting).
        self.watermarks = Watermarks(
            [self.list_panel, self.editor, self.followups, self.seasonal, self.birthdays],
            session.full_name,
            today,
        )
        self.central = QStackedWidget()
        self.central.addWidget(workspace)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)

        self._build_actions()
        self.office = OfficeMenu(self)
        self._connect()
        self.security_label = QLabel()
        self.statusBar().addPermanentWidget(self.security_label)
        self.apply_role()
        self.update_security_state()
        self.idle = IdleWatcher(app_settings.idle_minutes(), self)
        self.clipboard_guard = ClipboardGuard(self)
        self.idle.idle.connect(self.lock_idle)
        self.nav.setCurrentRow(0)
        self._restore_layout()
        self._keep_spend_current()

    def _keep_spend_current(self) -> None:
        """12-month spends drift as days pass: worked out for today in the background,
        once a day, so that sorting by spend never waits for it."""
        service = self.service

        def background() -> None:
            service.keep_spend_current()
            warm_up()  # the phone tables the first client shown needs, loaded here

        QueryOp(parent=self, op=background, success=lambda _none: None).failure(
            lambda _exc: None  # the next sort by spend tries again
        ).run_in_background()

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
        self.act_print_brief = self._action("Print &meeting brief…", self.print_brief)
        self.act_print_list = self._action("Print client &list…", self.print_client_list)
        self.act_print_calls = self._action("Print &call list…", self.print_call_list)
        self.act_copy = self._action("&Copy selected clients", self.copy_selection, "Ctrl+C")
        # Ctrl+C is the client table's (its key goes to copy_selection); in text fields
        # it stays their own copy.
        self.act_copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_copy.setToolTip("Copy the selected clients as a table (Ctrl+C); recorded")
        self.act_copy.setIconText("Copy")
        self.act_trace = self._action("&Trace a document…", self.trace_document)
        self.act_lock = self._action("&Lock", self.lock, "Ctrl+L", "lock")
        self.act_demo = self._action("Add &demo clients…", self.add_demo_clients, None, "demo")
        self.act_settings = self._action("&Auto-lock…", self.change_idle_minutes, None, "settings")
        self.act_password = self._action("Sign-in &password…", self.change_own_password)
        self.act_clipboard = self._action(
            "Clear c&lipboard after…", lambda: ask_clear_seconds(self)
        )
        self.act_read_policy = self._action("Confidentiality &policy", self.read_policy)
        self.act_quit = self._action("&Quit", self.close, "Ctrl+Q")
        self.act_save.setEnabled(False)
        self.act_revert.setEnabled(False)

        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        for act in (self.act_new, self.act_save, self.act_revert, self.act_delete):
            file_menu.addAction(act)
        file_menu.addSeparator()
        for act in (
            self.act_print,
            self.act_print_brief,
            self.act_print_list,
            self.act_print_calls,
        ):
            file_menu.addAction(act)
        file_menu.addSeparator()
        file_menu.addAction(self.act_lock)
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.act_copy)
        edit_menu.addAction(self.act_find)
        self.office_menu = bar.addMenu("&Office")
        tools = bar.addMenu("&Tools")
        for act in (
            self.act_trace, self.act_demo, self.act_settings, self.act_clipboard,
            self.act_password,
        ):  # fmt: skip
            tools.addAction(act)
        self.paper_group = add_paper_menu(tools, self, self._set_paper)
        bar.addMenu("&Help").addAction(self.act_read_policy)
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (self.act_new, self.act_save, self.act_find, self.act_copy, self.act_lock):
            self.toolbar.addAction(act)
        self.list_panel.table.addAction(self.act_copy)  # its context menu

    def _connect(self) -> None:
        self.list_panel.current_client_changed.connect(self._open_client)
        self.editor.saved.connect(self._after_save)
        self.editor.dirty_changed.connect(self.act_save.setEnabled)
        self.editor.dirty_changed.connect(self.act_revert.setEnabled)
        for view in (self.followups, self.seasonal, self.birthdays):
            view.client_activated.connect(self.show_client)
        self.lock_screen.unlock_requested.connect(self.unlock)
        self.lock_screen.set_password_requested.connect(self.set_password)
        self.list_panel.copy_requested.connect(self.copy_selection)
        self.list_panel.table.selectionModel().selectionChanged.connect(self._update_copy)
        self.list_panel.model.modelReset.connect(self._update_copy)

    def apply_role(self) -> None:
        """Show what the signed-in person's role allows; hide the rest (the services
        refuse it anyway). Again after an unlock: the owner may have changed the role."""
        role = self.session.role
        for action, permission in (
            (self.act_delete, Permission.DELETE_CLIENT),
            (self.act_print, Permission.PRINT_CLIENT),
            (self.act_print_brief, Permission.PRINT_CLIENT),
            (self.act_print_list, Permission.PRINT_LIST),
            (self.act_print_calls, Permission.PRINT_CALL_LIST),
            (self.act_copy, Permission.EXPORT),
            (self.act_demo, Permission.DEMO_DATA),
            (self.act_trace, Permission.VIEW_ACTIVITY),
        ):
            action.setVisible(allowed(role, permission))
        self.list_panel.table.setContextMenuPolicy(
            Qt.ContextMenuPolicy.ActionsContextMenu
            if allowed(role, Permission.EXPORT)
            else Qt.ContextMenuPolicy.PreventContextMenu
        )
        value_added = allowed(role, Permission.VIEW_VALUE_ADDED)
        for page in (self.seasonal, self.birthdays):  # seasons and birthdays: value-added
            self.nav.item(self.pages.indexOf(page)).setHidden(not value_added)
        if not value_added and self.pages.currentWidget() in (self.seasonal, self.birthdays):
            self.nav.setCurrentRow(0)
        self.list_panel.set_value_added_filters(value_added)
        self.editor.set_user(self.session.user)
        self.office.apply_role()
        self._update_copy()

    def _update_copy(self, *_args: object) -> None:
        self.act_copy.setEnabled(bool(self.list_panel.table.selectionModel().hasSelection()))

    @property
    def reports(self) -> ReportService:
        """The report service, loaded when first used: reportlab is not needed at start."""
        if self._reports is None:
            from crmdesk.services.reports import ReportService

            self._reports = ReportService(self.session, today=self.today, paper=current_paper())
        return self._reports

    def _set_paper(self, paper: str) -> None:
        if self._reports is not None:  # else it is made with the paper chosen
            self._reports.paper = paper

    @property
    def keystore(self) -> KeyStore | None:
        """The keyring the window unlocks with (None: the OS keyring)."""
        return self._keystore

    # -- clients ----------------------------------------------------------------------

    def _show_page(self, row: int) -> None:
        if row > 0 and not self.editor.maybe_save(self):
            self.nav.setCurrentRow(0)
            return
        self.pages.setCurrentIndex(row)  # a day view reads its list when shown

    def _open_client(self, client_id: object) -> None:
        if client_id is None or client_id == self.editor.client_id():
            return
        if not self.editor.maybe_save(self):
            self.list_panel.select_client(self.editor.client_id())
            return
        self.editor.load(int(client_id))  # type: ignore[arg-type]

    def show_client(self, client_id: int) -> None:
        """Open a client from the day's views: the list selects it too (found in the
        list however far down, the filters cleared if they hide it)."""
        self.nav.setCurrentRow(0)
        if self.pages.currentWidget() is not self.splitter:
            return  # unsaved changes kept the person where they were
        if self.editor.maybe_save(self):
            self.editor.load(client_id)
            self.list_panel.select_client(client_id)

    def _after_save(self, client_id: int) -> None:
        # The list reloads itself on the change notice; a new client is selected there.
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
            self.notices.announce(ClientChanges.all_clients())
            self.statusBar().showMessage(f"Added {made:,} demo clients.", 5000)

        self._demo_op = run_with_progress(
            self, "Adding demo clients", count, work, done, lambda e: show_error(self, e)
        )

    # -- security ---------------------------------------------------------------------

    def update_security_state(self) -> None:
        if not self.session.is_open:
            self.security_label.setText("Locked")
            return
        state = security_state(self.session)
        self.security_label.setText(status_line(state, self.session.user))
        tip = status_tip(state, self.session.user)
        shared = sessions.sharing_warning(state.folder)
        if shared:  # said in the status bar for as long as the vault is open there
            self.security_label.setText("⚠ Shared folder · " + self.security_label.text())
            tip = f"{words(shared)}\n\n{tip}"
        self.security_label.setToolTip(tip)

    def lock_idle(self) -> None:
        # Not in the middle of background work: it holds the open vault. The progress
        # dialog is on screen meanwhile; the idle timer starts again when it ends.
        running = (op is not None and op.is_running() for op in (self._demo_op, self._report_op))
        if any(running) or self.office.busy():
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
        self.list_panel.record_search()  # a search typed just before counts too
        settle()  # ...and is written before the vault closes
        # Nothing may read the vault while it closes; work asked for meanwhile waits.
        hold_work()
        try:
            several = unlocking.sign_in_required(self.session)
            password_set = several or signin.has_password(self.session)
            sessions.lock(self.session)
        except CrmdeskError as exc:
            show_error(self, exc)
            self.session.close()
            several = password_set = False
        self.idle.pause()
        self.clipboard_guard.clear()  # a copied list does not outlive the lock
        self.lock_screen.set_locked_by(self.session.full_name if several else "")
        self.lock_screen.clear_password()
        self.lock_screen.set_password_required(password_set)
        self.central.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.toolbar.setEnabled(False)
        self.update_security_state()

    def unlock(self) -> None:
        """Reopen through the same path as at start (keyring, else passphrase or recovery),
        then the person who locked signs in again with the lock screen's password."""
        try:
            unlocked = self._reopen()
            if unlocked is None:
                return
            fresh = self._sign_in_again(unlocked)
            if fresh is None:
                return
            self.session.reattach(fresh)
        except CrmdeskError as exc:
            self.lock_screen.show_error_text(error_text(exc))
            return
        self.lock_screen.clear_password()
        # The policy may have changed, or a password been reset, while this was locked.
        if not pass_gates(self, self.session):
            self.session.close()
            self.lock_screen.show_error_text(
                "crmdesk stays locked: the vault is closed and nothing was shown."
            )
            return
        unlocking.record_unlock(self.session)
        release_work(run=True)  # what was asked for while locked, now the vault is open
        self.lock_screen.show_error_text("")
        self.lock_screen.clear_error()
        self.apply_role()
        self.office.refresh_watermark()
        self.central.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.toolbar.setEnabled(True)
        self.idle.resume()
        self.update_security_state()

    def _sign_in_again(self, unlocked: Unlocked) -> Session | None:
        """The locked person's session, checked with the password typed on the lock
        screen; None (vault closed, message shown) when it is wrong or must wait."""
        password = self.lock_screen.password()
        try:
            if unlocked.sign_in_required():
                return unlocked.sign_in(self.session.actor, password)
            fresh = unlocked.sole_user()
            if signin.check_password(fresh, password):
                return fresh
            raise SignInFailed("That password is not right. Try again.", code="signin.wrong")
        except SignInThrottled as exc:
            unlocked.close()
            self.lock_screen.show_error_text(error_text(exc))
        except SignInFailed as exc:
            unlocked.close()
            wrong = exc.code == "signin.wrong"
            self.lock_screen.show_error_text(
                "That password is not right. Try again." if wrong else error_text(exc)
            )
        except BaseException:
            unlocked.close()
            raise
        return None

    def _reopen(self) -> Unlocked | None:
        needs_passphrase = sessions.needs_passphrase(self.folder)
        if not needs_passphrase:
            try:
                return sessions.open_vault(self.folder, keystore=self._keystore)
            except CrmdeskError as exc:
                reason = error_text(exc)
        else:
            reason = "This vault is protected by its master passphrase."
        dialog = UnlockDialog(
            self.folder,
            reason,
            needs_passphrase=needs_passphrase,
            keystore=self._keystore,
            keyring_usable=self._keyring_usable,
            parent=self,
            sign_in=False,
        )
        if dialog.exec() and dialog.unlocked() is not None:
            return dialog.unlocked()
        return None

    def change_own_password(self) -> None:
        """Tools › Sign-in password: change it, or set a first one."""
        if not self.session.is_open:
            return
        if not signin.has_password(self.session):
            self.set_password()
            return
        if ChangePasswordDialog(self.session, self).exec() == QDialog.DialogCode.Accepted:
            self.statusBar().showMessage("Your sign-in password was changed.", 5000)

    def read_policy(self) -> None:
        """Help › Confidentiality policy: the text in force, for everyone to read again."""
        try:
            PolicyDialog(self.session, self, must_accept=False).exec()
        except CrmdeskError as exc:
            show_error(self, exc)

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
            self.resize(self._first_size())
        state = store.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.nav.fit_window(self.width())
        split = store.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)
        else:
            self.splitter.setSizes(self._first_split(self.width()))

    def _first_size(self) -> QSize:
        """1440 x 900 where it fits; a smaller screen's whole working area otherwise."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            return QSize(1280, 800)
        # Less the title bar and borders the window manager adds.
        return QSize(min(1440, screen.width() - 16), min(900, screen.height() - 40))

    def _first_split(self, width: int) -> list[int]:
        """The client list as wide as its columns need, the editor the rest."""
        room = width - self.nav.width() - 24
        wanted = self.list_panel.preferred_width()
        shown = max(min(wanted, room - 520), room // 2)
        return [shown, room - shown]

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.nav.fit_window(event.size().width())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.session.is_open and not self.editor.maybe_save(self):
            event.ignore()
            return
        store = app_settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.setValue("window/splitter", self.splitter.saveState())
        self.clipboard_guard.clear()  # nor crmdesk itself
        if self.session.is_open:
            self.list_panel.record_search()
        settle()  # the database work under way ends before the vault closes
        release_work(run=False)
        if self.session.is_open:
            backup_on_close(self, self.session)
            self.session.close()
        event.accept()
