"""Screens around the vault itself: first run, unlocking, and the lock screen."""

from crmdesk.gui.vault_flows.lock_screen import LockScreen, SetPasswordDialog
from crmdesk.gui.vault_flows.unlock import UnlockDialog
from crmdesk.gui.vault_flows.welcome import WelcomeDialog

__all__ = ["LockScreen", "SetPasswordDialog", "UnlockDialog", "WelcomeDialog"]
