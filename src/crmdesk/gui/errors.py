"""Errors as readable dialogs: a user never sees a traceback, and nothing is swallowed."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from crmdesk.errors import CrmdeskError, NotAllowed
from crmdesk.gui.words import words


def error_text(exc: BaseException) -> str:
    """What the app says about an error: a crmdesk error in the app's words
    (:mod:`crmdesk.gui.words`), anything else as unexpected."""
    if isinstance(exc, CrmdeskError):
        return words(exc)
    return (
        f"Something unexpected went wrong ({type(exc).__name__}). Your saved work is safe. "
        "If it happens again, start crmdesk from a terminal with CRMDESK_DEBUG=1 and report "
        "what it prints."
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str = "crmdesk") -> None:
    """A dialog that says what happened and what to do next."""
    if not isinstance(exc, CrmdeskError):
        _debug_trace(type(exc), exc, exc.__traceback__)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    if isinstance(exc, NotAllowed):
        # A refusal by role, not a failure: the message says who may, and what to do.
        box.setIcon(QMessageBox.Icon.Information)
        title = f"{title}: not allowed" if title != "crmdesk" else "Not allowed"
    box.setWindowTitle(title)
    box.setText(error_text(exc))
    box.exec()


def _debug_trace(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    import os

    if os.environ.get("CRMDESK_DEBUG"):
        traceback.print_exception(kind, exc, tb, file=sys.stderr)


def install_excepthook() -> None:
    """Errors escaping a Qt slot become a dialog instead of a silent stderr trace."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        _debug_trace(kind, exc, tb)
        show_error(None, exc)

    sys.excepthook = hook
