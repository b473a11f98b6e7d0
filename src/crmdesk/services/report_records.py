"""The report register's records: what it knows about each printed report, and the rows.

A report is registered with the files made with it (the Access report's CSV of every
entry), each under its own report ID with its own SHA-256.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """What the register knows about one printed report."""

    report_id: str
    kind: str
    title: str
    created_at: dt.datetime
    login: str
    full_name: str
    client_ids: list[int]
    description: str
    page_count: int
    sha256: str

    def to_json(self) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "kind": self.kind,
            "title": self.title,
            "created_at": self.created_at.isoformat(),
            "login": self.login,
            "full_name": self.full_name,
            "client_ids": self.client_ids,
            "description": self.description,
            "page_count": self.page_count,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class CompanionFile:
    """A file made and registered with a report (the Access report's CSV of every entry):
    its register record, the name the report gives it, and its bytes."""

    record: ReportRecord
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class PrintedReport:
    """A registered report and its PDF bytes (kept in memory: no plaintext temp files)."""

    record: ReportRecord
    data: bytes
    companion: CompanionFile | None = None


SELECT_RECORDS = (
    "SELECT id, kind, title, created_at, login, full_name, client_ids, description,"
    " page_count, sha256 FROM reports"
)


def insert_record(conn: Any, record: ReportRecord, description: str) -> None:
    conn.execute(
        "INSERT INTO reports (id, kind, title, created_at, login, full_name,"
        " client_ids, client_count, description, page_count, sha256)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.report_id,
            record.kind,
            record.title,
            record.created_at.isoformat(),
            record.login,
            record.full_name,
            json.dumps(record.client_ids),
            len(record.client_ids),
            description,
            record.page_count,
            record.sha256,
        ),
    )


def record_from_row(row: tuple) -> ReportRecord:  # type: ignore[type-arg]
    return ReportRecord(
        report_id=row[0],
        kind=row[1],
        title=row[2],
        created_at=dt.datetime.fromisoformat(row[3]),
        login=row[4],
        full_name=row[5],
        client_ids=json.loads(row[6]),
        description=row[7],
        page_count=int(row[8]),
        sha256=row[9],
    )
