"""Starting the desktop app: first-run welcome, or unlock, then the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from crmdesk.errors import CannotUnlock, CrmdeskError
from crmdesk.gui.errors import error_text, install_excepthook, show_error
from crmdesk.gui.icons import icon
from crmdesk.services import session as sessions
from crmdesk.services.session import KeyStore, Session


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("crmdesk")
    app.setOrganizationName("crmdesk")
    app.setApplicationDisplayName("crmdesk")
    app.setWindowIcon(icon("crmdesk"))
    # Qt follows the OS light/dark setting itself (Qt 6.5+); Fusion renders both well
    # on every platform where the native style does not.
    if sys.platform.startswith("linux"):
        app.setStyle("Fusion")
    return app


def open_session(
    folder: Path, *, keystore: KeyStore | None = None, keyring_usable: bool | None = None
) -> Session | None:
    """The welcome flow for a folder without a vault; otherwise unlock, asking only when
    the keyring cannot give the key. Then sign in (several users) and the first sign-in
    gates (a new password, the policy): nothing is shown before. None: nobody got in,
    and the vault is closed."""
    from crmdesk.gui.people.gates import complete_sign_in
    from crmdesk.gui.vault_flows.unlock import UnlockDialog
    from crmdesk.gui.vault_flows.welcome import WelcomeDialog

    if not sessions.vault_exists(folder):
        welcome = WelcomeDialog(folder, keystore=keystore, keyring_usable=keyring_usable)
        welcome.exec()
        return welcome.session()
    try:
        needs_passphrase = sessions.needs_passphrase(folder)
        if not needs_passphrase:
            return complete_sign_in(None, sessions.open_vault(folder, keystore=keystore))
        reason = "This vault is protected by its master passphrase."
    except CannotUnlock as exc:
        reason = error_text(exc)
        needs_passphrase = False
    dialog = UnlockDialog(
        folder,
        reason,
        needs_passphrase=needs_passphrase,
        keystore=keystore,
        keyring_usable=keyring_usable,
    )
    dialog.exec()
    return dialog.session()


def run_gui(folder: Path) -> int:
    """``crmdesk`` with no command: the desktop app, for the vault in ``folder``."""
    app = application()
    install_excepthook()
    try:
        session = open_session(folder)
    except CrmdeskError as exc:
        show_error(None, exc)
        return int(exc.exit_code)
    if session is None:
        return 0
    from crmdesk.gui.main_window import MainWindow

    window = MainWindow(session, folder)
    window.show()
    return app.exec()
