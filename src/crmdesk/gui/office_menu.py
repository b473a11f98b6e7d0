"""The owner's Office menu and Activity page: users, the policy, the screen watermark,
the reasonable-measures report, offboarding and key rotation; also importing and
exporting clients (Owner and Manager) and the automatic-backup settings
(``crmdesk.gui.data_io``).

Kept apart from the main window so that it stays readable. Every action is shown only
to a role the services allow (mostly the owner); the services check again anyway.
The Activity page and the offboarding screens live in their own packages
(``crmdesk.gui.activity``, ``crmdesk.gui.offboarding``).

The main window builds this menu, so this module does not import it: what the menu
needs of the window is declared by :class:`OfficeHost`, which the window inherits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
)

from crmdesk.domain.roles import Permission, allowed
from crmdesk.errors import CrmdeskError
from crmdesk.gui.activity.page import ActivityPage
from crmdesk.gui.clients.list_panel import ClientListPanel
from crmdesk.gui.coverage_page import CoveragePage
from crmdesk.gui.errors import show_error
from crmdesk.gui.icons import icon
from crmdesk.gui.ops import ChangeNotices, ClientChanges
from crmdesk.gui.sync.menus import SyncMenus
from crmdesk.gui.watermark import Watermarks
from crmdesk.gui.widgets import formats
from crmdesk.services.session import KeyStore, Session
from crmdesk.services.settings import change_settings, watermark_on
from crmdesk.services.settings import settings as vault_settings

# The Coverage page is the owner's evidence, beside the measures report (a Manager or a
# Salesperson gets their own figures from `crmdesk coverage`).
COVERAGE_PAGE = Permission.MEASURES_REPORT


class OfficeHost(QMainWindow):
    """What the Office menu needs of the window it is built into (the main window)."""

    session: Session
    today: Callable[[], dt.date]
    office_menu: QMenu
    nav: QListWidget
    pages: QStackedWidget
    list_panel: ClientListPanel
    notices: ChangeNotices
    watermarks: Watermarks
    file_menu: QMenu  # File › Sync now goes in before...
    act_lock: QAction  # ...Lock

    @property
    def keystore(self) -> KeyStore | None:
        raise NotImplementedError

    def build_measures_report(self) -> None:
        raise NotImplementedError

    def build_coverage_report(self) -> None:
        raise NotImplementedError

    def show_client(self, client_id: int) -> None:
        raise NotImplementedError

    def update_security_state(self) -> None:
        raise NotImplementedError


class OfficeMenu:
    """Builds the Office menu into ``window.office_menu`` and the owner's Activity page."""

    def __init__(self, window: OfficeHost) -> None:
        self.window = window
        menu = window.office_menu
        self.act_users = self._action("&Users…", self.manage_users)
        self.act_policy = self._action("Confidentiality &policy…", self.edit_policy)
        self.act_watermark = self._action("Screen &watermark", self.toggle_watermark)
        self.act_watermark.setCheckable(True)
        self.act_currency = self._action("&Currency…", self.choose_currency)
        self.act_currency.setToolTip("The currency amounts are shown in, for everyone")
        self.act_watermark.setToolTip(
            "Tile the signed-in person's name and the date faintly over client screens, "
            "for everyone who opens this vault (on by itself once the vault has a second "
            "user, until you choose)"
        )
        self.act_measures = self._action(
            "&Reasonable-measures report…", window.build_measures_report
        )
        self.act_coverage = self._action("&Coverage of the client list", self.show_coverage)
        self.act_offboard = self._action("&Offboard a user…", self.offboard)
        self.act_rotate = self._action("Rotate vault &key…", self.rotate_key)
        self.act_import = self._action("&Import clients…", self.import_clients)
        self.act_import.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.act_export = self._action("&Export clients…", self.export_clients)
        self.act_export.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.act_backup = self._action("&Backup settings…", self.backup_settings)
        self.act_region = self._action("Phone numbers' &country…", self.phone_region)
        self.act_region.setToolTip(
            "The country phone numbers without a + are read in, and shown national for"
        )
        for act in (
            self.act_users,
            self.act_policy,
            self.act_watermark,
            self.act_currency,
            self.act_region,
        ):
            menu.addAction(act)
        menu.addSeparator()
        for act in (self.act_import, self.act_export, self.act_backup):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.act_coverage)
        menu.addAction(self.act_measures)
        menu.addSeparator()
        menu.addAction(self.act_offboard)
        menu.addAction(self.act_rotate)
        self.permissions: dict[QAction, Permission] = {
            self.act_users: Permission.MANAGE_USERS,
            self.act_policy: Permission.EDIT_POLICY,
            self.act_watermark: Permission.CHANGE_SETTINGS,
            self.act_currency: Permission.CHANGE_SETTINGS,
            self.act_region: Permission.CHANGE_SETTINGS,
            self.act_measures: Permission.MEASURES_REPORT,
            self.act_coverage: COVERAGE_PAGE,
            self.act_offboard: Permission.OFFBOARD,
            self.act_rotate: Permission.ROTATE_KEY,
            self.act_import: Permission.IMPORT,
            self.act_export: Permission.EXPORT,
            self.act_backup: Permission.BACKUP,
        }
        self.activity_page: ActivityPage | None = None
        self.coverage_page: CoveragePage | None = None
        self._add_activity_page()
        self._add_coverage_page()
        self.sync = SyncMenus(window)  # the office's sync: menus, page, status bar
        self.refresh_watermark()

    def _action(self, text: str, slot: Any) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- roles --------------------------------------------------------------------------

    def busy(self) -> bool:
        """True while the Activity or Coverage page reads the vault on a worker thread."""
        pages = (self.activity_page, self.coverage_page)
        return any(page is not None and page.is_busy() for page in pages) or self.sync.busy()

    def apply_role(self) -> None:
        role = self.window.session.role
        for action, permission in self.permissions.items():
            action.setVisible(allowed(role, permission))
        self.sync.apply_role()
        shown = any(a.isVisible() for a in [*self.permissions, *self.sync.permissions()])
        self.window.office_menu.menuAction().setVisible(shown)

    def _add_activity_page(self) -> None:
        window = self.window
        if not allowed(window.session.role, Permission.VIEW_ACTIVITY):
            return
        self.activity_page = ActivityPage(window.session, window, today=window.today)
        window.pages.addWidget(self.activity_page)
        QListWidgetItem(icon("shield"), "Activity", window.nav)

    def _add_coverage_page(self) -> None:
        window = self.window
        if not allowed(window.session.role, COVERAGE_PAGE):
            return
        page = CoveragePage(window.session, window, today=window.today, notices=window.notices)
        page.print_requested.connect(window.build_coverage_report)
        page.client_activated.connect(window.show_client)
        window.pages.addWidget(page)
        QListWidgetItem(icon("coverage"), "Coverage", window.nav)
        self.coverage_page = page

    def show_coverage(self) -> None:
        """Office › Coverage of the client list: the owner's page."""
        if self.coverage_page is not None:
            self.window.nav.setCurrentRow(self.window.pages.indexOf(self.coverage_page))

    # -- actions ------------------------------------------------------------------------

    def manage_users(self) -> None:
        from crmdesk.gui.people.users_dialog import UsersDialog  # loaded when first used

        try:
            UsersDialog(self.window.session, self.window).exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Users")
        self.window.update_security_state()  # a first colleague, a rotation waiting...

    def edit_policy(self) -> None:
        from crmdesk.gui.people.policy_editor import PolicyEditor  # loaded when first used

        try:
            PolicyEditor(self.window.session, self.window).exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Confidentiality policy")

    def import_clients(self) -> None:
        from crmdesk.gui.data_io import ImportWizard  # loaded when first used

        try:
            ImportWizard(self.window.session, self.window).exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Import clients")
        self.window.notices.announce(ClientChanges.all_clients())

    def export_clients(self) -> None:
        from crmdesk.gui.data_io import ExportDialog  # loaded when first used

        try:
            query = self.window.list_panel.query()
            ExportDialog(self.window.session, query, self.window).exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Export clients")

    def backup_settings(self) -> None:
        from crmdesk.gui.data_io import BackupSettingsDialog  # loaded when first used

        try:
            BackupSettingsDialog(self.window.session, self.window).exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Backup settings")

    def phone_region(self) -> None:
        from crmdesk.gui.data_io import PhoneRegionDialog  # loaded when first used

        try:
            PhoneRegionDialog(self.window.session, self.window).exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Phone numbers' country")

    def refresh_watermark(self) -> None:
        """Show the watermark as the vault's setting says (after start and every unlock):
        the owner's choice, else on when the vault has more than one user."""
        on = watermark_on(self.window.session)
        formats.set_currency(vault_settings(self.window.session).currency)
        self.window.watermarks.set_on(on)
        self.act_watermark.setChecked(on)

    def choose_currency(self) -> None:
        """The owner picks the vault's currency (amounts everywhere show it)."""
        current = vault_settings(self.window.session).currency
        choices = ["(this computer's own)", *sorted(formats.SYMBOLS)]
        chosen, ok = QInputDialog.getItem(
            self.window,
            "Currency",
            "Amounts are shown in (a three-letter code, e.g. EUR):",
            choices,
            choices.index(current) if current in choices else 0,
            True,
        )
        if not ok:
            return
        code = "" if chosen == choices[0] else chosen.strip()
        try:
            changed = change_settings(self.window.session, currency=code)
        except CrmdeskError as exc:
            show_error(self.window, exc, "Currency")
            return
        formats.set_currency(changed.currency)
        self.window.notices.announce(ClientChanges.all_clients())  # amounts shown again
        self.window.statusBar().showMessage(
            f"Amounts are shown in {formats.currency_code()} for everyone.", 5000
        )

    def toggle_watermark(self) -> None:
        wanted = self.act_watermark.isChecked()
        try:
            changed = change_settings(self.window.session, screen_watermark=wanted)
        except CrmdeskError as exc:
            self.act_watermark.setChecked(not wanted)
            show_error(self.window, exc, "Screen watermark")
            return
        on = bool(changed.screen_watermark)
        self.window.watermarks.set_on(on)
        state = "on" if on else "off"
        self.window.statusBar().showMessage(
            f"Screen watermark {state} for everyone who opens this vault.", 5000
        )

    def offboard(self) -> None:
        from crmdesk.gui.offboarding.wizard import OffboardingWizard  # loaded when first used

        try:
            wizard = OffboardingWizard(
                self.window.session, self.window, keystore=self.window.keystore
            )
            wizard.exec()
        except CrmdeskError as exc:
            show_error(self.window, exc, "Offboard a user")
        self.window.notices.announce(ClientChanges.all_clients())
        self.window.update_security_state()

    def rotate_key(self) -> None:
        from crmdesk.gui.offboarding.rotate import rotate_key_flow  # loaded when first used

        try:
            rotate_key_flow(self.window, self.window.session, keystore=self.window.keystore)
        except CrmdeskError as exc:
            show_error(self.window, exc, "Rotate vault key")
        self.window.update_security_state()
