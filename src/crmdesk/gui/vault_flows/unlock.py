"""Unlocking a vault that needs a secret, or whose key could not be found.

Also the small pieces the other vault screens share: an inline message line, a pair of
new-passphrase fields, the recovery-key text box, the monospaced font for keys, and a
busy cursor around the (Argon2id-slow) vault calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.errors import BadInput, CrmdeskError
from crmdesk.resources import resource
from crmdesk.services import session as session_service
from crmdesk.services.session import Session, Unlocked

STYLE = """
QLabel#inlineMessage[kind="error"] {
    color: #8a1c1c; background: #fdeeee; border: 1px solid #f1c4c4;
    border-radius: 5px;
}
QLabel#inlineMessage[kind="info"] {
    color: #1d4d2b; background: #ecf7ef; border: 1px solid #bfe3c9;
    border-radius: 5px;
}
QLabel#note { color: palette(placeholder-text); }
QLabel#warningNote {
    color: #7a4b00; background: #fff6e5; border: 1px solid #f0d49b; border-radius: 5px;
}
QLabel#pageTitle { font-size: 17pt; font-weight: 600; }
QPushButton#primary {
    background: #2456a6; color: white; border: 1px solid #1d4687; border-radius: 5px;
    padding: 6px 18px; font-weight: 600;
}
QPushButton#primary:hover { background: #1d4a92; }
QPushButton#primary:disabled { background: #b9c3d3; border-color: #aab4c4; color: #eef1f6; }
"""

_mono_family: str | None = None


def mono_font(point_size: float = 11.0) -> QFont:
    """DejaVu Sans Mono (shipped with crmdesk), or the system's fixed-width font."""
    global _mono_family
    if _mono_family is None:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", "DejaVuSansMono.ttf")))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _mono_family = families[0] if families else ""
    font = (
        QFont(_mono_family)
        if _mono_family
        else QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    )
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size)
    return font


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """A wait cursor while a vault call runs (key derivation takes a moment)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    return label


def note_label(text: str, name: str = "note") -> QLabel:
    """A wrapped line of explanation; ``name`` "warningNote" makes it a yellow box."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if name == "warningNote":
        label.setMargin(7)  # stylesheet padding upsets a wrapped label's height
    return label


def primary_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary")
    button.setDefault(True)
    button.setAutoDefault(True)
    return button


def keyring_explanation(problem: str) -> str:
    """One line on why a passphrase is asked for: the first sentence of the problem."""
    first = problem.split(". ")[0].strip().rstrip(".") if problem else ""
    if not first:
        first = "No usable OS keyring was found on this computer"
    return f"{first}. The vault key will be protected by a master passphrase instead."


def resolve_keyring_usable(override: bool | None) -> tuple[bool, str]:
    """Whether the OS keyring can hold the key, and the problem if not."""
    if override is not None:
        return override, ""
    state = session_service.keyring_state()
    return state.usable, state.problem


class InlineMessage(QLabel):
    """A message shown in place (an error or a confirmation), hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineMessage")
        self.setWordWrap(True)
        self.setMargin(7)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    def _show(self, text: str, kind: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.show()


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
            raise BadInput("Choose a master passphrase: it will be asked for every time.")
        if first != second:
            raise BadInput("The two passphrases differ. Type the same passphrase twice.")
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


def call_service(message: InlineMessage, fn: Callable[[], Any]) -> Any | None:
    """Run a vault call with a busy cursor; a :class:`CrmdeskError` shows inline."""
    message.clear_message()
    try:
        with busy():
            return fn()
    except CrmdeskError as exc:
        message.show_error(exc.message)
        return None


class UnlockDialog(QDialog):
    """Opening the vault needs a passphrase, or the usual way failed (``reason`` says why).

    With ``needs_passphrase`` it asks for the master passphrase; otherwise it offers to try
    the keyring again. Either way "Use recovery key…" opens the vault with the recovery
    key and stores the key again (in the keyring, or under a new passphrase when no
    keyring is usable). Then someone signs in (with several users) and passes the first
    sign-in gates (:mod:`crmdesk.gui.people.gates`). After ``exec()``, :meth:`session`
    is the open session or None. With ``sign_in=False`` the dialog stops at the open
    vault, :meth:`unlocked`, and the caller signs in (the lock screen does).
    """

    def __init__(
        self,
        folder: Path,
        reason: str,
        *,
        needs_passphrase: bool,
        keystore: Any = None,
        keyring_usable: bool | None = None,
        parent: QWidget | None = None,
        sign_in: bool = True,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self._keystore = keystore
        self._needs_passphrase = needs_passphrase
        self._sign_in = sign_in
        self._keyring_usable, self._keyring_problem = resolve_keyring_usable(keyring_usable)
        self._session: Session | None = None
        self._unlocked: Unlocked | None = None
        self.setWindowTitle("Unlock crmdesk")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(title_label("Unlock your vault"))
        folder_label = note_label(f"Vault folder: {self.folder}")
        folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder_label)
        self.reason_label = note_label(reason, "warningNote" if reason else "note")
        self.reason_label.setVisible(bool(reason))
        layout.addWidget(self.reason_label)

        # The usual way: the passphrase, or another try at the keyring.
        self.normal_box = QWidget()
        normal = QFormLayout(self.normal_box)
        normal.setContentsMargins(0, 4, 0, 0)
        self.passphrase_edit = secret_edit("Master passphrase")
        if needs_passphrase:
            normal.addRow("Master passphrase:", self.passphrase_edit)
        else:
            self.passphrase_edit.hide()
            normal.addRow(
                note_label(
                    "If the keyring was locked or not running, unlock or start it, then "
                    "try again. Otherwise use the recovery key from your recovery kit."
                )
            )
        layout.addWidget(self.normal_box)

        # The other way: the recovery key.
        self.recovery_box = QFrame()
        recovery = QFormLayout(self.recovery_box)
        recovery.setContentsMargins(0, 4, 0, 0)
        recovery.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        recovery.addRow(note_label("Type the recovery key from your printed recovery kit."))
        self.recovery_key_edit = RecoveryKeyEdit()
        recovery.addRow("Recovery key:", self.recovery_key_edit)
        self.new_passphrase = PassphraseFields(self.recovery_box)
        if not self._keyring_usable:
            recovery.addRow(note_label(keyring_explanation(self._keyring_problem), "warningNote"))
            self.new_passphrase.add_to(recovery)
        else:
            recovery.addRow(note_label("The key will be stored in this computer's keyring again."))
        self.recovery_box.hide()
        layout.addWidget(self.recovery_box)

        self.message = InlineMessage()
        layout.addWidget(self.message)
        layout.addStretch(1)

        buttons = QDialogButtonBox()
        self.recovery_button = QPushButton("Use recovery key…")
        self.recovery_button.setAutoDefault(False)
        self.recovery_button.clicked.connect(self.show_recovery)
        buttons.addButton(self.recovery_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.unlock_button = primary_button("Unlock" if needs_passphrase else "Try again")
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.unlock_button.clicked.connect(self.unlock)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        if needs_passphrase:
            self.passphrase_edit.setFocus()

    # -- actions -----------------------------------------------------------------------

    def session(self) -> Session | None:
        """The unlocked session once the dialog was accepted, else None."""
        return self._session

    def unlocked(self) -> Unlocked | None:
        """With ``sign_in=False``: the open vault, nobody signed in yet."""
        return self._unlocked

    @property
    def recovering(self) -> bool:
        return self.recovery_box.isVisibleTo(self)

    def show_recovery(self) -> None:
        """Switch to unlocking with the recovery key."""
        self.normal_box.hide()
        self.recovery_box.show()
        self.recovery_button.hide()
        self.unlock_button.setText("Unlock with recovery key")
        self.message.clear_message()
        self.recovery_key_edit.setFocus()
        self.adjustSize()

    def unlock(self) -> None:
        """The primary button: the passphrase, the keyring again, or the recovery key."""
        if self.recovering:
            self._recover()
            return
        passphrase = self.passphrase_edit.text() if self._needs_passphrase else None
        if self._needs_passphrase and not passphrase:
            self.message.show_error("Type the vault's master passphrase.")
            self.passphrase_edit.setFocus()
            return
        opened = call_service(
            self.message,
            lambda: session_service.open_vault(
                self.folder, keystore=self._keystore, passphrase=passphrase
            ),
        )
        if opened is None:
            if self._needs_passphrase:
                self.passphrase_edit.selectAll()
                self.passphrase_edit.setFocus()
            return
        self._finish(opened)

    def _recover(self) -> None:
        key = self.recovery_key_edit.key_text()
        if not key:
            self.message.show_error("Type the recovery key from your recovery kit.")
            self.recovery_key_edit.setFocus()
            return
        new_passphrase: str | None = None
        if not self._keyring_usable:
            try:
                new_passphrase = self.new_passphrase.value()
            except CrmdeskError as exc:
                self.message.show_error(exc.message)
                self.new_passphrase.focus_first()
                return
        opened = call_service(
            self.message,
            lambda: session_service.recover(
                self.folder, key, keystore=self._keystore, new_passphrase=new_passphrase
            ),
        )
        if opened is None:
            self.recovery_key_edit.setFocus()
            return
        # The recovery key opens the vault, not anyone's account: sign in as usual.
        self._finish(session_service.Unlocked(opened.vault))

    def _finish(self, opened: Unlocked) -> None:
        self.passphrase_edit.clear()
        self.recovery_key_edit.clear()
        self.new_passphrase.clear()
        if not self._sign_in:
            self._unlocked = opened
            self.accept()
            return
        from crmdesk.gui.people.gates import complete_sign_in  # imports this module

        session = complete_sign_in(self, opened)
        if session is None:  # they cancelled sign-in or refused a gate: the vault is closed
            self.reject()
            return
        self._session = session
        self.accept()
