"""The app's shared look: the stylesheet of its dialogs, titles, notes, the primary
button, the monospaced font for keys, and a dialog's outer frame."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from crmdesk.resources import resource

STYLE = """
QLabel#inlineMessage[kind="error"] {
    color: palette(text); background: rgba(211, 47, 47, 0.14);
    border: 1px solid rgba(211, 47, 47, 0.6); border-radius: 5px;
}
QLabel#inlineMessage[kind="info"] {
    color: palette(text); background: rgba(46, 160, 67, 0.14);
    border: 1px solid rgba(46, 160, 67, 0.6); border-radius: 5px;
}
QLabel#note { color: palette(placeholder-text); }
QLabel#warningNote {
    color: palette(text); background: rgba(255, 170, 0, 0.16);
    border: 1px solid rgba(240, 170, 40, 0.7); border-radius: 5px;
}
QLabel#pageTitle { font-size: 17pt; font-weight: 600; }
QPushButton#primary {
    background: #2456a6; color: white; border: 1px solid #1d4687; border-radius: 5px;
    padding: 6px 18px; font-weight: 600;
}
QPushButton#primary:hover { background: #1d4a92; }
QPushButton#primary:disabled { background: #b9c3d3; border-color: #aab4c4; color: #eef1f6; }
"""

_mono_family: str | None = None


def mono_font(point_size: float = 11.0) -> QFont:
    """DejaVu Sans Mono (shipped with crmdesk), or the system's fixed-width font."""
    global _mono_family
    if _mono_family is None:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", "DejaVuSansMono.ttf")))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _mono_family = families[0] if families else ""
    font = (
        QFont(_mono_family)
        if _mono_family
        else QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    )
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size)
    return font


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    return label


def note_label(text: str, name: str = "note") -> QLabel:
    """A wrapped line of explanation; ``name`` "warningNote" makes it a yellow box."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if name == "warningNote":
        label.setMargin(7)  # stylesheet padding upsets a wrapped label's height
    return label


def primary_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary")
    button.setDefault(True)
    button.setAutoDefault(True)
    return button


def dialog_frame(dialog: QDialog, title: str, width: int = 480) -> QVBoxLayout:
    """The window title, the shared stylesheet, margins: the outer layout to fill."""
    dialog.setWindowTitle(title)
    dialog.setStyleSheet(STYLE)
    dialog.setMinimumWidth(width)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(24, 20, 24, 18)
    layout.setSpacing(10)
    return layout


def button_row(
    cancel_text: str, action_text: str
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """Cancel-like and primary buttons, in the platform's order."""
    buttons = QDialogButtonBox()
    cancel = buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setAutoDefault(False)
    action = primary_button(action_text)
    buttons.addButton(action, QDialogButtonBox.ButtonRole.ActionRole)
    return buttons, cancel, action
