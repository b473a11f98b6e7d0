"""Writing exported clients to a file: CSV, vCard, JSON Lines or iCalendar, with decoys
among them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TextIO

from crmdesk import __version__
from crmdesk.domain.decoys import Decoy, interleave
from crmdesk.domain.entities import Client, Task
from crmdesk.errors import BadInput
from crmdesk.io.csv_export import CsvWriter
from crmdesk.io.ics_export import CalendarTodo, IcsWriter
from crmdesk.io.json_export import JsonLinesWriter
from crmdesk.io.vcard_export import VCardWriter

FORMATS = ("csv", "vcf", "json", "ics")
_ALIASES = {"vcard": "vcf", "ical": "ics", "icalendar": "ics", "jsonl": "json"}


def export_format(text: str) -> str:
    """The format named by ``text`` ("vcard" is "vcf"), or a BadInput naming them."""
    fmt = text.strip().lower().lstrip(".")
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise BadInput(
            f"Unknown export format {text!r}: choose csv (spreadsheets), vcf (address "
            "books), json (everything, for another crmdesk vault or other tools) or ics "
            "(calendars: open follow-ups).",
            code="export.unknown_format",
            value=text,
        )
    return fmt


@dataclass(frozen=True, slots=True)
class Item:
    """One thing written to the file: a client, or one open task of a client."""

    client_id: int
    task: Task | None = None
    uid: str = ""


def task_items(
    ids: list[int], tasks: dict[int, list[Task]], vault_id: str
) -> tuple[list[Item], list[int]]:
    """The open follow-ups of the clients ``ids`` (in that order) as items, and the
    clients that have any."""
    items: list[Item] = []
    for client_id in ids:
        seen: dict[str, int] = {}
        for task in tasks.get(client_id, []):
            # Task rows are rewritten (new ids) whenever their client is saved, so the
            # UID follows the client and the task's title instead: a calendar that
            # imports the next export updates the same entries.
            nth = seen[task.title] = seen.get(task.title, 0) + 1
            uid = stable_uid(vault_id, f"task:{client_id}:{task.title}:{nth}")
            items.append(Item(client_id, task, uid))
    return items, [i for i in ids if i in tasks]


def write_file(
    fmt: str,
    out: TextIO,
    records: Iterable[tuple[Item, Client]],
    decoys: list[Decoy],
    after: list[int],
    *,
    vault_id: str,
    now: dt.datetime,
    today: dt.date,
    addresses: int = 1,
    redacted: set[int] | None = None,
) -> None:
    """Write the records, each decoy after its count of real items (see
    :func:`crmdesk.domain.decoys.interleave`). ``addresses`` is the most addresses a
    client has (CSV's numbered columns); ``redacted`` the clients seen only in part."""
    if fmt == "csv":
        csv_writer = CsvWriter(out, addresses)
        csv_writer.begin()
        for thing in interleave(records, decoys, after):
            if isinstance(thing, Decoy):
                # Stable like a real client's ID, so two exports compare alike.
                csv_writer.add(
                    thing.client, stable_uid(vault_id, f"decoy:{thing.email.casefold()}")
                )
            else:
                csv_writer.add(thing[1], stable_uid(vault_id, f"client:{thing[0].client_id}"))
        csv_writer.end()
    elif fmt == "json":
        lines = JsonLinesWriter(out)
        lines.begin()
        for thing in interleave(records, decoys, after):
            if isinstance(thing, Decoy):
                lines.add(thing.client)
            else:
                lines.add(thing[1], redacted=thing[0].client_id in (redacted or set()))
        lines.end()
    elif fmt == "vcf":
        cards = VCardWriter(out)
        cards.begin()
        for thing in interleave(records, decoys, after):
            if isinstance(thing, Decoy):
                # Stable like a real client's: a random UID changed from export to export.
                uid = stable_uid(vault_id, f"decoy:{thing.email.casefold()}")
                cards.add(thing.client, uid, [stable_uid(vault_id, f"decoy-contact:{uid}")])
                continue
            item, client = thing
            uid = stable_uid(vault_id, f"client:{item.client_id}")
            contact_uids = [
                stable_uid(vault_id, f"contact:{item.client_id}:{position}")
                for position in range(len(client.contacts))
            ]
            cards.add(client, uid, contact_uids)
        cards.end()
    else:
        calendar = IcsWriter(
            out,
            prodid=f"-//crmdesk//crmdesk {__version__}//EN",
            stamp=now,
            name="Follow-ups",
        )
        calendar.begin()
        last_due = today
        for thing in interleave(records, decoys, after):
            if isinstance(thing, Decoy):
                # Dated like its neighbour, so it does not stand out in a sorted list.
                task = replace(thing.task, due=last_due)
                uid = stable_uid(vault_id, f"decoy-task:{thing.email.casefold()}")
                calendar.add(_todo(thing.client, task, uid))
                continue
            item, client = thing
            assert item.task is not None
            last_due = item.task.due
            calendar.add(_todo(client, item.task, item.uid))
        calendar.end()


def _todo(client: Client, task: Task, uid: str) -> CalendarTodo:
    """A follow-up with what is needed to act on it: who, and how to reach them."""
    contact = next((c for c in client.contacts if c.name == task.contact), None)
    if contact is None and client.contacts:
        contact = client.contacts[0]
    phones = (contact.phones if contact else []) or client.phones
    emails = (contact.emails if contact else []) or client.emails
    lines = [f"Client: {client.name}"]
    if task.contact or contact:
        lines.append(f"Contact: {task.contact or (contact.name if contact else '')}")
    if phones:
        lines.append(f"Phone: {phones[0]}")
    if emails:
        lines.append(f"Email: {emails[0]}")
    return CalendarTodo(uid, task.due, f"{task.title} — {client.name}", "\n".join(lines))


def stable_uid(vault_id: str, what: str) -> str:
    """The same UID for the same record in every export from this vault (an address
    book or calendar then updates its entry instead of adding a second one)."""
    return hashlib.sha256(f"{vault_id}/{what}".encode()).hexdigest()[:32] + "@crmdesk"
