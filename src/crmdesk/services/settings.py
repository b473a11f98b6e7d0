"""The owner's settings kept inside the vault: alert thresholds, the screen watermark,
decoys in exports and the region phone numbers are read in.

Kept in the encrypted database (not in a per-computer preferences file) so that they
travel with the vault and bind everyone who opens it; every change is audited.
"""

from __future__ import annotations

import json
import locale
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from crmdesk.domain.alerts import AlertThresholds, ThresholdError
from crmdesk.domain.decoys import MAX_PER_EXPORT, ContactPoints, normalise_domain
from crmdesk.domain.phones import locale_region, region_or_none
from crmdesk.domain.roles import Permission
from crmdesk.errors import BadInput
from crmdesk.services.access import require
from crmdesk.services.backup_folder import checked_backup_folder
from crmdesk.services.people import enabled_user_count
from crmdesk.services.user_session import Session
from crmdesk.vault import Vault

_KEY = "owner_settings"
MAX_BACKUPS_KEPT = 100


@dataclass(frozen=True, slots=True)
class VaultSettings:
    thresholds: AlertThresholds = AlertThresholds()
    # The signed-in person's name tiled faintly over record views (deters photographs).
    # None until the owner chooses: on when the vault has more than one user (alone,
    # there is nobody to deter, and it only hurts reading); see watermark_on().
    screen_watermark: bool | None = None
    # Automatic backup when the app closes (services/backup.py): off while empty.
    backup_folder: str = ""
    backups_kept: int = 10
    # Made-up contacts with addresses at a domain the owner controls, seeded into every
    # export so that a leaked file can be traced to it (domain/decoys.py).
    decoys_enabled: bool = False
    decoy_domain: str = ""
    decoys_per_export: int = 1
    # The currency amounts are kept in (ISO 4217, e.g. "EUR"); "" for the computer's own.
    currency: str = ""
    # More contact points the owner controls: other domains, and addresses and phone
    # numbers to give decoys (domain/decoys.py ContactPoints).
    decoy_domains: tuple[str, ...] = ()
    decoy_addresses: tuple[str, ...] = ()
    decoy_phones: tuple[str, ...] = ()
    # The country phone numbers without "+" belong to ("DE"), also the country whose
    # numbers are shown in national format (domain/phones.py); "" until first set.
    phone_region: str = ""

    def to_json(self) -> dict[str, Any]:
        # The currency only once chosen: settings written before it existed read the same.
        chosen = {"currency": self.currency} if self.currency else {}
        return chosen | {
            "thresholds": self.thresholds.to_json(),
            "screen_watermark": self.screen_watermark,
            "backup_folder": self.backup_folder,
            "backups_kept": self.backups_kept,
            "decoys_enabled": self.decoys_enabled,
            "decoy_domain": self.decoy_domain,
            "decoys_per_export": self.decoys_per_export,
            "decoy_domains": list(self.decoy_domains),
            "decoy_addresses": list(self.decoy_addresses),
            "decoy_phones": list(self.decoy_phones),
            "phone_region": self.phone_region,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VaultSettings:
        return cls(
            thresholds=AlertThresholds.from_json(data.get("thresholds") or {}),
            screen_watermark=_optional_bool(data.get("screen_watermark")),
            backup_folder=str(data.get("backup_folder") or ""),
            backups_kept=min(max(int(data.get("backups_kept") or 10), 1), MAX_BACKUPS_KEPT),
            decoys_enabled=bool(data.get("decoys_enabled", False)),
            decoy_domain=str(data.get("decoy_domain") or ""),
            decoys_per_export=min(max(int(data.get("decoys_per_export") or 1), 1), MAX_PER_EXPORT),
            currency=str(data.get("currency") or ""),
            decoy_domains=tuple(str(d) for d in data.get("decoy_domains") or ()),
            decoy_addresses=tuple(str(a) for a in data.get("decoy_addresses") or ()),
            decoy_phones=tuple(str(p) for p in data.get("decoy_phones") or ()),
            phone_region=str(data.get("phone_region") or ""),
        )

    @property
    def decoy_points(self) -> ContactPoints:
        return ContactPoints(self.decoy_domains, self.decoy_addresses, self.decoy_phones)


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


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


def watermark_on(session: Session) -> bool:
    """Whether the screen watermark shows: the owner's choice, else on when the vault
    has more than one enabled user."""
    chosen = load_settings(session.vault).screen_watermark
    if chosen is not None:
        return chosen
    with session.vault.reading() as conn:
        return enabled_user_count(conn) > 1


def system_region() -> str:
    """The region of this computer's locale (US when it names none)."""
    try:
        fallback = locale.getlocale()[0]
    except ValueError:
        fallback = None
    return locale_region(os.environ, fallback)


def phone_region(vault: Vault) -> str:
    """The region phone numbers of this vault are read and shown in: the owner's setting,
    or (for a vault made before there was one) this computer's locale."""
    return load_settings(vault).phone_region or system_region()


def region_in_use(session: Session) -> str:
    """The region the session's vault reads phone numbers in (see :func:`phone_region`)."""
    return phone_region(session.vault)


def set_region_from_locale(vault: Vault) -> str:
    """Give a new vault the region of the computer it is made on (part of creating it,
    so not a change anyone made: no audit event)."""
    region = system_region()
    _write(vault, replace(load_settings(vault), phone_region=region))
    return region


def change_phone_region(session: Session, region: str) -> VaultSettings:
    """The owner sets the vault's region ("DE"); audited as ``settings.changed``."""
    require(session, Permission.CHANGE_SETTINGS, what="settings")
    code = checked_region(region)
    old = load_settings(session.vault)
    return _save(session, old, replace(old, phone_region=code))


def checked_region(region: str) -> str:
    """``region`` as a region code phone numbers are known for ("de" -> "DE"), or
    BadInput ``region.unknown``."""
    code = region_or_none(region)
    if code is None:
        raise BadInput(
            f"{region!r} is not a region phone numbers are known for: give a two-letter "
            "country code such as US, GB, DE or IN.",
            code="region.unknown",
            value=region,
        )
    return code


def change_settings(
    session: Session,
    *,
    thresholds: AlertThresholds | None = None,
    screen_watermark: bool | None = None,
    backup_folder: str | None = None,
    backups_kept: int | None = None,
    currency: str | None = None,
) -> VaultSettings:
    """The owner changes thresholds, the screen watermark, the automatic backup (its
    folder, "" for none, and how many to keep) or the currency (an ISO 4217 code such as
    "EUR", "" for the computer's own); audited with old and new."""
    require(session, Permission.CHANGE_SETTINGS, what="settings")
    old = load_settings(session.vault)
    new = old
    if thresholds is not None:
        try:
            new = replace(new, thresholds=thresholds.validated())
        except ThresholdError as exc:
            raise BadInput(str(exc), code=exc.code, **exc.facts) from None
    if screen_watermark is not None:
        new = replace(new, screen_watermark=screen_watermark)
    if backup_folder is not None:
        new = replace(new, backup_folder=checked_backup_folder(session, backup_folder))
    if backups_kept is not None:
        if not 1 <= backups_kept <= MAX_BACKUPS_KEPT:
            raise BadInput(
                f"Keep 1 to {MAX_BACKUPS_KEPT} automatic backups.",
                code="backup.kept_out_of_range",
                most=MAX_BACKUPS_KEPT,
            )
        new = replace(new, backups_kept=backups_kept)
    if currency is not None:
        code = currency.strip().upper()
        if code and not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise BadInput(
                f"{currency!r} is not a currency code: give three letters such as USD, EUR or GBP.",
                code="settings.currency_invalid",
                value=currency,
            )
        new = replace(new, currency=code)
    return _save(session, old, new)


def change_decoys(
    session: Session,
    *,
    enabled: bool | None = None,
    domain: str | None = None,
    per_export: int | None = None,
    domains: Sequence[str] | None = None,
    addresses: Sequence[str] | None = None,
    phones: Sequence[str] | None = None,
) -> VaultSettings:
    """The owner turns decoys in exports on or off, or changes their domain(s), the
    addresses and phone numbers they may give decoys, or their number; audited as
    ``settings.changed``. Turning them on needs a domain or an address."""
    require(session, Permission.CHANGE_SETTINGS, what="settings")
    old = load_settings(session.vault)
    new = old
    if domains is not None:
        new = replace(new, decoy_domains=tuple(_domain(d) for d in domains))
    if addresses is not None:
        new = replace(new, decoy_addresses=tuple(_address(a) for a in addresses))
    if phones is not None:
        new = replace(new, decoy_phones=tuple(p.strip() for p in phones if p.strip()))
    if domain is not None:
        try:
            new = replace(new, decoy_domain=normalise_domain(domain))
        except ValueError as exc:
            raise BadInput(str(exc), code="decoys.domain_invalid", value=domain) from None
    if per_export is not None:
        if not 1 <= per_export <= MAX_PER_EXPORT:
            raise BadInput(
                f"Each export can carry 1 to {MAX_PER_EXPORT} decoys.",
                code="decoys.count_out_of_range",
                most=MAX_PER_EXPORT,
            )
        new = replace(new, decoys_per_export=per_export)
    if enabled is not None:
        new = replace(new, decoys_enabled=enabled)
    if new.decoys_enabled and not (new.decoy_domain or new.decoy_addresses):
        raise BadInput(
            "Give the domain for the decoys' email addresses: one you control and whose "
            "mail you read (e.g. example.com), so that mail to a decoy reaches you.",
            code="decoys.domain_needed",
        )
    return _save(session, old, new)


def _domain(text: str) -> str:
    try:
        return normalise_domain(text)
    except ValueError as exc:
        raise BadInput(str(exc), code="decoys.domain_invalid", value=text) from None


def _address(text: str) -> str:
    address = text.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or " " in address:
        raise BadInput(
            f"{text!r} is not an email address like sales@example.com.",
            code="decoys.address_invalid",
            value=text,
        )
    return f"{local}@{_domain(domain)}"


def _save(session: Session, old: VaultSettings, new: VaultSettings) -> VaultSettings:
    if new == old:
        return old
    vault = session.vault
    with vault.transaction() as conn:
        _store(conn, new)
        vault.record_event(
            session.actor,
            "settings.changed",
            object="settings",
            details={"old": old.to_json(), "new": new.to_json()},
        )
    return new


def _store(conn: object, new: VaultSettings) -> None:
    conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO vault_info (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_KEY, json.dumps(new.to_json(), sort_keys=True)),
    )


def _write(vault: Vault, new: VaultSettings) -> None:
    with vault.transaction() as conn:
        _store(conn, new)
