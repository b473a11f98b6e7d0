"""The base of every dialog in the app: it comes back where it was, at the size it had.

Each dialog class keeps its own geometry in the app's settings (QSettings, nothing
secret), under ``dialogs/<ClassName>/geometry``. It is restored when the dialog is
first shown (a dialog never shown saves nothing) and saved when the dialog finishes
(accepted, rejected or closed). A dialog that was never saved opens as it always did:
at the size its layout or its own ``resize()`` asks for, centred on its parent.

Either way it never opens larger than the screen's working area (a 1366 x 768 laptop
leaves about 728 pixels of height): it is made smaller to fit, down to what its layout
needs at least.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QWidget

from crmdesk.gui import settings as app_settings


class AppDialog(QDialog):
    """A ``QDialog`` that remembers its geometry per dialog class."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown_once = False
        self.finished.connect(self._save_geometry)

    @classmethod
    def geometry_key(cls) -> str:
        return f"dialogs/{cls.__name__}/geometry"

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        if not self._shown_once:
            self._shown_once = True
            self._restore_geometry()
            self.fit_screen()
        super().showEvent(event)

    def fit_screen(self) -> None:
        """Shrink to the screen's working area (and move onto it) if larger."""
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = 40  # the title bar and borders the window manager adds
        width = min(self.width(), area.width() - 16)
        height = min(self.height(), area.height() - frame)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        if self.y() < area.y() or self.y() + self.height() + frame > area.bottom():
            self.move(self.x(), max(area.y(), area.bottom() - self.height() - frame))

    def _restore_geometry(self) -> None:
        saved = app_settings.settings().value(self.geometry_key())
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            self.restoreGeometry(saved)

    def _save_geometry(self, _result: int = 0) -> None:
        if self._shown_once:
            app_settings.settings().setValue(self.geometry_key(), self.saveGeometry())
