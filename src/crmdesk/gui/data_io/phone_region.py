"""The owner's choice of the vault's region: the country phone numbers written without
"+" belong to (an import reads them so, and a new vault takes the computer's locale).

Saved through :func:`crmdesk.services.settings.change_phone_region` (owner only, audited
as ``settings.changed``); a problem is shown in the dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.services.import_fields import phone_regions
from crmdesk.services.session import Session
from crmdesk.services.settings import VaultSettings, change_phone_region, region_in_use

TITLE = "Phone numbers' country"


class PhoneRegionDialog(AppDialog):
    """The vault's region, chosen from every country phone numbers are known for."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(480, 180)
        self.session = session
        self.saved: VaultSettings | None = None
        layout = QVBoxLayout(self)
        note = QLabel(
            'Phone numbers written without "+" (such as 0351 223344) are read as numbers '
            "of this country, for everyone who opens this vault. An import can choose "
            "another for one file."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.region_box = QComboBox()
        for code, shown in phone_regions():
            self.region_box.addItem(shown, code)
        self.region_box.setCurrentIndex(max(self.region_box.findData(region_in_use(session)), 0))
        form.addRow("&Country:", self.region_box)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        cancel = QPushButton("Cancel")
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)

    def save(self) -> None:
        try:
            self.saved = change_phone_region(self.session, str(self.region_box.currentData()))
        except CrmdeskError as exc:
            self.message.setText(error_text(exc))
            self.message.show()
            return
        self.accept()
