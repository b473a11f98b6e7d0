"""``settings decoys`` and ``settings region``: the owner's canaries in every export, and
the country phone numbers are read in."""

from __future__ import annotations

import argparse

from crmdesk.commands.io import print_json
from crmdesk.commands.unlock import open_session
from crmdesk.services.settings import (
    VaultSettings,
    change_decoys,
    change_phone_region,
    region_in_use,
    settings,
)


def cmd_settings_decoys(args: argparse.Namespace) -> int:
    enabled = None if not (args.on or args.off) else bool(args.on)
    lists = {
        "domains": _listed(args.more_domain),
        "addresses": _listed(args.address),
        "phones": _listed(args.phone),
    }
    change = (
        enabled is not None
        or args.domain is not None
        or args.per_export is not None
        or any(v is not None for v in lists.values())
    )
    with open_session(args) as session:
        if change:
            current = change_decoys(
                session, enabled=enabled, domain=args.domain, per_export=args.per_export,
                **lists,
            )  # fmt: skip
        else:
            current = settings(session)
    _print_decoys(current, args.json)
    return 0


def _listed(values: list[str] | None) -> list[str] | None:
    """A repeated option's values; one empty value clears the list."""
    if values is None:
        return None
    return [v for v in values if v.strip()]


def _print_decoys(current: VaultSettings, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "decoys_enabled": current.decoys_enabled,
                "decoy_domain": current.decoy_domain,
                "decoys_per_export": current.decoys_per_export,
                "decoy_domains": list(current.decoy_domains),
                "decoy_addresses": list(current.decoy_addresses),
                "decoy_phones": list(current.decoy_phones),
            }
        )
        return
    if current.decoys_enabled:
        print(
            f"Decoys are on: {current.decoys_per_export} in every export, with addresses "
            f"at {current.decoy_domain or 'those listed below'}."
        )
    elif current.decoy_domain:
        print(f"Decoys are off (domain kept: {current.decoy_domain}).")
    if current.decoy_domains:
        print(f"More domains: {', '.join(current.decoy_domains)}")
    if current.decoy_addresses:
        print(f"Addresses to give decoys: {', '.join(current.decoy_addresses)}")
    if current.decoy_phones:
        print(f"Phone numbers to give decoys: {', '.join(current.decoy_phones)}")
    else:
        print("Decoys are off. Turn them on with: crmdesk settings decoys --on --domain DOMAIN")


def cmd_settings_region(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        if args.region:
            change_phone_region(session, args.region)
        current = settings(session)
        region = region_in_use(session)
    if args.json:
        print_json({"phone_region": region, "set": bool(current.phone_region)})
    elif current.phone_region:
        print(f"Phone numbers without + are read as numbers of {region}.")
    else:
        print(
            f"Phone numbers without + are read as numbers of {region} (this computer's "
            "locale; set the vault's with: crmdesk settings region XX)."
        )
    return 0
