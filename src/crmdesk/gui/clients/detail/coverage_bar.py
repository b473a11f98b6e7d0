"""The client header's coverage: its marks, and the prompt after a call or a purchase.

After a call is logged or a purchase added and saved, a quiet bar under the header
suggests the empty kind of information most worth filling for that client ("No
preferences on file for Zoë's Bakery"), with a button to its tab. It never blocks: it
waits there until dismissed, the suggestion is taken, or another client is opened.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from crmdesk.domain.coverage import Coverage, most_worth_filling, prompt_text

_STYLE = (
    "QFrame#coveragePrompt { background: #fff6e5; border: 1px solid #f0d49b;"
    " border-radius: 5px; } QFrame#coveragePrompt QLabel { color: #6b4200; }"
)


def coverage_from_json(data: dict[str, Any] | None) -> Coverage | None:
    """The ``coverage`` of ``ClientService.get_json`` back as a Coverage."""
    if not isinstance(data, dict):
        return None
    if data.get("withheld"):
        return Coverage.hidden()
    states = data.get("categories") or {}
    return Coverage.from_keys(k for k, state in states.items() if state == "held")


def what_was_logged(before: dict[str, Any], after: dict[str, Any], call: bool) -> str | None:
    """ "call" or "purchase" when the save being made logs one (the prompt's occasion)."""
    if call:
        return "call"
    if len(after.get("purchases") or []) > len(before.get("purchases") or []):
        return "purchase"
    return None


class CoveragePrompt(QFrame):
    """A dismissable suggestion: the kind of information most worth filling next."""

    fill_requested = Signal(str)  # the client's list that holds it ("contacts"): its tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coveragePrompt")
        self.setStyleSheet(_STYLE)
        self.text_label = QLabel(self)
        self.text_label.setWordWrap(True)
        self.fill_button = QPushButton(self)
        self.fill_button.setAutoDefault(False)
        self.fill_button.clicked.connect(self._fill)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss this suggestion")
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        row.addWidget(self.text_label, 1)
        row.addWidget(self.fill_button)
        row.addWidget(self.close_button)
        self._key: str | None = None
        self._list = ""
        self.hide()

    def suggested(self) -> str | None:
        """The category key suggested, while the prompt is shown."""
        return self._key if not self.isHidden() else None

    def suggest(self, coverage: Coverage | None, client_name: str, after: str) -> bool:
        """Show the suggestion after a call or purchase; False (hidden) when there is
        nothing to suggest (all on file, or withheld)."""
        category = most_worth_filling(coverage, after) if coverage is not None else None
        if category is None:
            self.dismiss()
            return False
        self._key, self._list = category.key, category.list_field
        self.text_label.setText(
            f"{prompt_text(category, client_name)}. Worth asking about while it is fresh."
        )
        self.fill_button.setText(f"Add {category.noun}…")
        self.fill_button.setToolTip(f"Open the tab where {category.noun} are kept")
        self.show()
        return True

    def dismiss(self) -> None:
        self._key = None
        self.hide()

    def _fill(self) -> None:
        self.dismiss()
        self.fill_requested.emit(self._list)
