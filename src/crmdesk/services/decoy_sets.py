"""Each person's own decoys, the same in every export they make.

New decoys in every export would give them away: the rows that differ between two
exports of the same list would be exactly the decoys. So each person gets a stable set,
made the first time they export and kept in the vault (``vault_info``, key
``decoy_set:<login>``), and every export of theirs carries the first N of it. How a
decoy resembles the real clients of an export (status, salesperson, tags, notes) and
where it goes in the file are drawn from a seed of the person, the decoy and the
clients exported: two exports of the same list are the same file apart from the
export ID; a different list gets decoys that fit it.

The decoy register (``decoys``) keeps one row per decoy, naming the first export that
carried it; a decoy's address or name found elsewhere points at the person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Sequence
from typing import Any

from crmdesk.domain import client_from_json, client_to_json
from crmdesk.domain.decoys import ContactPoints, Decoy, make_decoys
from crmdesk.domain.entities import Task
from crmdesk.services.exports_register import taken_identities
from crmdesk.services.session import Session

_KEY = "decoy_set:{login}"


def seeded(*parts: object) -> random.Random:
    """A generator drawn from ``parts``: the same parts, the same draws."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def stored_set(session: Session) -> list[Decoy]:
    """The signed-in person's decoys so far, in the order they were made."""
    with session.vault.reading() as conn:
        row = conn.execute(
            "SELECT value FROM vault_info WHERE key = ?",
            (_KEY.format(login=session.actor.casefold()),),
        ).fetchone()
    if row is None:
        return []
    return [_decoy_from_json(item) for item in json.loads(row[0])]


def decoys_for(
    session: Session,
    count: int,
    domain: str,
    points: ContactPoints,
    *,
    today: dt.date,
    rng: random.Random,
) -> tuple[list[Decoy], list[Decoy]]:
    """The person's first ``count`` decoys, and the ones among them made just now (to
    keep with :func:`keep_set` in the export's transaction)."""
    have = stored_set(session)
    if len(have) >= count:
        return have[:count], []
    taken = taken_identities(session) | _listed_phones_taken(session) | _business_emails(session)
    made = make_decoys(count - len(have), domain, taken=taken, today=today, rng=rng, points=points)
    # As they will be read back from the vault (phone numbers normalised...): the first
    # export is the same as the next ones.
    made = [_decoy_from_json(_decoy_to_json(d)) for d in made]
    return [*have, *made], made


def keep_set(conn: Any, session: Session, decoys: Sequence[Decoy]) -> None:
    """Store the person's set (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO vault_info (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (
            _KEY.format(login=session.actor.casefold()),
            json.dumps([_decoy_to_json(d) for d in decoys], sort_keys=True),
        ),
    )


def _business_emails(session: Session) -> set[str]:
    """Every decoy business's own address so far (its domain is then taken)."""
    found: set[str] = set()
    with session.vault.reading() as conn:
        rows = conn.execute(
            "SELECT value FROM vault_info WHERE key LIKE 'decoy\\_set:%' ESCAPE '\\'"
        ).fetchall()
    for (text,) in rows:
        for item in json.loads(text):
            found |= {str(e).casefold() for e in item.get("client", {}).get("emails") or []}
    return found


def _listed_phones_taken(session: Session) -> set[str]:
    with session.vault.reading() as conn:
        return {r[0] for r in conn.execute("SELECT phone FROM decoys WHERE phone != ''")}


def _decoy_to_json(decoy: Decoy) -> dict[str, Any]:
    return {
        "name": decoy.name,
        "company": decoy.company,
        "email": decoy.email,
        "phone": decoy.phone,
        "client": client_to_json(decoy.client),
        "task": {
            "due": decoy.task.due.isoformat(),
            "title": decoy.task.title,
            "contact": decoy.task.contact,
        },
    }


def _decoy_from_json(data: dict[str, Any]) -> Decoy:
    task = data["task"]
    return Decoy(
        name=data["name"],
        company=data["company"],
        email=data["email"],
        phone=data["phone"],
        client=client_from_json(data["client"], ignore_read_only=True),
        task=Task(
            due=dt.date.fromisoformat(task["due"]), title=task["title"], contact=task["contact"]
        ),
    )
