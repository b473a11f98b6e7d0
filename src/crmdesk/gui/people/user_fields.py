"""Fields the owner's user dialogs share: a role to choose, and a password typed twice."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout

from crmdesk.domain.roles import Role
from crmdesk.gui.people.common import ROLE_CHOICES
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.services.signin import MIN_PASSWORD_CHARS


def role_combo(current: Role | None = None) -> QComboBox:
    combo = QComboBox()
    for role, what in ROLE_CHOICES:
        combo.addItem(f"{role.title} — {what}", role)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class PasswordPair:
    """A new password typed twice: two rows for a form, and their checks."""

    def __init__(self, form: QFormLayout, first_label: str) -> None:
        self.first = secret_edit(f"At least {MIN_PASSWORD_CHARS} characters")
        self.second = secret_edit()
        form.addRow(first_label, self.first)
        form.addRow("Type it &again:", self.second)

    def problem(self) -> str:
        first, second = self.first.text(), self.second.text()
        if len(first) < MIN_PASSWORD_CHARS:
            return (
                f"The password must have at least {MIN_PASSWORD_CHARS} characters; "
                "a few unrelated words make a strong one."
            )
        if first != second:
            return "The two passwords differ. Type the same password twice."
        return ""

    def value(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
