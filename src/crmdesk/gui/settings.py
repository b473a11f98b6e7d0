"""Per-user app settings (QSettings): window layout, the idle lock and how long a copy
stays on the clipboard. Nothing secret."""

from __future__ import annotations

from PySide6.QtCore import QSettings

DEFAULT_IDLE_MINUTES = 5


def settings() -> QSettings:
    return QSettings("crmdesk", "crmdesk")


def idle_minutes() -> int:
    value = settings().value("lock/idle_minutes", DEFAULT_IDLE_MINUTES)
    try:
        return max(1, min(240, int(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_IDLE_MINUTES


def set_idle_minutes(minutes: int) -> None:
    settings().setValue("lock/idle_minutes", int(minutes))


# How long a client list copied by crmdesk stays on the clipboard (gui/clipboard_guard.py).
DEFAULT_CLIPBOARD_SECONDS = 60
CLIPBOARD_SECONDS_RANGE = (5, 3600)


def clipboard_seconds() -> int:
    value = settings().value("clipboard/clear_seconds", DEFAULT_CLIPBOARD_SECONDS)
    low, high = CLIPBOARD_SECONDS_RANGE
    try:
        return max(low, min(high, int(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_CLIPBOARD_SECONDS


def set_clipboard_seconds(seconds: int) -> None:
    settings().setValue("clipboard/clear_seconds", int(seconds))
