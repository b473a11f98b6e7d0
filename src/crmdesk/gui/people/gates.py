"""From an unlocked vault to a session that may see records: sign in, then the gates.

Every way the app unlocks a vault (start, the welcome screen, the unlock dialog) ends
here. With several users someone signs in; with one, the owner is at the keyboard.
Then, before any record is shown: a first or reset password is replaced, and the
current confidentiality policy is accepted. Refusing any step closes the vault.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from crmdesk.gui.people.owner_recovery import OwnerRecoveryDialog
from crmdesk.gui.people.password_dialog import ChangePasswordDialog
from crmdesk.gui.people.policy_dialog import PolicyDialog
from crmdesk.gui.people.signin_dialog import SignInDialog
from crmdesk.services.session import Session, Unlocked


def complete_sign_in(parent: QWidget | None, unlocked: Unlocked) -> Session | None:
    """The session of whoever signs in, past the gates; None (vault closed) if they stop.

    The owner who lost their password chooses "Use recovery key…" at sign-in: the
    recovery key opens their account with a new password; cancelling that goes back to
    the sign-in."""
    try:
        if unlocked.sign_in_required():
            session = _sign_in(parent, unlocked)
            if session is None:
                unlocked.close()
                return None
        else:
            session = unlocked.sole_user()
    except BaseException:
        unlocked.close()
        raise
    try:
        passed = pass_gates(parent, session)
    except BaseException:
        session.close()
        raise
    if not passed:
        session.close()
        return None
    return session


def _sign_in(parent: QWidget | None, unlocked: Unlocked) -> Session | None:
    login = ""
    while True:
        dialog = SignInDialog(unlocked, parent, login=login)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.session()
        if not dialog.wants_recovery:
            return None
        login = dialog.login_edit.text()
        recovery = OwnerRecoveryDialog(unlocked.folder, parent)
        accepted = recovery.exec() == QDialog.DialogCode.Accepted
        opened = recovery.unlocked()
        if accepted and opened is not None:
            try:
                return opened.sole_user()  # the owner, whose slot the key opened
            except BaseException:
                opened.close()
                raise


def pass_gates(parent: QWidget | None, session: Session) -> bool:
    """Ask for what must come before any record; False when the person refused."""
    if session.must_change_password:
        change = ChangePasswordDialog(session, parent, required=True)
        if change.exec() != QDialog.DialogCode.Accepted:
            return False
    if session.pending_policy_version() is not None:
        policy = PolicyDialog(session, parent, must_accept=True)
        if policy.exec() != QDialog.DialogCode.Accepted:
            return False
    return True
