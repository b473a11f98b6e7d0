"""What the first-run screen's pages share: its look, the banner, a page with its
message line and buttons, a folder row, and small helpers for names and folders."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.style import STYLE, note_label, title_label

APP_NAME = "crmdesk"
TAGLINE = (
    "Your clients, contacts and deals in one place, kept in an encrypted vault on this "
    "computer. Nothing is sent anywhere."
)

WELCOME_STYLE = (
    STYLE
    + """
QFrame#banner { background: #1f3a5f; }
QLabel#appName { color: white; font-size: 24pt; font-weight: 700; }
QLabel#tagline { color: #d6e0ee; font-size: 10.5pt; }
QLabel#recoveryKey {
    background: palette(base); border: 1px solid palette(mid); border-radius: 6px;
    padding: 14px 18px; color: palette(text);
}
QLabel#folderPath {
    background: palette(base); border: 1px solid palette(mid); border-radius: 4px;
    padding: 4px 8px; color: palette(text);
}
QCommandLinkButton { padding: 10px; }
QLabel#advice { color: palette(window-text); }
"""
)


def login_from_name(full_name: str) -> str:
    """A login suggested from a full name: lowercase, words joined by dots, no spaces."""
    words = re.findall(r"[^\s]+", full_name.lower())
    return ".".join(words)[:64]


def documents_dir() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


class Page(QWidget):
    """A page: a title, a body, an inline message line and a row of buttons."""

    def __init__(self, title: str, intro: str = "") -> None:
        super().__init__()
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(32, 22, 32, 20)
        self.body.setSpacing(10)
        self.body.addWidget(title_label(title))
        if intro:
            self.body.addWidget(note_label(intro))
        self.message = InlineMessage()

    def finish_layout(self, buttons: list[QPushButton], back: QPushButton | None) -> None:
        """The message line, a stretch, then Back on the left and the buttons on the right."""
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        row = QHBoxLayout()
        if back is not None:
            row.addWidget(back)
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        self.body.addLayout(row)


class FolderRow(QWidget):
    """A folder shown as text, with a button to pick another."""

    def __init__(self, folder: Path, button_text: str, caption: str) -> None:
        super().__init__()
        self.folder = folder
        self.caption = caption
        self.label = QLabel()
        self.label.setObjectName("folderPath")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setMinimumWidth(280)
        self.button = QPushButton(button_text)
        self.button.setAutoDefault(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.set_folder(folder)

    def set_folder(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.label.setText(str(self.folder))
        self.label.setToolTip(str(self.folder))

    def pick(self) -> Path | None:
        start = self.folder if self.folder.exists() else self.folder.parent
        chosen = QFileDialog.getExistingDirectory(self, self.caption, str(start))
        return Path(chosen) if chosen else None


def banner() -> QFrame:
    """The app's name and tagline over every page."""
    frame = QFrame()
    frame.setObjectName("banner")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(32, 22, 32, 20)
    layout.setSpacing(4)
    name = QLabel(APP_NAME)
    name.setObjectName("appName")
    tagline = QLabel(TAGLINE)
    tagline.setObjectName("tagline")
    tagline.setWordWrap(True)
    layout.addWidget(name)
    layout.addWidget(tagline)
    return frame
