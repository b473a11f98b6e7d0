"""The first-run screen: create a vault, open one, or restore access with a recovery key.

A :class:`QStackedWidget` of pages under one banner. Every page action is a method
(``create_vault``, ``save_recovery_kit``, ``finish``, ``open_vault``, ``restore``) that
the page's button calls, so tests drive the dialog with ``show()`` and clicks, never
``exec()``. Creating a vault and its recovery key: :mod:`.welcome_create`; opening one or
restoring access: :mod:`.welcome_open`; what the pages share: :mod:`.welcome_parts`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.people.gates import complete_sign_in
from crmdesk.gui.vault_flows.unlock import resolve_keyring_usable
from crmdesk.gui.vault_flows.welcome_create import CreateVaultFlow
from crmdesk.gui.vault_flows.welcome_join import JoinOfficeFlow
from crmdesk.gui.vault_flows.welcome_open import OpenVaultFlow
from crmdesk.gui.vault_flows.welcome_parts import APP_NAME, WELCOME_STYLE, Page, banner
from crmdesk.services.session import Session, Unlocked


class WelcomeDialog(CreateVaultFlow, OpenVaultFlow, JoinOfficeFlow):
    """First run: create a vault (and show its recovery key once), open one, restore,
    or join an office with an invitation (a laptop's own new vault)."""

    def __init__(
        self,
        folder: Path,
        *,
        keystore: Any = None,
        keyring_usable: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self._keystore = keystore
        self._keyring_usable, self._keyring_problem = resolve_keyring_usable(keyring_usable)
        self._session: Session | None = None
        self._recovery_key = ""
        self._created: datetime | None = None
        self._login_edited = False
        self.kit_path: Path | None = None

        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setStyleSheet(WELCOME_STYLE)
        self.setMinimumSize(640, 560)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(banner())
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        self.choice_page = self._build_choice_page()
        self.create_page = self._build_create_page()
        self.key_page = self._build_key_page()
        self.open_page = self._build_open_page()
        self.restore_page = self._build_restore_page()
        self.join_page = self._build_join_page()
        for page in (
            self.choice_page,
            self.create_page,
            self.key_page,
            self.open_page,
            self.restore_page,
            self.join_page,
        ):
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.choice_page)

    # -- building ----------------------------------------------------------------------

    def _back_button(self) -> QPushButton:
        button = QPushButton("Back")
        button.setAutoDefault(False)
        button.clicked.connect(self.go_to_choice)
        return button

    def _build_choice_page(self) -> Page:
        page = Page("Welcome", "How would you like to start?")
        self.new_vault_button = QCommandLinkButton(
            "Create a new vault",
            "Start fresh. crmdesk makes an encrypted vault for your client records and gives "
            "you a recovery key to print.",
        )
        self.open_existing_button = QCommandLinkButton(
            "Open an existing vault folder…",
            "You already have a crmdesk vault on this computer (or copied it here with its "
            "key still in this computer's keyring, or protected by a passphrase).",
        )
        self.restore_choice_button = QCommandLinkButton(
            "Restore access with a recovery key",
            "New computer, or the key entry was lost? Use the recovery key from your "
            "printed recovery kit.",
        )
        self.join_office_button = QCommandLinkButton(
            "Join an office",
            "Your office uses crmdesk and gave you an invitation file: this laptop gets a "
            "vault of its own that syncs with the office's.",
        )
        self.new_vault_button.clicked.connect(self.go_to_create)
        self.join_office_button.clicked.connect(self.go_to_join)
        self.open_existing_button.clicked.connect(self.go_to_open)
        self.restore_choice_button.clicked.connect(self.go_to_restore)
        for button in (
            self.new_vault_button,
            self.join_office_button,
            self.open_existing_button,
            self.restore_choice_button,
        ):
            button.setAutoDefault(False)
            page.body.addWidget(button)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        page.finish_layout([self.quit_button], None)
        return page

    # -- navigation --------------------------------------------------------------------

    def session(self) -> Session | None:
        """The open session after the dialog was accepted, else None."""
        return self._session if self.result() == QDialog.DialogCode.Accepted else None

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def go_to_choice(self) -> None:
        self.stack.setCurrentWidget(self.choice_page)

    def go_to_create(self) -> None:
        self.stack.setCurrentWidget(self.create_page)
        self.name_edit.setFocus()

    def go_to_open(self) -> None:
        self.stack.setCurrentWidget(self.open_page)
        self._refresh_open_page()

    def go_to_restore(self) -> None:
        self.stack.setCurrentWidget(self.restore_page)
        self.restore_key_edit.setFocus()

    def reject(self) -> None:
        """Closing is refused while the recovery key is on screen and not yet stored."""
        if self.stack.currentWidget() is self.key_page and self._session is not None:
            if not self.stored_checkbox.isChecked():
                self.key_page.message.show_error(
                    "Your vault is created. Store the recovery key safely and tick the box "
                    "before closing: it will not be shown again."
                )
                return
            self.finish()
            return
        super().reject()

    def _sign_in_and_accept(self, opened: Unlocked, folder: Path) -> None:
        """Sign in (with several users) and pass the first sign-in gates; a refusal
        leaves the vault closed and this screen open."""
        session = complete_sign_in(self, opened)
        if session is None:
            self.current_page().message.show_info(  # type: ignore[attr-defined]
                "The vault was closed again: nothing was shown. Open it when you are ready."
            )
            return
        self._accept_with(session, folder)

    def _accept_with(self, opened: Session, folder: Path) -> None:
        self._session = opened
        self.folder = folder
        self.accept()
