"""Joining an office on the first-run screen: a laptop's own new vault, made from the
invitation the owner handed over, that becomes one of the office's devices.

A part of :class:`crmdesk.gui.vault_flows.welcome.WelcomeDialog` (its join page). The
vault is made as "Create a new vault" makes one (the keyring, else a passphrase, and the
recovery key shown once on the same page), named for the invited person, then
``joining.become_member`` writes its join request into the shared folder. The laptop
receives the office's clients after the owner's vault has synced once; the recovery-key
page says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QFormLayout, QLabel, QLineEdit, QStackedWidget

from crmdesk.errors import CrmdeskError
from crmdesk.gui.errors import error_text
from crmdesk.gui.sync import texts
from crmdesk.gui.sync.office_dialogs import INVITATION_SUFFIX, PathRow, folder_chooser
from crmdesk.gui.vault_flows.welcome_parts import FolderRow, Page
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import busy
from crmdesk.gui.widgets.secret_fields import PassphraseFields
from crmdesk.gui.widgets.style import note_label, primary_button
from crmdesk.services import session as session_service
from crmdesk.services.replication import joining
from crmdesk.services.session import Owner, Session

MAX_INVITATION_BYTES = 64 * 1024  # an invitation is well under 2 KB


class JoinOfficeFlow(AppDialog):
    """The join page of the first-run screen (WelcomeDialog supplies the rest)."""

    folder: Path
    stack: QStackedWidget
    _keystore: Any
    _keyring_usable: bool
    _session: Session | None
    key_page: Page
    join_page: Page

    def _build_join_page(self) -> Page:
        page = Page(
            "Join an office",
            "This laptop gets a vault of its own, which exchanges changes with the office "
            "through the shared folder. You need the invitation file the owner gave you.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.invitation_row = PathRow("", "Choose…", self._choose_invitation)
        self.invitation_row.edit.editingFinished.connect(self.read_invitation)
        self.invitation_label = QLabel("")
        self.invitation_label.setWordWrap(True)
        self.invitation_label.setObjectName("note")
        self.shared_row = PathRow("", "Choose…", folder_chooser(self, "The shared folder"))
        self.join_folder_row = FolderRow(self.folder, "Change…", "Where to keep this vault")
        self.join_folder_row.button.clicked.connect(self._change_join_folder)
        self.join_name_edit = QLineEdit()
        self.join_name_edit.setPlaceholderText("e.g. Sam Reed")
        form.addRow("Invitation file:", self.invitation_row)
        form.addRow("", self.invitation_label)
        form.addRow("Shared folder:", self.shared_row)
        form.addRow("This laptop's vault:", self.join_folder_row)
        form.addRow("Your full name:", self.join_name_edit)
        self.join_passphrase = PassphraseFields(page)
        if not self._keyring_usable:
            self.join_passphrase.add_to(form)
        page.body.addLayout(form)
        page.body.addWidget(
            note_label(
                "The shared folder is the office's Syncthing folder on this laptop (or the "
                "network share or USB stick the office uses), not the vault's own folder."
            )
        )
        self.join_button = primary_button("Join office")
        self.join_button.clicked.connect(self.join_office)
        page.finish_layout([self.join_button], self._back_button())  # type: ignore[attr-defined]
        self.joined_note = note_label("", "warningNote")
        self.joined_note.hide()
        self.key_page.body.insertWidget(1, self.joined_note)
        self._invitation: Any = None
        return page

    def go_to_join(self) -> None:
        self.stack.setCurrentWidget(self.join_page)
        self.invitation_row.edit.setFocus()

    def _choose_invitation(self, current: str) -> str:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "The invitation file",
            current or str(Path.home()),
            f"crmdesk invitations (*{INVITATION_SUFFIX});;All files (*)",
        )
        if chosen:
            self.invitation_row.edit.setText(chosen)
            self.read_invitation()
        return chosen

    def _change_join_folder(self) -> None:
        chosen = self.join_folder_row.pick()
        if chosen is None:
            return
        if chosen.is_dir() and any(chosen.iterdir()) and not session_service.vault_exists(chosen):
            chosen = chosen / "crmdesk-vault"  # a vault is a folder of its own
        self.join_folder_row.set_folder(chosen)

    def read_invitation(self) -> Any:
        """Read the invitation chosen and say what it is (None, and why, if it is not)."""
        message = self.join_page.message
        message.clear_message()
        self._invitation = None
        self.invitation_label.setText("")
        path = self.invitation_row.path()
        if path is None:
            return None
        if not path.is_file():
            message.show_error(f"There is no file {path}. Choose the invitation file (Choose…).")
            return None
        try:
            if path.stat().st_size > MAX_INVITATION_BYTES:
                message.show_error(
                    f"{path.name} is not a crmdesk invitation. Choose the file the owner gave you."
                )
                return None
            invitation = joining.read_invitation(path.read_bytes())
        except OSError as exc:
            message.show_error(f"{path} cannot be read ({exc.strerror}). Choose it again.")
            return None
        except CrmdeskError as exc:
            message.show_error(error_text(exc))
            return None
        self._invitation = invitation
        office = invitation.office_name or "the office"
        self.invitation_label.setText(
            f"An invitation to {office} for {invitation.login}, valid until "
            f"{texts.local_time(invitation.expires_at)}."
        )
        return invitation

    def join_office(self) -> None:
        """Make this laptop's vault and join the office; then show its recovery key."""
        message = self.join_page.message
        invitation = self._invitation or self.read_invitation()
        if invitation is None:
            if not message.isVisible():
                message.show_error("Choose the invitation file the owner gave you (Choose…).")
            return
        message.clear_message()
        shared = self.shared_row.path()
        name = self.join_name_edit.text().strip()
        if shared is None:
            message.show_error("Choose the shared folder of the office on this laptop (Choose…).")
            return
        if not name:
            message.show_error(
                "Type your full name: it is shown on reports and in the audit trail."
            )
            self.join_name_edit.setFocus()
            return
        passphrase: str | None = None
        try:
            if not self._keyring_usable:
                passphrase = self.join_passphrase.value()
        except CrmdeskError as exc:
            message.show_error(error_text(exc))
            return
        folder = self.join_folder_row.folder
        owner = Owner(name, invitation.login, invitation.office_name)
        try:
            with busy():
                result = session_service.create_vault(
                    folder, owner, keystore=self._keystore, passphrase=passphrase
                )
        except CrmdeskError as exc:
            message.show_error(error_text(exc))
            return
        session = result[0]
        try:
            with busy():
                office = joining.become_member(session, invitation, shared)
        except (CrmdeskError, OSError) as exc:
            # The vault is made and open: it is kept, and can join again with a new
            # invitation (it is not an office member yet).
            message.show_error(
                f"The vault was made in {folder}, but it could not join the office: "
                f"{texts.failure_text(exc, str(shared))}"
            )
            session.close()
            return
        self.join_passphrase.clear()
        self.joined_note.setText(
            f"This laptop has joined {office.name or 'the office'}. It receives the office's "
            "clients after the owner's vault has synced once: ask the owner to choose File › "
            "Sync now. crmdesk then syncs here by itself every two minutes."
        )
        self.joined_note.show()
        self._show_recovery_key(result, folder)  # type: ignore[attr-defined]
