"""Exports through the service layer: the egress gate, the register, failures, decoys and
tracing a leaked file back to its export."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import random
import stat
import unicodedata

import pytest
import vobject

from crmdesk.domain.alerts import AlertThresholds
from crmdesk.domain.text import fold
from crmdesk.errors import BadInput, NotAllowed, NotFound
from crmdesk.io import csv_export
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.egress import ApprovalRequired, OwnerApproval
from crmdesk.services.exports import ExportCancelled, ExportService, trace
from crmdesk.services.reports import ReportService
from crmdesk.services.settings import change_decoys, change_settings, load_settings
from tests.services.office import (  # noqa: F401
    OWNER_PASSWORD,
    actions,
    fast_passwords,
    last_seq,
    make_office,
)

DOMAIN = "canary.example.org"


@pytest.fixture
def office(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    clients = ClientService(office.owner)
    for n in range(8):
        clients.add(
            {
                "name": f"Client {n:02d} Ltd",
                "status": "active" if n < 4 else "former",
                "tags": ["VIP"] if n % 2 == 0 else [],
                "email": f"info@client{n}.example",
                "contacts": [{"name": f"Person {n}", "email": f"p{n}@client{n}.example"}],
                "tasks": [{"due": "2026-12-01", "title": f"Call person {n}", "done": n % 2 == 1}],
            }
        )
    return office


@pytest.fixture
def out_dir(tmp_path):
    """Where exports go (tmp_path itself holds the vault)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def read_csv(path) -> list[dict[str, str]]:
    """One row per client: the first of its rows (a CSV export has one per contact)."""
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return list({row["Client ID"]: row for row in reversed(rows)}.values())[::-1]


def export_rows(vault) -> list[tuple]:
    return vault.connection.execute("SELECT id, client_count, sha256 FROM exports").fetchall()


def events(vault, action: str) -> list[dict]:
    return [
        json.loads(r[0])
        for r in vault.connection.execute(
            "SELECT details FROM audit_events WHERE action = ? ORDER BY seq", (action,)
        )
    ]


# ------------------------------------------------------------------------- the register


def test_an_export_is_registered_with_its_hash_and_audited(office, out_dir):
    out = out_dir / "clients.csv"
    before = last_seq(office.vault)
    record = ExportService(office.owner).export("csv", ClientQuery(), out)
    assert actions(office.vault, before) == ["clients.exported"]
    data = out.read_bytes()
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.client_count == 10 == len(read_csv(out)) == len(record.client_ids)
    assert record.file_name == "clients.csv" and record.format == "csv"
    assert record.login == "zoe" and record.description == "All clients"
    assert export_rows(office.vault) == [(record.export_id, 10, record.sha256)]
    (details,) = events(office.vault, "clients.exported")
    assert details == {
        "export": record.export_id,
        "format": "csv",
        "clients": 10,
        "sha256": record.sha256,
        "file": "clients.csv",
        "decoys": 0,
    }
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out_dir.iterdir()] == ["clients.csv"]  # no temporary left


def test_filters_choose_the_clients_and_are_described(office, out_dir):
    out = out_dir / "c.csv"
    query = ClientQuery(text="Client 03")
    record = ExportService(office.owner).export("csv", query, out)
    assert [r["Name"] for r in read_csv(out)] == ["Client 03 Ltd"]
    assert record.description == 'Search: "Client 03"'
    # An export records its own event, not a search.
    assert "clients.searched" not in actions(office.vault)


def test_vcard_export_parses_back(office, out_dir):
    out = out_dir / "c.vcf"
    ExportService(office.owner).export("vcard", ClientQuery(text="Harbour"), out)
    cards = list(vobject.readComponents(out.read_text(encoding="utf-8")))
    assert [c.fn.value for c in cards] == ["Harbour Foods", "Pat Doe"]
    assert cards[0].note.value == "Decides every January; golfing buddy of the CFO."
    assert cards[1].org.value == ["Harbour Foods"] and cards[1].bday.value == "1970-12-03"


def test_calendar_export_counts_the_clients_with_open_follow_ups(office, out_dir):
    out = out_dir / "c.ics"
    record = ExportService(office.owner).export("ics", ClientQuery(), out)
    text = out.read_bytes().decode("utf-8")
    # Reed Supplies, Harbour Foods and the four clients with an open task.
    assert record.client_count == 6 == text.count("BEGIN:VTODO")
    assert "SUMMARY:Call Pat — Harbour Foods" in text
    assert record.description == "Open follow-ups (All clients)"
    again = ExportService(office.owner).export("ics", ClientQuery(), out_dir / "d.ics")
    uids = sorted(line for line in text.split("\r\n") if line.startswith("UID:"))
    second = (out_dir / "d.ics").read_text(encoding="utf-8").split("\n")
    assert uids == sorted(line.rstrip("\r") for line in second if line.startswith("UID:"))
    assert again.export_id != record.export_id


def test_nothing_to_export_is_refused(office, out_dir):
    with pytest.raises(BadInput, match="No clients match"):
        ExportService(office.owner).export(
            "csv", ClientQuery(text="nothing like it"), out_dir / "x"
        )
    with pytest.raises(BadInput, match="open follow-up"):
        ExportService(office.owner).export("ics", ClientQuery(text="Client 01"), out_dir / "x")
    with pytest.raises(BadInput, match="Unknown export format"):
        ExportService(office.owner).export("xlsx", ClientQuery(), out_dir / "x")
    assert export_rows(office.vault) == [] and not any(out_dir.iterdir())


# --------------------------------------------------------------------------- the gate


def _threshold(office, limit: int) -> None:
    thresholds = dataclasses.replace(AlertThresholds(), egress_clients=limit)
    change_settings(office.owner, thresholds=thresholds)


def test_above_the_threshold_a_manager_needs_the_owners_approval(office, out_dir):
    _threshold(office, 5)
    mia = office.session("mia")
    out = out_dir / "c.csv"
    before = last_seq(office.vault)
    with pytest.raises(ApprovalRequired) as refused:
        ExportService(mia).export("csv", ClientQuery(), out)
    assert refused.value.count == 10 and refused.value.limit == 5
    assert not out.exists() and actions(office.vault, before) == []
    with pytest.raises(NotAllowed, match="not given"):
        ExportService(mia).export(
            "csv", ClientQuery(), out, approval=OwnerApproval("zoe", "wrong password")
        )
    assert not out.exists()
    before = last_seq(office.vault)
    record = ExportService(mia).export(
        "csv", ClientQuery(), out, approval=OwnerApproval("zoe", OWNER_PASSWORD)
    )
    assert actions(office.vault, before) == ["egress.approved", "clients.exported"]
    assert record.login == "mia" and out.exists()


def test_below_the_threshold_a_manager_exports_alone(office, out_dir):
    record = ExportService(office.session("mia")).export("csv", ClientQuery(), out_dir / "c")
    assert record.client_count == 10 and record.full_name == "Mia Ortega"


@pytest.mark.parametrize("login", ["sam", "ann"])
def test_salespeople_and_assistants_may_not_export(office, out_dir, login):
    session = office.session(login)
    before = last_seq(office.vault)
    with pytest.raises(NotAllowed, match="only the Owner or Manager"):
        ExportService(session).export("csv", ClientQuery(), out_dir / "c.csv")
    assert actions(office.vault, before) == ["access.denied"]
    assert not any(out_dir.iterdir())


# --------------------------------------------------------------------------- failures


def test_a_failure_mid_write_leaves_no_file_and_no_register_row(office, out_dir, monkeypatch):
    written = []
    original = csv_export.CsvWriter.add

    def failing_add(self, client, key):
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(client.name)
        original(self, client, key)

    monkeypatch.setattr(csv_export.CsvWriter, "add", failing_add)
    out = out_dir / "c.csv"
    out.write_text("an older file\n")
    before = last_seq(office.vault)
    with pytest.raises(BadInput, match="No space left"):
        ExportService(office.owner).export("csv", ClientQuery(), out)
    assert out.read_text() == "an older file\n"  # untouched
    assert [p.name for p in out_dir.iterdir()] == ["c.csv"]
    assert export_rows(office.vault) == [] and actions(office.vault, before) == []


def test_a_failure_while_registering_removes_the_file(office, out_dir, monkeypatch):
    vault = office.vault
    original = vault.record_event

    def failing(actor, action, **kwargs):
        if action == "clients.exported":
            raise RuntimeError("disk trouble")
        return original(actor, action, **kwargs)

    monkeypatch.setattr(vault, "record_event", failing)
    with pytest.raises(RuntimeError):
        ExportService(office.owner).export("csv", ClientQuery(), out_dir / "c.csv")
    assert not any(out_dir.iterdir()) and export_rows(vault) == []


def test_a_cancelled_export_leaves_nothing(office, out_dir):
    with pytest.raises(ExportCancelled, match="cancelled"):
        ExportService(office.owner).export(
            "vcf", ClientQuery(), out_dir / "c.vcf", cancelled=lambda: True
        )
    assert not any(out_dir.iterdir()) and export_rows(office.vault) == []


def test_progress_counts_clients(office, out_dir):
    seen = []
    ExportService(office.owner).export(
        "csv", ClientQuery(), out_dir / "c.csv", progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (10, 10)


# ---------------------------------------------------------------------------- decoys


def test_decoy_settings_are_the_owners_and_audited(office):
    before = last_seq(office.vault)
    change_decoys(office.owner, enabled=True, domain=" Canary.Example.ORG ", per_export=3)
    assert actions(office.vault, before) == ["settings.changed"]
    current = load_settings(office.vault)
    assert (current.decoys_enabled, current.decoy_domain, current.decoys_per_export) == (
        True,
        DOMAIN,
        3,
    )
    change_decoys(office.owner, enabled=False)
    assert load_settings(office.vault).decoy_domain == DOMAIN  # kept for turning on again
    with pytest.raises(BadInput, match="domain"):
        change_decoys(office.owner, domain="not a domain")
    with pytest.raises(BadInput, match="1 to 5"):
        change_decoys(office.owner, per_export=6)
    with pytest.raises(NotAllowed):
        change_decoys(office.session("mia"), enabled=True)


def test_decoys_need_a_domain(vault):
    from crmdesk.services.session import owner_session

    with pytest.raises(BadInput, match="domain"):
        change_decoys(owner_session(vault), enabled=True)


def _seeded(office, per_export: int = 2) -> None:
    change_decoys(office.owner, enabled=True, domain=DOMAIN, per_export=per_export)


def _decoy_rows(rows: list[dict[str, str]]) -> list[int]:
    return [i for i, r in enumerate(rows) if r["Emails"].endswith("@" + DOMAIN)]


def test_a_seeded_export_carries_the_decoys_inside_the_list(office, out_dir):
    _seeded(office, per_export=3)
    out = out_dir / "c.csv"
    record = ExportService(office.owner).export("csv", ClientQuery(), out)
    rows = read_csv(out)
    positions = _decoy_rows(rows)
    assert len(rows) == 13 and len(positions) == 3
    assert 0 not in positions and len(rows) - 1 not in positions
    # Counted apart: the register and the audit count the real clients.
    assert record.client_count == 10 and record.decoy_count == 3
    assert events(office.vault, "clients.exported")[-1]["clients"] == 10
    assert events(office.vault, "clients.exported")[-1]["decoys"] == 3
    stored = office.vault.connection.execute(
        "SELECT export_id, name, company, email FROM decoys ORDER BY id"
    ).fetchall()
    assert [r[0] for r in stored] == [record.export_id] * 3
    assert sorted(r[3] for r in stored) == sorted(rows[i]["Contact emails"] for i in positions)
    for i in positions:
        assert rows[i]["Contact name"] and rows[i]["Name"] and rows[i]["Phones"]
        # The business's own address, not its person's: that gave decoys away.
        assert rows[i]["Contact emails"] != rows[i]["Emails"]


def test_in_a_list_sorted_by_name_decoys_sort_in_too(office, out_dir):
    _seeded(office, per_export=5)
    for descending in (False, True):
        out = out_dir / f"{descending}.csv"
        ExportService(office.owner).export("csv", ClientQuery(descending=descending), out)
        names = [fold(r["Name"]) for r in read_csv(out)]
        for i in _decoy_rows(read_csv(out)):
            assert 0 < i < len(names) - 1
            if i not in (1, len(names) - 2):  # kept inside the list: may be out of order
                pair = (names[i - 1], names[i]) if not descending else (names[i], names[i - 1])
                assert pair[0] <= pair[1]


def test_decoys_fit_the_filters_of_the_export(office, out_dir):
    _seeded(office, per_export=3)
    query = ClientQuery(status="active", tag="vip")
    record = ExportService(office.owner).export("csv", query, out_dir / "c.csv")
    rows = read_csv(out_dir / "c.csv")
    assert record.client_count == 2 and len(rows) == 5
    for row in rows:
        assert row["Status"] == "active" and row["Tags"] == "VIP"


def test_each_person_gets_the_same_decoys_in_every_export(office, out_dir):
    """Two exports of the same list by one person are the same file but for the export
    ID: comparing them reveals nothing. Another person gets decoys of their own."""
    _seeded(office, per_export=5)
    files = []
    for n in range(3):
        ExportService(office.owner).export("csv", ClientQuery(), out_dir / f"{n}.csv")
        files.append((out_dir / f"{n}.csv").read_bytes())
    assert files[0] == files[1] == files[2]
    ExportService(office.owner).export("csv", ClientQuery(status="prospect"), out_dir / "p.csv")
    mia = office.session("mia")
    ExportService(mia).export("csv", ClientQuery(), out_dir / "mia.csv")
    emails, names = zip(
        *office.vault.connection.execute("SELECT lower(email), name FROM decoys").fetchall(),
        strict=True,
    )
    assert len(emails) == 10 == len(set(emails)) == len({fold(n) for n in names})
    owners = {r["Contact emails"] for r in read_csv(out_dir / "0.csv")} & set(emails)
    minis = {r["Contact emails"] for r in read_csv(out_dir / "mia.csv")} & set(emails)
    assert len(owners) == len(minis) == 5 and not owners & minis
    prospects = {r["Contact emails"] for r in read_csv(out_dir / "p.csv")} & set(emails)
    assert prospects == owners  # the same decoys, dressed for the other list


def test_decoys_are_never_clients(office, out_dir):
    _seeded(office)
    clients = ClientService(office.owner)
    listed = clients.list(ClientQuery(limit=1000))
    ExportService(office.owner).export("vcf", ClientQuery(), out_dir / "c.vcf")
    ExportService(office.owner).export("ics", ClientQuery(), out_dir / "c.ics")
    assert clients.list(ClientQuery(limit=1000)) == listed and clients.count() == 10
    stored = office.vault.connection.execute("SELECT name, company, email FROM decoys")
    for name, company, email in stored.fetchall():
        assert clients.search(name) == clients.search(company) == clients.search(email) == []
        assert ReportService(office.owner).client_list(ClientQuery()).record.client_ids == [
            r.id for r in listed
        ]


def test_decoys_appear_in_vcards_and_calendars(office, out_dir):
    _seeded(office, per_export=1)
    ExportService(office.owner).export("vcf", ClientQuery(), out_dir / "c.vcf")
    cards = list(vobject.readComponents((out_dir / "c.vcf").read_text(encoding="utf-8")))
    at_domain = [c for c in cards if DOMAIN in c.serialize()]
    assert len(at_domain) == 2  # the decoy business and its person
    assert cards[0] not in at_domain and cards[-1] not in at_domain
    record = ExportService(office.owner).export("ics", ClientQuery(), out_dir / "c.ics")
    text = (out_dir / "c.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert text.count("BEGIN:VTODO") == 7 and text.count(DOMAIN) == 1
    assert record.client_count == 6 and record.decoy_count == 1


# ---------------------------------------------------------------------------- tracing


def _variant(name: str) -> str:
    """The name as someone might type it: other case, no accents."""
    decomposed = unicodedata.normalize("NFKD", name.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_trace_by_decoy_email_names_the_export_the_person_and_the_time(office, out_dir):
    _seeded(office)
    mia = office.session("mia")
    record = ExportService(mia).export("csv", ClientQuery(status="prospect"), out_dir / "c.csv")
    row = next(r for r in read_csv(out_dir / "c.csv") if DOMAIN in r["Emails"])
    email = row["Contact emails"]
    found = trace(office.owner, f"  Someone <{email.upper()}>")
    assert found.kind == "decoy" and len(found.decoys) == 1
    decoy = found.decoys[0]
    assert decoy.email == email
    # The business's own address leads to the same decoy.
    assert trace(office.owner, row["Emails"]).decoys == found.decoys
    assert decoy.export.export_id == record.export_id
    assert decoy.export.login == "mia" and decoy.export.full_name == "Mia Ortega"
    assert decoy.export.created_at == record.created_at
    assert decoy.export.description == "Status: prospect"
    assert decoy.export.file_name == "c.csv" and decoy.export.sha256 == record.sha256
    data = found.to_json()
    assert data["kind"] == "decoy" and data["matches"][0]["export"]["login"] == "mia"


def test_trace_by_decoy_name_ignores_case_and_accents(office, out_dir):
    _seeded(office, per_export=1)
    # Find an export whose decoy has an accented name (random names: a few tries).
    for seed in range(60):
        with office.vault.transaction() as conn:  # a fresh set each try, as a new person's
            conn.execute("DELETE FROM vault_info WHERE key LIKE 'decoy_set:%'")
        service = ExportService(office.owner, rng=random.Random(seed))
        record = service.export("csv", ClientQuery(), out_dir / f"{seed}.csv")
        name, company = office.vault.connection.execute(
            "SELECT name, company FROM decoys WHERE export_id = ?", (record.export_id,)
        ).fetchone()
        if not name.isascii():
            break
    else:
        pytest.fail("no accented decoy name in 60 exports")
    typed = _variant(name)
    assert typed != name
    found = ExportService(office.owner).trace(f"  {typed} ")
    assert found.kind == "decoy" and found.decoys[0].export.export_id == record.export_id
    assert found.decoys[0].name == name
    by_company = trace(office.owner, company.lower())
    assert by_company.decoys[0].export.export_id == record.export_id


def test_trace_by_export_id_and_by_report_id(office, out_dir):
    record = ExportService(office.owner).export("csv", ClientQuery(), out_dir / "c.csv")
    found = trace(office.owner, record.export_id.lower().replace("-", " "))
    assert found.kind == "export" and found.export == record
    assert found.to_json()["kind"] == "export" and found.to_json()["client_count"] == 10
    report = ReportService(office.owner).client_summary(office.zoes_client)
    by_report = trace(office.owner, report.record.report_id)
    assert by_report.kind == "report" and by_report.report == report.record
    assert by_report.to_json()["full_name"] == report.record.full_name


def test_trace_says_what_it_tried(office):
    with pytest.raises(NotFound, match="No decoy with the address nobody@"):
        trace(office.owner, "nobody@canary.example.org")
    with pytest.raises(NotFound, match="nor the email address or name of a decoy"):
        trace(office.owner, "Jane Nobody")
    with pytest.raises(BadInput, match="typo"):
        trace(office.owner, "7K3M-Q2ZD-AB6")
    with pytest.raises(BadInput):
        trace(office.owner, "   ")


def test_only_the_owner_traces(office):
    before = last_seq(office.vault)
    with pytest.raises(NotAllowed, match="only the Owner"):
        trace(office.session("mia"), "anything")
    assert actions(office.vault, before)[-1] == "access.denied"
