"""A new recovery key, shown once: after the vault's keys are changed (Rotate vault key…)
or the first colleague is added (the owner's keys are replaced then).

The key is shown in groups of four in a monospaced font, and never put on the clipboard:
it cannot be selected, and there is no Copy. "Print recovery kit…" builds the kit in
memory (registered and audited like every report) and opens it in the report preview,
from where it is printed; no file holds it unless the owner chooses "Save as PDF…".
The owner ticks "I have stored the new recovery key safely" before the dialog may close.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.offboarding.common import bullets
from crmdesk.gui.reports.preview import ReportPreview
from crmdesk.gui.widgets.messages import InlineMessage, busy
from crmdesk.gui.widgets.style import mono_font
from crmdesk.services.recovery_kit import key_lines
from crmdesk.services.reports import ReportService
from crmdesk.services.session import Session
from crmdesk.services.vault_state import vault_folder

STORED_TEXT = "I have stored the new recovery key safely"


class RecoveryKeyPanel(QWidget):
    """The new recovery key, a button to print its kit, and the "stored safely" box."""

    stored_changed = Signal(bool)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._key = ""
        self._created: dt.datetime | None = None
        self.preview: ReportPreview | None = None

        heading = QLabel("The new recovery key", self)
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        heading.setFont(font)
        self.key_label = QLabel(self)
        self.key_label.setObjectName("newRecoveryKey")
        self.key_label.setFont(mono_font(16))
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        # Copy-free: not selectable, no context menu (so never on the clipboard).
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.key_label.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.key_label.setMargin(14)
        self._style_key()

        advice = bullets(
            [
                "Shown only now. Print the recovery kit (or write the key down) and lock it "
                "away, apart from this computer.",
                "The old recovery key and old recovery kits no longer open this vault: "
                "destroy them once this one is stored.",
                "Backups made before now still open with the old keys: keep them as safe as "
                "before, or replace them with new ones.",
            ]
        )

        self.print_kit_button = QPushButton("&Print recovery kit…", self)
        self.print_kit_button.setAutoDefault(False)
        self.print_kit_button.clicked.connect(self.print_kit)
        row = QHBoxLayout()
        row.addWidget(self.print_kit_button)
        row.addStretch(1)

        self.message = InlineMessage(self)
        self.stored_checkbox = QCheckBox(STORED_TEXT, self)
        self.stored_checkbox.toggled.connect(self._stored_toggled)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.key_label)
        layout.addWidget(advice)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.stored_checkbox)

    # -- the key --------------------------------------------------------------------------

    def show_key(self, recovery_key: str, created: dt.datetime | None = None) -> None:
        self._key = recovery_key
        self._created = created or dt.datetime.now().astimezone()
        self.key_label.setText("\n".join(key_lines(recovery_key)))
        self.stored_checkbox.setChecked(False)
        self.message.clear_message()

    def has_key(self) -> bool:
        return bool(self._key)

    def shown_key(self) -> str:
        """The key as on screen (for tests: what a person would type from it)."""
        return self.key_label.text()

    def is_stored(self) -> bool:
        return self.stored_checkbox.isChecked()

    def forget(self) -> None:
        """Drop the key from the screen and from this object (on Finish)."""
        self._key = ""
        self.key_label.clear()

    def _stored_toggled(self, checked: bool) -> None:
        if checked:
            self.message.clear_message()
        self.stored_changed.emit(checked)

    def remind(self) -> None:
        """Said when someone tries to close before ticking the box."""
        self.message.show_error(
            "Your keys have been changed. Store the new recovery key safely and tick the "
            "box: it will not be shown again, and the old one no longer works."
        )
        self.stored_checkbox.setFocus()

    # -- the kit --------------------------------------------------------------------------

    def print_kit(self) -> ReportPreview | None:
        """Build the recovery kit in memory and open it in the preview to print."""
        if not self._key:
            return None
        self.message.clear_message()
        service = ReportService(self.session)
        try:
            with busy():
                # output=None: the kit stays in memory (the preview prints it; "Save as
                # PDF…" is the owner's choice), like every report of the preview.
                report = service.recovery_kit(
                    self._key,
                    None,  # type: ignore[arg-type]
                    vault_folder=vault_folder(self.session),
                    created=self._created or dt.datetime.now().astimezone(),
                )
        except CrmdeskError as exc:
            self.message.show_error(error_text(exc))
            return None
        self.preview = ReportPreview(service, report, self.window())
        self.preview.setWindowModality(Qt.WindowModality.WindowModal)
        self.preview.show()
        return self.preview

    # -- palette --------------------------------------------------------------------------

    def _style_key(self) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.AlternateBase).name()
        text = palette.color(QPalette.ColorRole.Text).name()
        border = palette.color(QPalette.ColorRole.Mid).name()
        self.key_label.setStyleSheet(
            f"QLabel#newRecoveryKey {{ background: {base}; color: {text}; "
            f"border: 1px solid {border}; border-radius: 6px; }}"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.PaletteChange:
            self._style_key()
        super().changeEvent(event)
