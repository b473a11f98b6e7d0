"""The Access report's companion CSV: written next to the PDF, registered with it, and its
SHA-256 the same in the file, the register, the audit entry and the printed PDF."""

from __future__ import annotations

import csv
import hashlib
import io

from pypdf import PdfReader

from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.clients import ClientService
from crmdesk.services.reports import ReportService
from tests.services.office import fast_passwords, make_office  # noqa: F401


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_the_entries_file_is_registered_and_its_hash_printed(
    vault,
    tmp_path,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    sam = office.session("sam")
    for _ in range(3):
        ClientService(sam).get(office.sams_client)  # value-added views
    sam.close()
    reports = ReportService(office.owner)
    output = tmp_path / "sam-access.pdf"

    report = reports.access_report("sam", 30, output)

    companion = report.companion
    assert companion is not None and companion.name == "sam-access-entries.csv"
    written = (tmp_path / companion.name).read_bytes()
    digest = hashlib.sha256(written).hexdigest()
    assert written == companion.data and digest == companion.record.sha256
    assert output.read_bytes() == report.data
    # The register: both files, each with its own hash.
    rows = dict(
        vault.connection.execute(
            "SELECT id, sha256 FROM reports WHERE id IN (?, ?)",
            (report.record.report_id, companion.record.report_id),
        ).fetchall()
    )
    assert rows == {
        report.record.report_id: hashlib.sha256(report.data).hexdigest(),
        companion.record.report_id: digest,
    }
    assert reports.trace(companion.record.report_id).kind == "access-report-entries"
    # The audit entry of the printing names the file and its hash.
    printed = ActivityService(office.owner).log(ActivityFilter(action="report.printed"))[0]
    assert printed.object == f"report:{report.record.report_id}"
    assert printed.details["companion"] == companion.record.report_id
    assert printed.details["companion_sha256"] == digest
    # The PDF names the file, its hash and its report ID, and counts what the file lists.
    text = _text(report.data)
    assert companion.name in text and digest in text and companion.record.report_id in text
    entries = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline="")))[1:]
    assert entries and all(r[3] for r in entries)
    assert f"All recorded actions {len(entries):,}" in text
    views = [r for r in entries if r[3] == "client.viewed"]
    assert len(views) == 3
    assert f"Viewed value-added information {len(views)} " in text
    assert all(r[6] == "Reed Supplies" for r in views)

    # A copy saved later is the same bytes, and the saving is audited.
    copy = tmp_path / "copy.csv"
    reports.save_companion(report, copy)
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest
    saved = ActivityService(office.owner).log(ActivityFilter(action="report.saved"))[0]
    assert saved.object == f"report:{companion.record.report_id}"
