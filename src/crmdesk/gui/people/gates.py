"""From an unlocked vault to a session that may see records: sign in, then the gates.

Every way the app unlocks a vault (start, the welcome screen, the unlock dialog) ends
here. With several users someone signs in; with one, the owner is at the keyboard.
Then, before any record is shown: a first or reset password is replaced, and the
current confidentiality policy is accepted. Refusing any step closes the vault.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from crmdesk.gui.people.password_dialog import ChangePasswordDialog
from crmdesk.gui.people.policy_dialog import PolicyDialog
from crmdesk.gui.people.signin_dialog import SignInDialog
from crmdesk.services.session import Session, Unlocked


def complete_sign_in(parent: QWidget | None, unlocked: Unlocked) -> Session | None:
    """The session of whoever signs in, past the gates; None (vault closed) if they stop."""
    try:
        if unlocked.sign_in_required():
            dialog = SignInDialog(unlocked, parent)
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            session = dialog.session()
            if not accepted or session is None:
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
