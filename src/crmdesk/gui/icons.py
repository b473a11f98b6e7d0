"""Icons from resources/icons (SVG, drawn for both light and dark palettes)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from crmdesk.resources import resource


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))
