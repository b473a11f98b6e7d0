"""Per-user app settings (QSettings): window layout and the idle lock. Nothing secret."""

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
