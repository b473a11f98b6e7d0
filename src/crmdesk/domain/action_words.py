"""How each audit action is said to a person: one vocabulary for the Activity page, the
Access report and its companion CSV, so that the app and the printed evidence never
name one action two ways."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACTION_WORDS: dict[str, str] = {
    "client.viewed": "Viewed client",
    "client.created": "Added client",
    "client.updated": "Changed client",
    "client.deleted": "Deleted client",
    "clients.created": "Added clients",
    "clients.searched": "Searched clients",
    "clients.exported": "Exported clients",
    "clients.copied": "Copied clients to the clipboard",
    "report.printed": "Printed report",
    "report.printer": "Sent report to a printer",
    "report.saved": "Saved report as a file",
    "report.traced": "Traced a printed document",
    "signin.ok": "Signed in",
    "signin.failed": "Failed sign-in",
    "signin.throttled": "Sign-in refused (too many failures)",
    "signin.password_set": "Set own password",
    "session.locked": "Locked the screen",
    "session.unlocked": "Unlocked the screen",
    "policy.accepted": "Accepted the confidentiality policy",
    "policy.published": "Published the confidentiality policy",
    "access.denied": "Refused access",
    "egress.approved": "Approved a large print or export",
    "user.added": "Added user",
    "user.disabled": "Disabled user",
    "user.enabled": "Enabled user",
    "user.role_changed": "Changed a user's role",
    "user.password_changed": "Changed own password",
    "user.password_reset": "Reset a user's password",
    "user.offboarded": "Offboarded user",
    "settings.changed": "Changed settings",
    "key.rotated": "Changed the vault key",
    "key.recovered": "Restored access with the recovery key",
    "key.rotation_completed": "Finished an interrupted key change",
    "key.rotation_abandoned": "Dropped an interrupted key change",
    "backup.created": "Made a backup",
    "vault.created": "Created the vault",
    "vault.migrated": "Upgraded the vault",
    "office.created": "Made the vault an office of laptops",
    "office.invited": "Invited a laptop",
    "office.joined": "Joined an office",
    "office.device_joined": "Gave a laptop its keys",
    "office.keys_granted": "Gave a laptop new keys",
    "office.keys_received": "Received keys from the office",
    "office.device_revoked": "Revoked a laptop",
    "office.syncthing_set_up": "Set up Syncthing",
    "sync.received": "Took in changes from another device",
    "sync.conflict_settled": "Settled a conflict",
    "sync.trail_broken": "Found another device's audit trail cut or rewritten",
}


def action_words(action: str, details: Mapping[str, Any]) -> str:
    """The action as a person would say it (a view of a client says whether it showed
    value-added information); an action not listed, readably as recorded."""
    if action == "client.viewed":
        if details.get("value_added") is True:
            return "Viewed value-added information"
        return "Viewed client (basic)"
    words = ACTION_WORDS.get(action)
    if words:
        return words
    return action.replace("_", " ").replace(".", ": ", 1).capitalize()
