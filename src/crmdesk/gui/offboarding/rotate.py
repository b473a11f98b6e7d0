"""Tools › Rotate vault key…: changing every key of the vault on its own.

First a confirmation that says why and when (when a key or the recovery key may be
known; someone leaving needs no more than Offboard a user…, which changes the keys they
held), what changes (every key, the owner's own keys and recovery key; nobody's
password), with the reason for the audit trail and the owner's password when their key
opens with one. The rotation runs on a worker thread (:mod:`crmdesk.gui.ops`); then the
new recovery key is shown once, with its kit to print.
"""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text, show_error
from crmdesk.gui.offboarding.common import bullets, heading, quiet
from crmdesk.gui.offboarding.recovery_key import RecoveryKeyPanel
from crmdesk.gui.ops import Operation, run_with_progress
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.secret_fields import secret_edit
from crmdesk.gui.widgets.style import STYLE, note_label, primary_button
from crmdesk.services import keys, signin
from crmdesk.services.session import KeyStore, Session
from crmdesk.services.vault_state import Protection, security_state

WHY = (
    "Change the vault's keys when you think a key or the recovery key may be known to "
    "someone who should not have it. Someone leaving needs less: Offboard a user… "
    "changes every key they held."
)
WHAT = (
    "Every key of the vault is replaced: the database and every book are re-encrypted, "
    "and the audit trail gets a new sealing key. Everyone keeps their password.",
    "Your own keys are replaced too, and you get a new recovery key, shown once, to print "
    "and store.",
    "The old keys and old recovery kits stop opening this vault: a key someone copied "
    "opens no later copy of it.",
    "Backups and copies made before now keep the old keys and still open with the old "
    "recovery key: new keys protect the future, not the past.",
    "Close crmdesk in every other window and command first: the vault must be open here "
    "only while its keys change.",
)


class RotateKeyDialog(AppDialog):
    """Confirm (reason, passphrase), rotate, then the new recovery key shown once."""

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        keystore: KeyStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._keystore = keystore
        self.op: Operation | None = None
        self.rotated = False
        # The owner's new keys are wrapped by what opens their key now: their password
        # (several people), their passphrase (one person), or the OS keyring (nothing).
        self._needs_passphrase = signin.has_password(session)
        self._by_passphrase = security_state(session).protection is Protection.PASSPHRASE
        self.setWindowTitle("Change the vault's keys")
        self.setStyleSheet(STYLE)
        self.setMinimumSize(660, 560)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)
        self.confirm_page = self._build_confirm_page()
        self.key_page = self._build_key_page()
        self.stack.addWidget(self.confirm_page)
        self.stack.addWidget(self.key_page)

    def _build_confirm_page(self) -> QWidget:
        page = QWidget(self)
        body = QVBoxLayout(page)
        body.setContentsMargins(28, 20, 28, 18)
        body.setSpacing(10)
        body.addWidget(heading("Change the vault's keys"))
        body.addWidget(QLabel(WHY, wordWrap=True))
        self.explanation = bullets(list(WHAT))
        body.addWidget(self.explanation)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.reason_edit = QLineEdit(page)
        self.reason_edit.setPlaceholderText("e.g. Sam Reed left the company")
        self.reason_edit.setMaxLength(500)
        reason_label = QLabel("&Reason:", page)
        reason_label.setBuddy(self.reason_edit)
        form.addRow(reason_label, self.reason_edit)
        form.addRow(quiet("Kept in the audit trail and in the reasonable-measures report."))
        secret = "passphrase" if self._by_passphrase else "password"
        self.passphrase_edit = secret_edit(
            "The vault's master passphrase"
            if self._by_passphrase
            else "The password you sign in with"
        )
        if self._needs_passphrase:
            passphrase_label = QLabel(
                "Master &passphrase:" if self._by_passphrase else "Your &password:", page
            )
            passphrase_label.setBuddy(self.passphrase_edit)
            form.addRow(passphrase_label, self.passphrase_edit)
            form.addRow(quiet(f"Your new keys are protected by the same {secret}."))
        else:
            self.passphrase_edit.setParent(page)
            self.passphrase_edit.hide()
        body.addLayout(form)
        body.addWidget(
            note_label(
                "This cannot be undone: once changed, the old keys never open this vault "
                "again, and the new recovery key must be stored safely.",
                "warningNote",
            )
        )
        self.message = InlineMessage(page)
        body.addWidget(self.message)
        body.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel", page)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.rotate_button = primary_button("Change the keys")
        # Not the default button: Enter in a field must not start what cannot be undone.
        self.rotate_button.setDefault(False)
        self.rotate_button.setAutoDefault(False)
        self.rotate_button.clicked.connect(self.rotate)
        row.addWidget(self.cancel_button)
        row.addWidget(self.rotate_button)
        body.addLayout(row)
        return page

    def _build_key_page(self) -> QWidget:
        page = QWidget(self)
        body = QVBoxLayout(page)
        body.setContentsMargins(28, 20, 28, 18)
        body.setSpacing(10)
        body.addWidget(heading("The vault's keys are changed"))
        body.addWidget(
            quiet(
                "The vault is now encrypted under new keys. Everyone signs in as before: "
                "nobody's password changed."
            )
        )
        self.key_panel = RecoveryKeyPanel(self.session, page)
        self.key_panel.stored_changed.connect(lambda stored: self.finish_button.setEnabled(stored))
        body.addWidget(self.key_panel)
        body.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.finish_button = primary_button("Finish")
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.finish)
        row.addWidget(self.finish_button)
        body.addLayout(row)
        return page

    # -- actions --------------------------------------------------------------------------

    def rotate(self) -> None:
        """Check the form, then change the key on a worker thread."""
        if self.op is not None or self.rotated:
            return
        self.message.clear_message()
        reason = " ".join(self.reason_edit.text().split())
        if not reason:
            self.message.show_error(
                "Say why the key is changed (for example who left): it is kept as evidence."
            )
            self.reason_edit.setFocus()
            return
        passphrase: str | None = None
        if self._needs_passphrase:
            passphrase = self.passphrase_edit.text()
            if not passphrase:
                self.message.show_error(
                    "Type the vault's master passphrase."
                    if self._by_passphrase
                    else "Type the password you sign in with: your new keys are protected by it."
                )
                self.passphrase_edit.setFocus()
                return
        session, keystore = self.session, self._keystore
        self._set_busy(True)
        self.op = run_with_progress(
            self,
            "Changing the vault's keys",
            1,
            lambda job: keys.rotate_key(
                session, reason=reason, passphrase=passphrase, keystore=keystore
            ),
            self._on_done,
            self._on_error,
        )
        self.op.dialog.setCancelButton(None)  # type: ignore[arg-type]
        self.op.dialog.setLabelText("Re-encrypting the vault under new keys…")

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.reason_edit, self.passphrase_edit, self.cancel_button):
            widget.setEnabled(not busy)
        self.rotate_button.setEnabled(not busy)

    def _finish_op(self) -> None:
        op, self.op = self.op, None
        if op is not None:
            op.dialog.deleteLater()
            op.deleteLater()
        self._set_busy(False)
        self.passphrase_edit.clear()

    def _on_error(self, exc: BaseException) -> None:
        self._finish_op()
        if not isinstance(exc, CrmdeskError):
            show_error(self, exc)
        self.message.show_error(error_text(exc))

    def _on_done(self, recovery_key: str) -> None:
        self._finish_op()
        self.rotated = True
        self.key_panel.show_key(recovery_key)
        self.stack.setCurrentWidget(self.key_page)
        self.adjustSize()
        self.key_panel.print_kit_button.setFocus()

    def finish(self) -> None:
        if not self.rotated:
            return
        if not self.key_panel.is_stored():
            self.key_panel.remind()
            return
        self.key_panel.forget()
        self.accept()

    def reject(self) -> None:
        if self.op is not None:
            return
        if self.rotated:
            self.finish()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.op is not None or (self.rotated and not self.key_panel.is_stored()):
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()


def rotate_key_flow(parent: QWidget, session: Session, *, keystore: KeyStore | None = None) -> bool:
    """Ask, change the vault's keys, show the new recovery key once; True if they changed."""
    dialog = RotateKeyDialog(session, parent, keystore=keystore)
    dialog.exec()
    return dialog.rotated
