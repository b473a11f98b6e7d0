"""Reports: registered with their hash, audited, marked with the printer's name, traced."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys

import pytest
from pypdf import PdfReader

from crmdesk import errors
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.reports import ReportCancelled, ReportService
from tests.services.conftest import TODAY, full_client


@pytest.fixture
def reports(session):
    return ReportService(session, today=lambda: TODAY)


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_client_summary_is_marked_registered_audited_and_traceable(
    clients, reports, vault, tmp_path
):
    client_id = clients.add(full_client())
    out = tmp_path / "summary.pdf"
    report = reports.client_summary(client_id, out)
    record = report.record
    assert out.read_bytes() == report.data
    assert (out.stat().st_mode & 0o777) == 0o600
    assert hashlib.sha256(out.read_bytes()).hexdigest() == record.sha256
    pages = _pages(report.data)
    assert len(pages) == record.page_count
    for text in pages:
        assert "Zoë Łukasiewicz" in text and record.report_id in text
    assert "Zoë's Bakery" in pages[0]
    action, obj, details = vault.connection.execute(
        "SELECT action, object, details FROM audit_events ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert (action, obj) == ("report.printed", f"report:{record.report_id}")
    assert json.loads(details)["sha256"] == record.sha256

    traced = reports.trace(record.report_id.lower().replace("-", " "))
    assert traced == record
    assert traced.full_name == "Zoë Łukasiewicz" and traced.client_ids == [client_id]


def test_unknown_and_mistyped_report_ids(reports, clients, tmp_path):
    record = reports.client_summary(clients.add({"name": "Acme"})).record
    with pytest.raises(errors.BadInput, match="typo"):
        reports.trace(record.report_id[:-1] + ("0" if record.report_id[-1] != "0" else "1"))
    other = "0000-0000-000"
    with pytest.raises((errors.NotFound, errors.BadInput)):
        reports.trace(other)


def test_client_list_holds_exactly_the_filtered_clients(clients, reports):
    a = clients.add({"name": "Active One", "status": "active"})
    clients.add({"name": "Prospect Two", "status": "prospect"})
    b = clients.add({"name": "Active Three", "status": "active"})
    seen: list[int] = []
    report = reports.client_list(ClientQuery(status="active"), progress=seen.append)
    assert sorted(report.record.client_ids) == sorted([a, b])
    assert report.record.description == "Status: active"
    text = "".join(_pages(report.data))
    assert "Active One" in text and "Active Three" in text and "Prospect Two" not in text
    assert seen


def test_call_list_has_the_follow_ups_due(clients, reports):
    client_id = clients.add(full_client())  # a task due 2026-11-25, before TODAY
    report = reports.call_list()
    assert client_id in report.record.client_ids
    assert "Send rye samples" in "".join(_pages(report.data))


def test_a_report_that_cannot_be_written_is_not_registered(clients, reports, vault, tmp_path):
    client_id = clients.add({"name": "Acme"})
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    before = vault.connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    with pytest.raises(errors.BadInput, match="Cannot write the report"):
        reports.client_summary(client_id, blocker / "out.pdf")
    assert vault.connection.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert vault.connection.execute("SELECT count(*) FROM audit_events").fetchone()[0] == before


def test_report_ids_are_unique_and_typable(clients, reports):
    client_id = clients.add({"name": "Acme"})
    ids = {reports.client_summary(client_id).record.report_id for _ in range(20)}
    assert len(ids) == 20
    assert all(re.fullmatch(r"[0-9A-Z*~$=-]+", i) for i in ids)


def test_recovery_kit_is_marked_and_registered_without_the_key(reports, vault, tmp_path):
    import datetime as dt

    from crmdesk.vault.keys import recovery

    key = recovery.encode(vault.held.main)  # any 32-byte key in recovery-key writing
    report = reports.recovery_kit(
        key, tmp_path / "kit.pdf", vault_folder=tmp_path, created=dt.datetime.now(dt.UTC)
    )
    (text,) = _pages(report.data)
    assert key.split("-")[0] in text and report.record.report_id in text
    assert "Zoë Łukasiewicz" in text
    assert reports.trace(report.record.report_id).kind == "recovery-kit"
    stored = vault.connection.execute("SELECT * FROM reports").fetchall()
    assert key.replace("-", "") not in repr(stored).replace("-", "")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_saved_reports_are_readable_by_their_owner_only(clients, reports, tmp_path):
    client_id = clients.add({"name": "Acme"})
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "summary.pdf"
    reports.client_summary(client_id, path)
    assert path.stat().st_mode & 0o777 == 0o600
    # Also when it replaces a file that others could read.
    path.chmod(0o644)
    reports.client_summary(client_id, path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["summary.pdf"]  # no temporary left


def test_summary_and_brief_show_phone_numbers_as_the_screens_do(session, clients, reports):
    """National in the vault's region, international for other countries (issue 15)."""
    from crmdesk.services.settings import change_phone_region

    change_phone_region(session, "DE")
    data = {**full_client(), "phones": ["0351 223344", "+1 202 555 0173"]}
    data.pop("phone", None)
    data["contacts"] = [{**data["contacts"][0], "phone": "0151 12345678"}]
    client_id = clients.add(data)
    assert clients.get_json(client_id)["phones"] == ["+49351223344", "+12025550173"]
    for report in (reports.client_summary(client_id), reports.meeting_brief(client_id)):
        text = " ".join(_pages(report.data))
        assert "0351 223344" in text and "01511 2345678" in text
        assert "+49351223344" not in text and "+4915112345678" not in text
    summary = " ".join(_pages(reports.client_summary(client_id).data))
    assert "+1 202-555-0173" in summary


def test_lists_print_phone_numbers_as_the_screens_do(session, clients, reports):
    """The client list and the call list too: national in the vault's region (issue 15)."""
    from crmdesk.services.settings import change_phone_region

    change_phone_region(session, "DE")
    bakery = {**full_client(), "name": "Bäckerei Kunz", "phones": ["0351 223344"]}
    bakery.pop("phone", None)
    bakery["contacts"] = [{**c, "phone": "0351 223344"} for c in bakery["contacts"]]
    clients.add(bakery)
    clients.add({"name": "Capitol Supplies", "status": "active", "phones": ["+12025550173"]})
    listed = " ".join(_pages(reports.client_list(ClientQuery()).data))
    assert "0351 223344" in listed and "+1 202-555-0173" in listed
    assert "+49351223344" not in listed
    calls = " ".join(_pages(reports.call_list().data))
    assert "Bäckerei Kunz" in calls and "0351 223344" in calls
    assert "+49351223344" not in calls


def _cache_sizes(vault) -> dict[str, int]:
    """Each attached file's page cache setting (main and the books)."""
    with vault.reading() as conn:
        schemas = ["main", *sorted(vault.books.schemas.values())]
        return {s: conn.execute(f"PRAGMA {s}.cache_size").fetchone()[0] for s in schemas}


def test_the_client_list_is_read_with_a_small_cache_then_the_usual_one(clients, reports, vault):
    # Every client is read once: the usual 64 MiB (and 32 per book) would only fill
    # with pages not asked for again, and be held at the report's peak.
    for i in range(3):
        clients.add({"name": f"Client {i}", "status": "active"})
    usual = _cache_sizes(vault)
    assert len(usual) > 1 and usual["main"] == -65536  # the books too
    while_read: list[dict[str, int]] = []

    def cancelled() -> bool:  # asked between pages of the reading
        while_read.append(_cache_sizes(vault))
        return False

    reports.client_list(ClientQuery(), cancelled=cancelled)
    assert while_read and while_read[0]["main"] == -8192
    assert all(v == -4096 for s, v in while_read[0].items() if s != "main")
    assert _cache_sizes(vault) == usual

    with pytest.raises(ReportCancelled):
        reports.client_list(ClientQuery(), cancelled=lambda: True)
    assert _cache_sizes(vault) == usual
