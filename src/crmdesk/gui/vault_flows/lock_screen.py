"""What the main window shows while crmdesk is locked, and the dialog to set a password.

The lock screen only asks; the main window does the work: on ``unlock_requested`` it
unlocks the vault again and, when a sign-in password is set, checks :meth:`password`.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import STYLE, note_label, primary_button, title_label
from crmdesk.services.signin import MIN_PASSWORD_CHARS

LOCK_STYLE = (
    STYLE
    + """
QWidget#lockScreen { background: palette(window); }
QFrame#lockCard {
    background: palette(base); border: 1px solid palette(mid); border-radius: 10px;
}
QLabel#lockTitle { font-size: 18pt; font-weight: 600; color: palette(text); }
QLabel#ownerName { font-size: 11pt; color: palette(text); }
"""
)


class LockGlyph(QWidget):
    """A padlock, drawn (no icon file or emoji font needed)."""

    def __init__(self, size: int = 72, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self.setFixedSize(QSize(size, size))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        s = float(self._size)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # The palette's highlight: dark blue on a light theme, a lighter blue on a dark one.
        color = self.palette().color(QPalette.ColorRole.Highlight)
        # The shackle: an arch over the body.
        pen = QPen(color, s * 0.09)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        arch = QRectF(s * 0.29, s * 0.08, s * 0.42, s * 0.44)
        painter.drawArc(arch, 0, 180 * 16)
        painter.drawLine(int(s * 0.29), int(s * 0.30), int(s * 0.29), int(s * 0.46))
        painter.drawLine(int(s * 0.71), int(s * 0.30), int(s * 0.71), int(s * 0.46))
        # The body, with a keyhole.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(s * 0.16, s * 0.42, s * 0.68, s * 0.52), s * 0.08, s * 0.08)
        hole = QPainterPath()
        hole.addEllipse(QRectF(s * 0.44, s * 0.56, s * 0.12, s * 0.12))
        hole.addRect(QRectF(s * 0.475, s * 0.64, s * 0.05, s * 0.15))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawPath(hole.simplified())
        painter.end()


class LockScreen(QWidget):
    """The main window's contents while locked: who it belongs to, and "Unlock"."""

    unlock_requested = Signal()
    set_password_requested = Signal()

    def __init__(self, owner_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(LOCK_STYLE)

        card = QFrame()
        card.setObjectName("lockCard")
        card.setFixedWidth(420)
        card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        box = QVBoxLayout(card)
        box.setContentsMargins(32, 30, 32, 26)
        box.setSpacing(10)

        glyph_row = QHBoxLayout()
        glyph_row.addStretch(1)
        glyph_row.addWidget(LockGlyph(64))
        glyph_row.addStretch(1)
        box.addLayout(glyph_row)

        title = QLabel("crmdesk is locked")
        title.setObjectName("lockTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(title)
        self.owner_label = QLabel()
        self.owner_label.setObjectName("ownerName")
        self.owner_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.owner_label.setWordWrap(True)
        box.addWidget(self.owner_label)
        box.addSpacing(6)

        self.password_edit = secret_edit("Password")
        self.password_edit.returnPressed.connect(self._request_unlock)
        self.password_edit.hide()
        box.addWidget(self.password_edit)
        self.error_message = InlineMessage()
        box.addWidget(self.error_message)

        self.unlock_button = primary_button("Unlock")
        self.unlock_button.clicked.connect(self._request_unlock)
        box.addWidget(self.unlock_button)

        self.no_password_box = QWidget()
        hint = QVBoxLayout(self.no_password_box)
        hint.setContentsMargins(0, 8, 0, 0)
        hint.setSpacing(6)
        self.no_password_label = note_label(
            "Anyone at this computer can unlock crmdesk. Set a password so that only you can."
        )
        self.no_password_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_password_button = QPushButton("Set a password…")
        self.set_password_button.setAutoDefault(False)
        self.set_password_button.clicked.connect(self.set_password_requested)
        hint.addWidget(self.no_password_label)
        hint.addWidget(self.set_password_button, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(self.no_password_box)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self._password_required = False
        self._owner_name = owner_name
        self.set_owner_name(owner_name)

    def set_owner_name(self, name: str) -> None:
        """Whose vault is locked, e.g. "Zoë Łukasiewicz's vault"."""
        self._owner_name = name
        self.owner_label.setText(f"{name}’s vault" if name else "")
        self.owner_label.setVisible(bool(name))

    def set_locked_by(self, name: str) -> None:
        """In a vault with several users: who locked this window (only they unlock it);
        "" shows the vault's owner again."""
        if not name:
            self.set_owner_name(self._owner_name)
            self.password_edit.setPlaceholderText("Password")
            return
        self.owner_label.setText(f"Locked by {name}. Only they can unlock this window.")
        self.owner_label.setVisible(True)
        self.password_edit.setPlaceholderText(f"{name}’s password")

    def set_password_required(self, required: bool) -> None:
        """Show the password field (a sign-in password is set) or the "set one" hint."""
        self._password_required = required
        self.password_edit.setVisible(required)
        self.no_password_box.setVisible(not required)
        self.clear_error()
        if required:
            self.password_edit.setFocus()

    def password_required(self) -> bool:
        return self._password_required

    def password(self) -> str:
        return self.password_edit.text()

    def clear_password(self) -> None:
        self.password_edit.clear()

    def show_error_text(self, text: str) -> None:
        """Say why unlocking failed; the password is selected for retyping."""
        self.error_message.show_error(text)
        if self._password_required:
            self.password_edit.selectAll()
            self.password_edit.setFocus()

    def clear_error(self) -> None:
        self.error_message.clear_message()

    def reset(self) -> None:
        """Empty the field and the message (call when locking again)."""
        self.clear_password()
        self.clear_error()

    def _request_unlock(self) -> None:
        self.clear_error()
        self.unlock_requested.emit()


class SetPasswordDialog(AppDialog):
    """A new sign-in password, typed twice; :meth:`password` once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set a password")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(title_label("Set a sign-in password"))
        layout.addWidget(
            note_label(
                "crmdesk will ask for it whenever it is locked. Use at least "
                f"{MIN_PASSWORD_CHARS} characters; a few unrelated words make a strong one."
            )
        )
        form = QFormLayout()
        self.password_edit = secret_edit()
        self.confirm_edit = secret_edit()
        form.addRow("New password:", self.password_edit)
        form.addRow("Type it again:", self.confirm_edit)
        layout.addLayout(form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = primary_button("Set password")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._password = ""

    def submit(self) -> None:
        """Accept when the password is long enough and typed the same twice."""
        first, second = self.password_edit.text(), self.confirm_edit.text()
        if len(first) < MIN_PASSWORD_CHARS:
            self.message.show_error(
                f"The password must have at least {MIN_PASSWORD_CHARS} characters; "
                "a few unrelated words make a strong one."
            )
            self.password_edit.selectAll()
            self.password_edit.setFocus()
            return
        if first != second:
            self.message.show_error("The two passwords differ. Type the same password twice.")
            self.confirm_edit.selectAll()
            self.confirm_edit.setFocus()
            return
        self._password = first
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.accept()

    def password(self) -> str:
        """The new password once the dialog was accepted, else ""."""
        return self._password
