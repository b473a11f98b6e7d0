"""The owner's settings kept inside the vault: alert thresholds and the screen watermark.

Kept in the encrypted database (not in a per-computer preferences file) so that they
travel with the vault and bind everyone who opens it; every change is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from crmdesk.domain.alerts import AlertThresholds
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput
from crmdesk.services.access import require
from crmdesk.services.session import Session
from crmdesk.vault import Vault

_KEY = "owner_settings"


@dataclass(frozen=True, slots=True)
class VaultSettings:
    thresholds: AlertThresholds = AlertThresholds()
    # The signed-in person's name tiled faintly over record views (deters photographs).
    screen_watermark: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"thresholds": self.thresholds.to_json(), "screen_watermark": self.screen_watermark}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VaultSettings:
        return cls(
            thresholds=AlertThresholds.from_json(data.get("thresholds") or {}),
            screen_watermark=bool(data.get("screen_watermark", True)),
        )


def load_settings(vault: Vault) -> VaultSettings:
    """The settings in force (defaults until the owner changes them)."""
    with vault.reading() as conn:
        row = conn.execute("SELECT value FROM vault_info WHERE key = ?", (_KEY,)).fetchone()
    if row is None:
        return VaultSettings()
    try:
        return VaultSettings.from_json(json.loads(row[0]))
    except (ValueError, TypeError):
        # Written by this module only; a bad value means damage. Fall back to the strict
        # defaults rather than to no alerts at all.
        return VaultSettings()


def settings(session: Session) -> VaultSettings:
    return load_settings(session.vault)


def change_settings(
    session: Session,
    *,
    thresholds: AlertThresholds | None = None,
    screen_watermark: bool | None = None,
) -> VaultSettings:
    """The owner changes thresholds or the screen watermark; audited with old and new."""
    require(session, Permission.CHANGE_SETTINGS, what="settings")
    old = load_settings(session.vault)
    new = old
    if thresholds is not None:
        try:
            new = replace(new, thresholds=thresholds.validated())
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    if screen_watermark is not None:
        new = replace(new, screen_watermark=screen_watermark)
    if new == old:
        return old
    vault = session.vault
    with vault.transaction() as conn:
        conn.execute(
            "INSERT INTO vault_info (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_KEY, json.dumps(new.to_json(), sort_keys=True)),
        )
        vault.record_event(
            session.actor,
            "settings.changed",
            object="settings",
            details={"old": old.to_json(), "new": new.to_json()},
        )
    return new
