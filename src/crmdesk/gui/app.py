"""Starting the desktop app: first-run welcome, or unlock, then the main window."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from crmdesk.errors import CannotUnlock, CrmdeskError
from crmdesk.gui.errors import error_text, install_excepthook, show_error
from crmdesk.gui.icons import icon
from crmdesk.services import session as sessions
from crmdesk.services.session import KeyStore, Session, Unlocked


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
    folder: Path,
    *,
    keystore: KeyStore | None = None,
    keyring_usable: bool | None = None,
    in_background: bool = False,
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
            unlocked = (
                _open_in_background(folder, keystore)
                if in_background
                else sessions.open_vault(folder, keystore=keystore)
            )
            return complete_sign_in(None, unlocked)
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


def _open_in_background(folder: Path, keystore: KeyStore | None) -> Unlocked:
    """The keyring and the vault opened on the database worker: the starting window
    keeps painting meanwhile. Errors come back here, raised as if opened here."""
    from crmdesk.gui.ops import QueryOp

    answer: dict[str, object] = {}
    QueryOp(
        parent=None,
        op=lambda: sessions.open_vault(folder, keystore=keystore),
        success=lambda unlocked: answer.setdefault("unlocked", unlocked),
    ).failure(lambda exc: answer.setdefault("error", exc)).run_in_background().wait(600_000)
    if "error" in answer:
        raise answer["error"]  # type: ignore[misc]
    unlocked = answer.get("unlocked")
    if not isinstance(unlocked, Unlocked):
        raise CannotUnlock(
            "The vault could not be opened in time. Try again.", code="vault.open_timeout"
        )
    return unlocked


def run_gui(folder: Path) -> int:
    """``crmdesk`` with no command: the desktop app, for the vault in ``folder``.

    A small window is on screen at once (the vault is being opened), before the rest
    of the app is imported; the main window replaces it and fills in its client list
    as soon as the first page is read."""
    app = application()
    install_excepthook()
    starting = None
    if sessions.vault_exists(folder):
        from crmdesk.gui.starting import StartingWindow

        starting = StartingWindow(folder, app.windowIcon())
        starting.show()
        starting.paint_now()
    try:
        session = open_session(folder, in_background=starting is not None)
    except CrmdeskError as exc:
        if starting is not None:
            starting.close()
        show_error(None, exc)
        return int(exc.exit_code)
    if session is None:
        if starting is not None:
            starting.close()
        return 0
    if starting is not None:
        starting.say("Opening the main window…")
    from crmdesk.gui.main_window import MainWindow

    window = MainWindow(session, folder)
    window.show()
    if starting is not None:
        starting.close()
    freeze_start_up_objects()
    return app.exec()


def freeze_start_up_objects() -> None:
    """What start-up made (modules, classes, the window and its widgets) lives as long as
    the app: moved out of the garbage collector's sight. Python now and then walks every
    object it tracks, on whichever thread allocates at that moment, often the GUI thread
    while the list scrolls; at 100,000 clients that walk took 24 to 58 ms on a busy 2-core
    machine, and after the freeze under 1 ms. Collected once first, so that no start-up
    garbage is kept for good."""
    gc.collect()
    gc.freeze()
