"""What the app does on its way out: the owner's automatic backup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.services import backup
from crmdesk.services.session import Session


def backup_on_close(parent: QWidget, session: Session) -> None:
    """Run the automatic backup if the owner set a folder; a failure is shown, never
    silent, and does not keep the app open (the vault itself is untouched)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        backup.auto_backup(session)
    except CrmdeskError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(
            parent,
            "Automatic backup not made",
            f"{error_text(exc)}\n\nYour vault is unchanged. Check the backup folder (Office › "
            "settings), or make a backup with: crmdesk backup FILE",
        )
        return
    QApplication.restoreOverrideCursor()
