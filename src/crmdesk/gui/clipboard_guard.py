"""What crmdesk puts on the clipboard: marked private, and taken back.

A copied client list must not outlive its use: it is cleared when crmdesk locks, when it
quits, and after a timeout the person sets (Tools › Clear clipboard after…). Only what
crmdesk itself put there is cleared (a token in a private MIME type says so): text copied
since from another program is left alone.

It is also marked so that clipboard managers and clipboard history do not keep it, with
the hints they honour, set as MIME types on the same QMimeData:

- ``x-kde-passwordManagerHint: secret``: KDE's Klipper, and the Linux clipboard
  managers that follow it (GNOME's GPaste among them);
- ``org.nspasteboard.ConcealedType`` (nspasteboard.org): macOS clipboard managers;
- ``ExcludeClipboardContentFromMonitorProcessing``, ``CanIncludeInClipboardHistory`` and
  ``CanUploadToCloudClipboard`` (0): Windows clipboard monitors, history (Win+V) and
  cloud clipboard. Qt names a Windows clipboard format through
  ``application/x-qt-windows-mime;value="<format>"``; the plain names are set too.
"""

from __future__ import annotations

import secrets
import struct

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QInputDialog, QWidget

from crmdesk.gui import settings as app_settings

MARK = "application/x-crmdesk-copy"
_WINDOWS = 'application/x-qt-windows-mime;value="{}"'
_ZERO_DWORD = struct.pack("<I", 0)


def _hints() -> dict[str, bytes]:
    hints = {
        "x-kde-passwordManagerHint": b"secret",
        "org.nspasteboard.ConcealedType": b"",
    }
    for name in (
        "ExcludeClipboardContentFromMonitorProcessing",
        "CanIncludeInClipboardHistory",
        "CanUploadToCloudClipboard",
    ):
        hints[name] = _ZERO_DWORD
        hints[_WINDOWS.format(name)] = _ZERO_DWORD
    return hints


HINTS = _hints()


class ClipboardGuard(QObject):
    """Puts text on the clipboard with the hints, and clears it again."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._token: bytes | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    @property
    def holding(self) -> bool:
        """True while the clipboard holds what crmdesk put there."""
        return self._token is not None and self._ours()

    def put(self, text: str) -> None:
        token = secrets.token_hex(16).encode()
        mime = QMimeData()
        mime.setText(text)
        for kind, value in HINTS.items():
            mime.setData(kind, value)
        mime.setData(MARK, token)
        _clipboard().setMimeData(mime, QClipboard.Mode.Clipboard)
        self._token = token
        self._timer.start(app_settings.clipboard_seconds() * 1000)

    def clear(self) -> None:
        """Empty the clipboard if it still holds crmdesk's copy (lock, quit, timeout)."""
        self._timer.stop()
        if self._token is not None and self._ours():
            _clipboard().clear(QClipboard.Mode.Clipboard)
        self._token = None

    def _ours(self) -> bool:
        data = _clipboard().mimeData(QClipboard.Mode.Clipboard)
        return data is not None and bytes(data.data(MARK).data()) == self._token


def _clipboard() -> QClipboard:
    return QGuiApplication.clipboard()


def ask_clear_seconds(parent: QWidget) -> int | None:
    """The person chooses after how many seconds a copy is cleared; None if cancelled."""
    seconds, ok = QInputDialog.getInt(
        parent,
        "Clear clipboard",
        "Clear client lists copied by crmdesk from the clipboard after this many seconds\n"
        "(they are cleared when crmdesk locks or quits in any case):",
        app_settings.clipboard_seconds(),
        app_settings.CLIPBOARD_SECONDS_RANGE[0],
        app_settings.CLIPBOARD_SECONDS_RANGE[1],
    )
    if not ok:
        return None
    app_settings.set_clipboard_seconds(seconds)
    return seconds
