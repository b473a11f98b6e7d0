"""The register of exports and of the decoys they carried, and tracing a leaked file,
address or name back to the export (or printed report) it came from."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crmdesk.domain.decoys import Decoy, identity_keys
from crmdesk.domain.report_ids import normalise_report_id
from crmdesk.domain.roles import Permission
from crmdesk.domain.text import fold
from crmdesk.errors import BadInput, NotFound
from crmdesk.services.access import require
from crmdesk.services.reports import ReportRecord, ReportService
from crmdesk.services.session import Session


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """What the register knows about one exported file."""

    export_id: str
    format: str
    created_at: dt.datetime
    login: str
    full_name: str
    client_ids: list[int]
    client_count: int
    description: str
    sha256: str
    file_name: str
    decoy_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "export_id": self.export_id,
            "format": self.format,
            "created_at": self.created_at.isoformat(),
            "login": self.login,
            "full_name": self.full_name,
            "client_ids": self.client_ids,
            "client_count": self.client_count,
            "description": self.description,
            "sha256": self.sha256,
            "file_name": self.file_name,
            "decoy_count": self.decoy_count,
        }


@dataclass(frozen=True, slots=True)
class DecoyRecord:
    """A decoy and the export that carried it."""

    name: str
    company: str
    email: str
    phone: str
    created_at: dt.datetime
    export: ExportRecord

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "company": self.company,
            "email": self.email,
            "phone": self.phone,
            "created_at": self.created_at.isoformat(),
            "export": self.export.to_json(),
        }


@dataclass(frozen=True, slots=True)
class TraceResult:
    """What a traced ID, address or name turned out to be."""

    kind: str  # "report", "export" or "decoy"
    report: ReportRecord | None = None
    export: ExportRecord | None = None
    decoys: list[DecoyRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # A report keeps the shape `crmdesk trace --json` always had, with "kind" added.
        if self.report is not None:
            return {"kind": "report", **self.report.to_json()}
        if self.export is not None:
            return {"kind": "export", **self.export.to_json()}
        return {"kind": "decoy", "matches": [d.to_json() for d in self.decoys]}


def register(conn: Any, record: ExportRecord, decoys: list[Decoy]) -> None:
    """Enter an export and its decoys in the register (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO exports (id, format, created_at, login, full_name, client_ids,"
        " client_count, description, sha256, file_name, decoy_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.export_id,
            record.format,
            record.created_at.isoformat(),
            record.login,
            record.full_name,
            json.dumps(record.client_ids),
            record.client_count,
            record.description,
            record.sha256,
            record.file_name,
            record.decoy_count,
        ),
    )
    # A person's decoys come back in each of their exports (decoy_sets.py): the register
    # keeps the first export that carried each one.
    conn.executemany(
        "INSERT OR IGNORE INTO decoys (export_id, name, company, email, phone, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (record.export_id, d.name, d.company, d.email, d.phone, record.created_at.isoformat())
            for d in decoys
        ],
    )


def _person_of_business_address(session: Session, address: str) -> str:
    """The person's address of the decoy whose business has ``address`` (each person's
    decoys are kept whole in ``vault_info``: services/decoy_sets.py), or ""."""
    wanted = address.casefold()
    with session.vault.reading() as conn:
        rows = conn.execute(
            "SELECT value FROM vault_info WHERE key LIKE 'decoy\\_set:%' ESCAPE '\\'"
        )
        for (text,) in rows:
            for decoy in json.loads(text):
                emails = decoy.get("client", {}).get("emails") or []
                if any(str(e).casefold() == wanted for e in emails):
                    return str(decoy.get("email") or "")
    return ""


def taken_identities(session: Session) -> set[str]:
    """What the decoys handed out so far are known by: a new decoy must differ."""
    taken: set[str] = set()
    with session.vault.reading() as conn:
        for name, company, email in conn.execute("SELECT name, company, email FROM decoys"):
            taken |= identity_keys(name, company, email)
    return taken


def recent_exports(session: Session, limit: int) -> list[ExportRecord]:
    """The newest exports first."""
    with session.vault.reading() as conn:
        rows = conn.execute(_SELECT + " ORDER BY created_at DESC LIMIT ?", (limit,))
        return [_record(r) for r in rows]


# -- tracing ------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+\.[^\s<>\"'(),;:@]+")


def trace(session: Session, text: str) -> TraceResult:
    """What ``text`` leads to: a report ID (the report), an export ID (the export), or a
    decoy's email address or name (the export that carried it). Owner only.

    Names match without regard to case and accents ("stefan weiss" finds "Stefan Weiß").
    """
    require(session, Permission.VIEW_ACTIVITY, what="export register")
    wanted = " ".join(text.split())
    if not wanted:
        raise BadInput(
            "Give a report or export ID, or a decoy's email address or name.", code="trace.empty"
        )
    email = _EMAIL.search(wanted)
    if email:
        address = email.group(0).rstrip(".")
        found = _decoys(session, "lower(d.email) = lower(?)", (address,))
        if not found:  # a decoy business's own address: found through its person
            person = _person_of_business_address(session, address)
            found = _decoys(session, "lower(d.email) = lower(?)", (person,)) if person else []
        if found:
            return TraceResult("decoy", decoys=found)
        raise NotFound(
            f"No decoy with the address {address} was handed out from this vault. Check "
            "the address, or try the vault it may have come from.",
            code="trace.unknown_decoy_address",
            address=address,
        )
    code: str | None = None
    typo = ""
    try:
        code = normalise_report_id(wanted)
    except ValueError as exc:
        typo = str(exc)
    if code is not None:
        try:
            return TraceResult("report", report=ReportService(session).trace(code))
        except NotFound:
            pass
        export = export_by_id(session, code)
        if export is not None:
            return TraceResult("export", export=export)
    key = fold(wanted)
    with session.vault.reading() as conn:
        named = [
            decoy_id
            for decoy_id, name, company in conn.execute("SELECT id, name, company FROM decoys")
            if key in (fold(" ".join(name.split())), fold(" ".join(company.split())))
        ]
    if named:
        found = _decoys(session, "d.id IN (SELECT value FROM json_each(?))", (json.dumps(named),))
        return TraceResult("decoy", decoys=found)
    if code is not None:
        raise NotFound(
            f"No report with ID {code} was printed from this vault, no export has that ID, "
            "and no decoy has that name. Check the ID on the page or file, or try the "
            "vault it may have come from.",
            code="trace.unknown_id",
            report_id=code,
        )
    if _looks_like_id(wanted):
        raise BadInput(
            f"{typo} (No decoy has that name either.)", code="trace.id_typo", problem=typo
        )
    raise NotFound(
        f"Nothing in this vault matches {wanted!r}: it is not a report or export ID (like "
        "7K3M-Q2ZD-AB5), nor the email address or name of a decoy. Check the spelling, or "
        "try the vault it may have come from.",
        code="trace.nothing_matches",
        value=wanted,
    )


def _looks_like_id(text: str) -> bool:
    compact = text.replace("-", "").replace(" ", "")
    return 8 <= len(compact) <= 14 and compact.isalnum() and any(c.isdigit() for c in compact)


_SELECT = (
    "SELECT id, format, created_at, login, full_name, client_ids, client_count, description,"
    " sha256, file_name, decoy_count FROM exports"
)


def _record(row: Sequence[Any]) -> ExportRecord:
    return ExportRecord(
        export_id=row[0],
        format=row[1],
        created_at=dt.datetime.fromisoformat(row[2]),
        login=row[3],
        full_name=row[4],
        client_ids=json.loads(row[5]),
        client_count=int(row[6]),
        description=row[7],
        sha256=row[8],
        file_name=row[9],
        decoy_count=int(row[10]),
    )


def export_by_id(session: Session, code: str) -> ExportRecord | None:
    with session.vault.reading() as conn:
        row = conn.execute(_SELECT + " WHERE id = ?", (code,)).fetchone()
    return _record(row) if row else None


def _decoys(session: Session, condition: str, params: tuple[Any, ...]) -> list[DecoyRecord]:
    exports: dict[str, ExportRecord] = {}
    found = []
    with session.vault.reading() as conn:
        rows = conn.execute(
            "SELECT d.name, d.company, d.email, d.phone, d.created_at, d.export_id FROM decoys d"
            f" WHERE {condition} ORDER BY d.created_at, d.id",
            params,
        ).fetchall()
        for name, company, email, phone, created_at, export_id in rows:
            if export_id not in exports:
                row = conn.execute(_SELECT + " WHERE id = ?", (export_id,)).fetchone()
                exports[export_id] = _record(row)
            found.append(
                DecoyRecord(
                    name,
                    company,
                    email,
                    phone,
                    dt.datetime.fromisoformat(created_at),
                    exports[export_id],
                )
            )
    return found
