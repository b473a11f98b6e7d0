"""What is on screen while crmdesk starts: a small window saying which vault it opens.

Shown as soon as Qt is up, before the rest of the app is imported and while the key is
fetched and the vault opened (on the database worker, so the window keeps painting);
the main window replaces it, showing its client list as soon as the first page is read.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class StartingWindow(QWidget):
    """ "Opening <vault>…" with a busy bar; no buttons: it only says what happens."""

    def __init__(self, folder: Path, icon: QIcon | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(f"crmdesk — {folder.name}")
        if icon is not None:
            self.setWindowIcon(icon)
        self.setObjectName("startingWindow")
        title = QLabel("crmdesk", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        self.status = QLabel(f"Opening the vault in {folder}…", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: how long the keyring takes is not known
        self.bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        self.setFixedWidth(460)

    def say(self, text: str) -> None:
        """What is happening now ("Reading your clients…"); painted at once."""
        self.status.setText(text)
        self.paint_now()

    def paint_now(self) -> None:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
