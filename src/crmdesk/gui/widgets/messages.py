"""Telling the person what happened: a message in place, a wait cursor around slow
calls, and a question with a named action."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """A wait cursor while a vault call runs (key derivation takes a moment)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


class InlineMessage(QLabel):
    """A message shown in place (an error or a confirmation), hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineMessage")
        self.setWordWrap(True)
        self.setMargin(7)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    def _show(self, text: str, kind: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.show()


def call_service(message: InlineMessage, fn: Callable[[], Any]) -> Any | None:
    """Run a vault call with a busy cursor; a :class:`CrmdeskError` shows inline."""
    message.clear_message()
    try:
        with busy():
            return fn()
    except CrmdeskError as exc:
        message.show_error(error_text(exc))
        return None


def confirm(parent: QWidget | None, title: str, text: str, detail: str, action: str) -> bool:
    """A question with a named action button and Cancel (Cancel is the default)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(detail)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
    return box.clickedButton() is yes
