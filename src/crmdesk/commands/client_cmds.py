"""``client add|show|update|delete|list``, ``search`` and ``demo``: JSON in and out."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from crmdesk.commands.common_args import COVERAGE_KEYS
from crmdesk.commands.io import print_json
from crmdesk.commands.unlock import approval, open_session
from crmdesk.domain.phones import display_phone
from crmdesk.errors import BadInput
from crmdesk.services.client_query import ClientQuery, ClientRow, SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.reading_out import read_out
from crmdesk.services.settings import region_in_use
from crmdesk.services.withheld import note as withheld_note


def query_from_args(args: argparse.Namespace, text: str = "") -> ClientQuery:
    return ClientQuery(
        text=text,
        status=args.status,
        salesperson=args.salesperson,
        tag=args.tag,
        buys_in_month=args.buys_in_month,
        no_contact_days=args.no_contact_days,
        birthday_within_days=args.birthday_within,
        followups_due=args.followups_due,
        missing=tuple(dict.fromkeys(args.missing or ())),
        sort=SortKey(args.sort),
        descending=args.desc,
        limit=args.limit,
        offset=args.offset,
    )


def read_json_object(args: argparse.Namespace, what: str) -> dict[str, Any]:
    """A JSON object from standard input (after the passphrase and password lines, if
    given there), or a message that points at the problem."""
    secrets = int(bool(args.passphrase_stdin)) + int(bool(getattr(args, "password_stdin", False)))
    text = args.stdin.rest(after=secrets)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"Standard input is not valid JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}). Send {what} as one JSON object.",
            code="cli.json_invalid",
        ) from None
    if not isinstance(data, dict):
        raise BadInput(
            f"Send {what} as one JSON object ({{...}}), not a {type(data).__name__}.",
            code="cli.json_not_object",
        )
    return data


def cmd_add(args: argparse.Namespace) -> int:
    data = read_json_object(args, "the client")
    with open_session(args) as session:
        client_id = ClientService(session).add(data)
    print(client_id)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        data = ClientService(session).get_json(args.id)
        region = region_in_use(session) if not args.json else ""
    if args.json:
        print_json(data)  # numbers as stored (E.164): for programs
    else:
        _print_client(data, region)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    patch = read_json_object(args, "the fields to change")
    expected = args.expected_version
    if "version" in patch:
        version = patch.pop("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise BadInput(
                '"version" must be a whole number: the version you read.',
                code="cli.version_not_whole",
            )
        expected = version if expected is None else expected
    with open_session(args) as session:
        client, changed = ClientService(session).update_changed(
            args.id, patch, expected_version=expected
        )
    if changed:
        print(f"Updated client {client.id} (now version {client.version})")
    else:
        print(f"Nothing changed: client {client.id} is still version {client.version}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        name = ClientService(session).delete(args.id, expected_version=args.expected_version)
    print(f"Deleted client {args.id} ({name})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        service = ClientService(session)
        query = query_from_args(args)
        rows, total = service.list(query), service.count(query)
        read_out(session, [r.id for r in rows], approval=approval(args))
        note = withheld_note(session) if any(_withheld(r) for r in rows) else ""
    _print_rows(rows, total, args.json, note)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise BadInput("Give some words to search for.", code="cli.search_empty")
    with open_session(args) as session:
        service = ClientService(session)
        query = query_from_args(args, args.text)
        rows, total = service.list(query), service.count(query)
        read_out(session, [r.id for r in rows], search=args.text, approval=approval(args))
        note = withheld_note(session) if any(_withheld(r) for r in rows) else ""
    _print_rows(rows, total, args.json, note)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crmdesk.commands.progress import Progress
    from crmdesk.services.demo import create_demo_clients

    if not 1 <= args.clients <= 1_000_000:
        raise BadInput(
            "--clients must be between 1 and 1,000,000.", code="cli.demo_count_out_of_range"
        )
    with open_session(args) as session, Progress("Creating demo clients", args.clients) as bar:
        made = create_demo_clients(session, args.clients, seed=args.seed, progress=bar.update)
    print(f"Created {made:,} demo clients.")
    return 0


def _withheld(row: ClientRow) -> bool:
    return row.coverage.count is None or row.spend_12m is None


def _row_json(row: ClientRow, note: str) -> dict[str, Any]:
    data = asdict(row)
    if note and _withheld(row):
        data["withheld"] = note
    data["spend_12m"] = None if row.spend_12m is None else str(row.spend_12m)
    for key in ("last_contact", "next_order"):
        data[key] = data[key].isoformat() if data[key] else None
    data["coverage"] = row.coverage.to_json()
    return data


def _coverage(row: ClientRow) -> str:
    """``5/7`` on file, or ``withheld``: never a count for a client the person may not see."""
    held = row.coverage.count
    return "withheld" if held is None else f"{held}/{len(COVERAGE_KEYS)}"


def _money(amount: Decimal | None) -> str:
    return "withheld" if amount is None else f"{amount:,.2f}"


def _print_rows(rows: list[ClientRow], total: int, as_json: bool, note: str = "") -> None:
    if as_json:
        print_json([_row_json(r, note) for r in rows])
        return
    if not rows:
        print("No clients match.")
        return
    header = ("ID", "NAME", "STATUS", "SALES", "LAST CONTACT", "12M SPEND", "ON FILE")
    print("{:>7}  {:<32} {:<9} {:<10} {:<12} {:>12}  {}".format(*header))
    for r in rows:
        last = r.last_contact.isoformat() if r.last_contact else "-"
        print(
            f"{r.id:>7}  {r.name[:32]:<32} {r.status:<9} {r.salesperson[:10]:<10} "
            f"{last:<12} {_money(r.spend_12m):>12}  {_coverage(r)}"
        )
    if total > len(rows):
        print(f"({len(rows)} of {total:,} shown; use --limit and --offset for more)")
    if note:
        print(f"(withheld: {note.removeprefix('Withheld: ')})")


def _print_client(data: dict[str, Any], region: str = "") -> None:
    """A client as people read it; phone numbers in the national format of the vault's
    ``region``, the others in the international one (issue 15)."""
    print(f"{data['name']}  (client {data['id']}, version {data['version']})")
    print(
        f"  {data['kind']}, {data['status']}"
        + (f", {data['industry']}" if data["industry"] else "")
    )
    for label, name in (("Salesperson", "salesperson"), ("Website", "website")):
        if data[name]:
            print(f"  {label}: {data[name]}")
    for label, name in (("Email", "emails"), ("Phone", "phones"), ("Tags", "tags")):
        if data[name]:
            shown = data[name]
            if name == "phones" and region:
                shown = [display_phone(number, region) for number in shown]
            print(f"  {label}: {', '.join(shown)}")
    for contact in data["contacts"]:
        print(
            f"  Contact: {contact['name']}" + (f", {contact['title']}" if contact["title"] else "")
        )
    withheld = data.get("withheld") if data.get("redacted") else None
    if withheld:
        # Never "0 orders" or "none recorded": the information exists, it is not theirs.
        print(f"  Purchases: {withheld['note']}")
        print(f"  Pricing, preferences, seasonal needs, specifications: {withheld['note']}")
        print(f"  Records: {len(data['interactions'])} interactions, {len(data['tasks'])} tasks")
    else:
        p = data["patterns"]
        print(
            f"  Purchases: {p['order_count']} orders, lifetime {p['lifetime_spend']}, "
            f"last 12 months {p['last_12_months_spend']}, "
            f"next expected {p['expected_next_order'] or '-'}"
        )
        print(
            f"  Records: {len(data['pricing'])} pricing, {len(data['preferences'])} "
            f"preferences, {len(data['seasonal_needs'])} seasonal needs, "
            f"{len(data['specifications'])} specifications, {len(data['interactions'])} "
            f"interactions, {len(data['tasks'])} tasks"
        )
    coverage = data.get("coverage") or {}
    states = coverage.get("categories") or {}
    if withheld:
        print(f"  On file: {withheld['note']}")
    elif coverage.get("withheld"):
        print(f"  On file: withheld ({coverage['withheld']})")
    elif states:
        missing = [k.replace("_", " ") for k, state in states.items() if state == "missing"]
        line = f"  On file: {coverage.get('held')} of {coverage.get('of')} kinds"
        print(line + (f"; missing {', '.join(missing)}" if missing else ""))
    print("  (crmdesk client show ID --json prints everything)")
