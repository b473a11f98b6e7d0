"""The owner's automatic backup: the folder it goes to and how many are kept.

Saved through :func:`crmdesk.services.settings.change_settings` (the service checks
the folder: it must exist, be writable and lie outside the vault folder). A problem is
shown in the dialog, next to what to change.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.services.session import Session
from crmdesk.services.settings import MAX_BACKUPS_KEPT, VaultSettings, change_settings
from crmdesk.services.settings import settings as vault_settings

TITLE = "Backup settings"


class BackupSettingsDialog(AppDialog):
    """Folder for the automatic backup on closing ("" for none) and backups kept."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(560, 240)
        self.session = session
        self.saved: VaultSettings | None = None
        current = vault_settings(session)
        layout = QVBoxLayout(self)
        note = QLabel(
            "When crmdesk closes it backs the vault up into this folder (an external drive "
            "is best). Leave the folder empty for no automatic backup."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(current.backup_folder)
        self.folder_edit.setPlaceholderText("No automatic backup")
        browse = QPushButton("&Choose…")
        browse.clicked.connect(self.browse)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form.addRow("Backup &folder:", row)
        self.kept_spin = QSpinBox()
        self.kept_spin.setRange(1, MAX_BACKUPS_KEPT)
        self.kept_spin.setValue(current.backups_kept)
        self.kept_spin.setSuffix(" backups")
        form.addRow("&Keep the last:", self.kept_spin)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #e5534b;")  # a red that reads on light and dark
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

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for automatic backups", self.folder_edit.text().strip()
        )
        if folder:
            self.folder_edit.setText(folder)

    def save(self) -> None:
        try:
            self.saved = change_settings(
                self.session,
                backup_folder=self.folder_edit.text().strip(),
                backups_kept=self.kept_spin.value(),
            )
        except CrmdeskError as exc:
            self.message.setText(error_text(exc))
            self.message.show()
            return
        self.accept()
