"""Fields for secrets: a password line, a new master passphrase or sign-in password
typed twice, and the box a recovery key is typed into. Their text never leaves them except through
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


class NewPasswordFields:
    """A new sign-in password, typed twice: two rows to add to a form (hidden until then)."""

    def __init__(self, parent: QWidget, least: int) -> None:
        self._least = least
        self._form: QFormLayout | None = None
        self.password_edit = secret_edit(f"At least {least} characters")
        self.confirm_edit = secret_edit()
        for edit in (self.password_edit, self.confirm_edit):
            edit.setParent(parent)
            edit.hide()

    def add_to(self, form: QFormLayout, label: str = "New password:") -> None:
        form.addRow(label, self.password_edit)
        form.addRow("Type it again:", self.confirm_edit)
        self._form = form
        self.set_visible(True)

    def set_visible(self, visible: bool) -> None:
        """Show or hide both rows, labels included (once added to a form)."""
        form = self._form
        for edit in (self.password_edit, self.confirm_edit):
            if form is not None:
                form.setRowVisible(edit, visible)
            edit.setVisible(visible)

    def value(self) -> str:
        """The password; :class:`BadInput` when too short or when the two differ."""
        first, second = self.password_edit.text(), self.confirm_edit.text()
        if len(first) < self._least:
            raise BadInput(
                f"The password must have at least {self._least} characters; "
                "a few unrelated words make a strong one.",
                code="password.too_short",
                least=self._least,
            )
        if first != second:
            raise BadInput(
                "The two passwords differ. Type the same password twice.",
                code="password.differ",
            )
        return first

    def focus_first(self) -> None:
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def clear(self) -> None:
        self.password_edit.clear()
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
