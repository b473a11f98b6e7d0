"""Fields for secrets: a password line, a new master passphrase typed twice, and the
box a recovery key is typed into. Their text never leaves them except through
``text()``/``value()``/``key_text()``; callers clear them once used."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from crmdesk.errors import BadInput
from crmdesk.gui.widgets.style import mono_font


def secret_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class PassphraseFields:
    """A new master passphrase, typed twice: two rows to add to a form."""

    def __init__(self, parent: QWidget) -> None:
        self.passphrase_edit = secret_edit("A sentence of four or five unrelated words")
        self.confirm_edit = secret_edit()
        for edit in (self.passphrase_edit, self.confirm_edit):
            edit.setParent(parent)
            edit.hide()

    def add_to(self, form: QFormLayout) -> None:
        form.addRow("Master passphrase:", self.passphrase_edit)
        form.addRow("Type it again:", self.confirm_edit)
        self.passphrase_edit.show()
        self.confirm_edit.show()

    def value(self) -> str:
        """The passphrase; :class:`BadInput` when the two differ (length: the service)."""
        first, second = self.passphrase_edit.text(), self.confirm_edit.text()
        if not first:
            raise BadInput(
                "Choose a master passphrase: it will be asked for every time.",
                code="passphrase.missing",
            )
        if first != second:
            raise BadInput(
                "The two passphrases differ. Type the same passphrase twice.",
                code="passphrase.differ",
            )
        return first

    def focus_first(self) -> None:
        self.passphrase_edit.selectAll()
        self.passphrase_edit.setFocus()

    def clear(self) -> None:
        self.passphrase_edit.clear()
        self.confirm_edit.clear()


class RecoveryKeyEdit(QPlainTextEdit):
    """Where a recovery key is typed: any case, spaces, dashes or line breaks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(mono_font(12))
        self.setTabChangesFocus(True)
        self.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX\nXXXX-XXXX-XXXX-…")
        metrics = self.fontMetrics()
        self.setFixedHeight(int(metrics.lineSpacing() * 2 + 22))
        self.setMinimumWidth(int(metrics.horizontalAdvance("X") * 34 + 28))

    def key_text(self) -> str:
        return self.toPlainText().strip()
