"""Small pieces the offboarding dialogs share: titles and quiet notes in palette colours."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel


def heading(text: str, scale: float = 1.35) -> QLabel:
    """A page title in the palette's text colour (readable light and dark)."""
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def quiet(text: str) -> QLabel:
    """A wrapped line of explanation in the palette's placeholder colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _items(items: list[str]) -> str:
    escaped = (html.escape(item, quote=False) for item in items)
    return "".join(f"<li style='margin-bottom: 3px'>{item}</li>" for item in escaped)


def bullets(items: list[str]) -> QLabel:
    """A bulleted list with hanging indents (rich text; each item escaped)."""
    label = QLabel(f"<ul style='margin-left: 0px; -qt-list-indent: 1'>{_items(items)}</ul>")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


def numbered(items: list[str]) -> str:
    """Rich text for numbered steps with hanging indents (each item escaped)."""
    return f"<ol style='margin-left: 0px; -qt-list-indent: 1'>{_items(items)}</ol>"
