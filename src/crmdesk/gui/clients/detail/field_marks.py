"""Field errors in the client editor: a red border with the message as tooltip, the
error paths the domain names (``contacts[0].emails[1]``) read into parts, and the area
above the tabs that lists what kept a save from happening."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

INVALID_STYLE = (
    '*[invalid="true"] { border: 2px solid #d32f2f; border-radius: 3px; }'
    " QFrame#errorArea { background: rgba(211, 47, 47, 0.12);"
    " border: 1px solid #d32f2f; border-radius: 4px; }"
    " QFrame#confidentialBanner { background: rgba(255, 160, 0, 0.16);"
    " border: 1px solid rgba(255, 160, 0, 0.7); border-radius: 4px; }"
    " QFrame#withheldBanner { background: rgba(96, 110, 130, 0.14);"
    " border: 1px solid rgba(96, 110, 130, 0.55); border-radius: 4px; }"
    " QLabel#statusChip { border: 1px solid palette(mid); border-radius: 9px;"
    " padding: 1px 8px; background: palette(alternate-base); color: palette(text); }"
)


class ErrorArea(QFrame):
    """Above the editor's tabs: "Nothing was saved" and one line per field to fix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorArea")  # styled by INVALID_STYLE
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.label)
        self.hide()

    def clear(self) -> None:
        self.hide()
        self.label.clear()

    def show_fields(self, lines: list[str]) -> None:
        count = len(lines)
        heading = (
            "Nothing was saved. Fix this field:"
            if count == 1
            else f"Nothing was saved. Fix these {count} fields:"
        )
        self.label.setText(heading + "\n" + "\n".join(f"•  {line}" for line in lines))
        self.show()


def mark_invalid(widget: QWidget, message: str) -> None:
    """Red border (dynamic property + the editor's stylesheet) and the message as tooltip."""
    if widget.property("invalid") is not True:
        widget.setProperty("_plain_tooltip", widget.toolTip())
    widget.setProperty("invalid", True)
    widget.setToolTip(message)
    _repolish(widget)


def clear_invalid(widget: QWidget) -> None:
    if widget.property("invalid") is True:
        widget.setProperty("invalid", False)
        widget.setToolTip(widget.property("_plain_tooltip") or "")
        _repolish(widget)


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


PathPart = tuple[str, int | None]
_SEGMENT = re.compile(r"^([^\[\]]*)(?:\[(\d+)\])?$")


def parse_error_path(path: str) -> list[PathPart]:
    """``contacts[0].emails[1]`` -> ``[("contacts", 0), ("emails", 1)]``."""
    parts: list[PathPart] = []
    for segment in path.split(".") if path else []:
        match = _SEGMENT.match(segment)
        if match is None:
            parts.append((segment, None))
        else:
            parts.append((match.group(1), int(match.group(2)) if match.group(2) else None))
    return parts
