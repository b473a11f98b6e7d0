"""The office's sync in the main window: its menu items, the Sync page, the status bar's
sync indicator and the background runner.

Built by the Office menu (:class:`crmdesk.gui.office_menu.OfficeMenu`) into the window
it is given. What shows depends on the vault, read on the database worker at start:
not an office yet, the owner sees Office › Make this vault an office…; once it is one,
File › Sync now (Ctrl+Shift+S), Clients › Conflicts…, the Sync page, the indicator and
the two-minute sync appear, and on the office's own vault Office › Invite a laptop….
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QStyle,
)

from crmdesk.domain.roles import Permission, allowed
from crmdesk.gui.ops import ChangeNotices
from crmdesk.gui.sync import texts
from crmdesk.gui.sync.runner import Synced, SyncRunner
from crmdesk.services.replication.status import SyncStatus
from crmdesk.services.session import Session

if TYPE_CHECKING:
    from crmdesk.gui.sync.page import SyncPage


class SyncHost(QMainWindow):
    """What the sync needs of the window it is built into (the main window, through the
    Office menu's :class:`~crmdesk.gui.office_menu.OfficeHost`; declared here, as there,
    so that neither module imports the other)."""

    session: Session
    notices: ChangeNotices
    office_menu: QMenu
    file_menu: QMenu
    act_lock: QAction
    nav: QListWidget
    pages: QStackedWidget

    def show_client(self, client_id: int) -> None:
        raise NotImplementedError

    def apply_role(self) -> None:
        raise NotImplementedError

    def update_security_state(self) -> None:
        raise NotImplementedError


SHORTCUT = "Ctrl+Shift+S"
OWNER_KIND = "owner"


class SyncMenus:
    """Everything of the office's sync that the main window shows."""

    def __init__(self, window: SyncHost) -> None:
        self.window = window
        self.runner = SyncRunner(window.session, window, window.notices)
        # On a laptop the office names its person's role at the first sync (and may change
        # it later): the window then shows what that role allows.
        self._role = window.session.role
        self.page: SyncPage | None = None
        self.act_make = self._action("Make this vault an &office…", self.make_office)
        self.act_invite = self._action("&Invite a laptop…", self.invite)
        self.act_sync = self._action("S&ync now", self.sync_now)
        self.act_sync.setShortcut(QKeySequence(SHORTCUT))
        self.act_sync.setToolTip("Send this device's changes and take the other devices'")
        self.act_conflicts = self._action("&Conflicts…", self.show_conflicts)
        self.act_conflicts.setToolTip(
            "Fields changed on two devices without either seeing the other: settle them"
        )
        self.act_page = self._action("Sync &page", self.show_page)

        menu = window.office_menu
        menu.addSeparator()
        for act in (self.act_make, self.act_invite, self.act_page):
            menu.addAction(act)
        window.file_menu.insertAction(window.act_lock, self.act_sync)
        window.file_menu.insertSeparator(window.act_lock)
        self.clients_menu = QMenu("&Clients", window)
        self.clients_menu.addAction(self.act_conflicts)
        window.menuBar().insertMenu(menu.menuAction(), self.clients_menu)

        self.indicator = QLabel()
        self.indicator.setObjectName("syncIndicator")
        # Set apart from the security line beside it, in either palette.
        self.indicator.setStyleSheet(
            "QLabel#syncIndicator { padding: 0 8px; border-right: 1px solid palette(mid); }"
        )
        self.indicator.hide()
        window.statusBar().insertPermanentWidget(0, self.indicator)

        self.runner.status_read.connect(self._status_read)
        self.runner.began.connect(self._show_indicator)
        self.runner.synced.connect(self._synced)
        self._apply(None)  # the state is read when the window applies the role

    def _action(self, text: str, slot) -> QAction:  # noqa: ANN001 - a slot
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- what shows ---------------------------------------------------------------------

    def busy(self) -> bool:
        """True while the runner or the Sync page's conflicts use the vault."""
        page_busy = self.page is not None and (
            self.page.conflicts.is_busy() or self.page.conflicts.is_settling()
        )
        return self.runner.busy() or page_busy

    def permissions(self) -> list[QAction]:
        """The Office menu's items here (the menu shows when one of them is visible)."""
        return [self.act_make, self.act_invite, self.act_page]

    def apply_role(self) -> None:
        self._apply(self.runner.status)
        if self.window.session.is_open:
            self.runner.read_status()  # after an unlock too: it may have changed

    def _apply(self, status: SyncStatus | None) -> None:
        owner = allowed(self.window.session.role, Permission.MANAGE_USERS)
        office = status is not None
        self.act_make.setVisible(owner and not office)
        self.act_invite.setVisible(owner and office and status.kind == OWNER_KIND)  # type: ignore[union-attr]
        for act in (self.act_sync, self.act_conflicts, self.act_page):
            act.setVisible(office)
        self.clients_menu.menuAction().setVisible(office)
        self.indicator.setVisible(office)
        if office and self.page is None:
            self._add_page()

    def _add_page(self) -> None:
        from crmdesk.gui.sync.page import SyncPage  # made once the vault is an office

        window = self.window
        self.page = SyncPage(window.session, self.runner, window.notices, window)
        self.page.client_activated.connect(window.show_client)
        self.page.conflicts.settled.connect(lambda _client: self.runner.read_status())
        window.pages.addWidget(self.page)
        reload_icon = window.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
        QListWidgetItem(reload_icon, "Sync", window.nav)

    def _status_read(self, status: SyncStatus | None) -> None:
        self._apply(status)
        self._show_indicator()
        office_shown = self.window.office_menu.menuAction()
        if status is not None and not office_shown.isVisible():
            office_shown.setVisible(any(a.isVisible() for a in self.permissions()))

    def _show_indicator(self) -> None:
        text, tip = texts.indicator(
            self.runner.status,
            failed=self.runner.last_failure,
            failed_at=self.runner.failed_at,
            syncing=self.runner.busy(),
            own_device=self.runner.own_device(),
        )
        self.indicator.setText(text)
        self.indicator.setToolTip(tip)

    def _synced(self, synced: Synced) -> None:
        self._show_indicator()
        if self.window.session.role != self._role:
            self._role = self.window.session.role
            self.window.apply_role()
            self.window.update_security_state()
        bar = self.window.statusBar()
        if synced.report is None:
            if synced.manual:
                bar.showMessage(synced.failure, 15_000)
        elif synced.manual or synced.report.joined:
            bar.showMessage(texts.report_text(synced.report), 8_000)

    # -- actions ------------------------------------------------------------------------

    def sync_now(self) -> None:
        """File › Sync now."""
        if self.runner.busy():
            self.window.statusBar().showMessage("A sync is under way already.", 4_000)
            return
        self.runner.sync_now(manual=True)

    def show_page(self) -> None:
        if self.page is not None:
            self.window.nav.setCurrentRow(self.window.pages.indexOf(self.page))

    def make_office(self) -> None:
        from crmdesk.gui.sync.office_dialogs import MakeOfficeDialog

        dialog = MakeOfficeDialog(self.window.session, self.window)
        if dialog.exec() and dialog.office is not None:
            self.window.statusBar().showMessage(
                f"This vault is now an office sharing {dialog.office.folder}. Invite each "
                "laptop with Office › Invite a laptop….",
                10_000,
            )
            self.runner.read_status()

    def invite(self) -> None:
        from crmdesk.gui.sync.office_dialogs import InviteDialog

        InviteDialog(self.window.session, self.window).exec()
        self.runner.read_status()

    def show_conflicts(self) -> None:
        """Clients › Conflicts…"""
        from crmdesk.gui.sync.conflicts import ConflictsDialog

        dialog = ConflictsDialog(self.window.session, self.window.notices, self.window)
        dialog.view.settled.connect(lambda _client: self.runner.read_status())
        dialog.exec()
        if dialog.opened_client is not None:
            self.window.show_client(dialog.opened_client)
