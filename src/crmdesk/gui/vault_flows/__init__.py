"""Screens around the vault itself: first run, unlocking, and the lock screen.

The names below are loaded when first asked for: the main window needs the lock screen
at start, not the welcome screens (and the recovery kit's PDF code behind them).
"""

from __future__ import annotations

from typing import Any

_WHERE = {
    "LockScreen": "crmdesk.gui.vault_flows.lock_screen",
    "SetPasswordDialog": "crmdesk.gui.vault_flows.lock_screen",
    "UnlockDialog": "crmdesk.gui.vault_flows.unlock",
    "WelcomeDialog": "crmdesk.gui.vault_flows.welcome",
}

__all__ = ["LockScreen", "SetPasswordDialog", "UnlockDialog", "WelcomeDialog"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(_WHERE[name]), name)
