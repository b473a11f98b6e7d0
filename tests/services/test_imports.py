"""Importing clients through the service: plan, duplicates, decisions, one transaction."""

from __future__ import annotations

import codecs
import csv
import io
import json

import pytest

from crmdesk.domain import client_from_json, client_to_json
from crmdesk.errors import BadInput, NotAllowed
from crmdesk.services import client_store
from crmdesk.services.imports import (
    Choice,
    ImportCancelled,
    ImportService,
    ProblemKind,
)
from crmdesk.services.session import owner_session
from tests.services.conftest import TODAY
from tests.services.office import actions, fast_passwords, last_seq, make_office  # noqa: F401

EXPORT_HEADER = [
    "Name", "Kind", "Status", "Industry", "Salesperson", "Email", "Emails", "Phone", "Phones",
    "Website", "Street", "City", "Region", "Postal code", "Country", "Tags", "Notes",
    "Contact name", "Contact title", "Contact email", "Contact phone", "Contact birthday",
]  # fmt: skip


def write_csv(path, rows, *, encoding="utf-8", delimiter=",", bom=b""):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(bom + buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def importer(session):
    return ImportService(session, today=lambda: TODAY)


def all_clients(vault):
    with vault.reading() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM clients ORDER BY id")]
        return [client_store.load_client(vault, i) for i in ids]


def names(vault):
    return sorted(c.name for c in all_clients(vault))


def imported_events(vault):
    return [
        json.loads(r[0])
        for r in vault.connection.execute(
            "SELECT details FROM audit_events WHERE action = 'clients.imported' ORDER BY seq"
        )
    ]


# ----------------------------------------------------------------- formats and mapping


def test_google_contacts_csv_in_utf16_is_imported(importer, vault, tmp_path):
    path = write_csv(
        tmp_path / "google.csv",
        [
            ["Name", "Given Name", "Family Name", "E-mail 1 - Value", "Phone 1 - Value",
             "Organization 1 - Name", "Birthday", "Notes", "Group Membership"],
            ["Zoë Łukasiewicz", "Zoë", "Łukasiewicz", "zoe@bakery.example", "+1 202 555 0173",
             "Zoë's Bakery", "25/12/1975", "Line one\nline two", "* myContacts ::: VIP"],
            ["Ann Lee", "Ann", "Lee", "ann@example.com", "", "", "03/04/1980", "", ""],
        ],
        encoding="utf-16",
        bom=codecs.BOM_UTF16_LE,
    )  # fmt: skip
    plan = importer.plan(path)
    assert plan.format == "csv" and plan.encoding.label == "UTF-16 LE"
    assert plan.mapping_guessed and plan.mapping["Organization 1 - Name"] == "name"
    assert plan.date_order.value == "dmy"  # 25/12 can only be day/month
    assert "03/04/1980" in plan.assumptions[0] and "row 2" in plan.assumptions[0]
    assert (plan.counts.rows, plan.counts.to_add, plan.problems) == (2, 2, ())
    assert [p.action for p in plan.preview] == ["add", "add"]
    # Issue 15: a person at a company (Google's "Organization 1 - Name") is its contact,
    # with the row's own email, phone and notes.
    assert plan.preview[0].client["contacts"][0] == {
        "name": "Zoë Łukasiewicz",
        "birthday": "1975-12-25",
        "email": "zoe@bakery.example",
        "emails": ["zoe@bakery.example"],
        "phone": "+12025550173",
        "phones": ["+12025550173"],
        "notes": "Line one\nline two",
    }
    assert names(vault) == []  # a plan writes nothing
    result = importer.commit(plan)
    assert (result.added, result.merged, result.skipped) == (2, 0, 0)
    bakery, ann = sorted(all_clients(vault), key=lambda c: c.name, reverse=True)
    assert bakery.kind == "company" and bakery.tags == ["VIP"]
    (zoe,) = bakery.contacts
    assert zoe.notes == "Line one\nline two" and zoe.phones == ["+12025550173"]
    assert ann.kind == "individual" and ann.contacts[0].birthday.isoformat() == "1980-04-03"


def test_outlook_csv_in_cp1252_with_semicolons_is_imported(importer, vault, tmp_path):
    path = write_csv(
        tmp_path / "outlook.csv",
        [
            ["Title", "First Name", "Last Name", "Company", "Job Title", "Business Street",
             "Business City", "Business State", "Business Postal Code",
             "Business Country/Region", "Business Phone", "Mobile Phone", "E-mail Address",
             "Birthday", "Notes", "Categories"],
            ["Mr.", "Søren", "Kierkegaard", "Café Zoë", "Owner", "12 Harbour Lane", "Portland",
             "ME", "04101", "US", "(202) 555-0173", "202-555-0199", "soren@cafe.example",
             "5/5/1813", "Regular; pays on time", "Business;VIP"],
        ],
        encoding="cp1252",
        delimiter=";",
    )  # fmt: skip
    plan = importer.plan(path)
    assert plan.encoding.label == "Windows-1252" and plan.delimiter_name == "semicolon"
    importer.commit(plan)
    (client,) = all_clients(vault)
    assert client.name == "Café Zoë" and client.kind == "company"
    assert client.addresses[0].postal_code == "04101" and client.tags == ["Business", "VIP"]
    (contact,) = client.contacts
    # Issue 15: Outlook's row is a person at a company: the phones are the person's.
    assert contact.phones == ["+12025550173", "+12025550199"]
    assert (contact.name, contact.title) == ("Søren Kierkegaard", "Owner")
    assert contact.birthday.isoformat() == "1813-05-05"
    assert contact.notes.splitlines()[0] == "Regular; pays on time"  # notes are not split


def test_tab_separated_file_with_a_mapping_file(importer, vault, tmp_path):
    path = write_csv(
        tmp_path / "crm.tsv",
        [["Kunde", "Mail", "Ort", "Intern"], ["Müller GmbH", "info@mueller.example", "Köln", "x"]],
        delimiter="\t",
    )
    plan = importer.plan(path, {"Kunde": "name", "Mail": "email", "Ort": "address.city"})
    assert plan.delimiter == "\t" and not plan.mapping_guessed
    assert plan.mapping["Intern"] == "ignore"
    importer.commit(plan)
    (client,) = all_clients(vault)
    assert client.addresses[0].city == "Köln"


def test_a_mapping_that_names_no_column_as_name_is_refused(importer, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["Foo", "Bar"], ["1", "2"]])
    with pytest.raises(BadInput, match="None of its columns looks like a name"):
        importer.plan(path)
    with pytest.raises(BadInput, match='column "Nope" is not in the file'):
        importer.plan(path, {"Nope": "name"})


def test_vcard_30_and_40_are_imported(importer, vault, tmp_path):
    path = tmp_path / "cards.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Łukasiewicz\r\nORG:Zoë's Bakery\r\n"
        "EMAIL;TYPE=WORK:orders@zoes-bakery.example\r\nEMAIL:zoe@home.example\r\n"
        "TEL:+1 202 555 0173\r\nBDAY:1975-12-02\r\nNOTE:Calls after 3 pm\r\n"
        "URL:zoes-bakery.example\r\nCATEGORIES:VIP,wholesale\r\n"
        "ADR:;;12 Harbour Lane;Portland;ME;04101;US\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\nVERSION:4.0\nFN:Ann Lee\nTEL;VALUE=uri:tel:+1-202-555-0123\n"
        "BDAY:--0403\nEND:VCARD\n",
        encoding="utf-8",
    )
    plan = importer.plan(path)
    assert plan.format == "vcf" and plan.delimiter is None and plan.counts.to_add == 2
    importer.commit(plan)
    bakery, ann = sorted(all_clients(vault), key=lambda c: c.name, reverse=True)
    # Issue 15: a card with an ORG and a person is a contact of that company.
    (zoe,) = bakery.contacts
    assert (bakery.kind, zoe.name) == ("company", "Zoë Łukasiewicz")
    assert zoe.emails == ["orders@zoes-bakery.example", "zoe@home.example"]
    assert zoe.birthday.isoformat() == "1975-12-02"
    assert ann.phones == ["+12025550123"] and ann.contacts[0].birthday.month == 4
    assert imported_events(vault)[-1]["format"] == "vcf"


def test_the_exports_columns_are_read_back(importer, vault, tmp_path):
    original = {
        **client_to_json(
            client_from_json(
                {
                    "name": "=Zoë's Bakery",  # would be a formula: the export adds "'"
                    "kind": "company",
                    "status": "active",
                    "industry": "Bakery",
                    "salesperson": "zoe",
                    "emails": ["orders@zoes-bakery.example", "zoe@zoes-bakery.example"],
                    "phones": ["+12025550173", "+442079460958"],
                    "website": "https://zoes-bakery.example",
                    "address": {"street": "12 Harbour Lane", "city": "Portland",
                                "region": "ME", "postal_code": "04101", "country": "US"},
                    "tags": ["VIP", "wholesale"],
                    "notes": "Since 1952;\nfamily run",
                    "contacts": [{"name": "Zoë Łukasiewicz", "title": "Owner",
                                  "email": "zoe@zoes-bakery.example",
                                  "phone": "+442079460958", "birthday": "1975-12-02"}],
                }
            )
        )
    }  # fmt: skip
    row = [
        "'=Zoë's Bakery", "company", "active", "Bakery", "zoe", "orders@zoes-bakery.example",
        "orders@zoes-bakery.example; zoe@zoes-bakery.example", "'+12025550173",
        "'+12025550173; +442079460958", "https://zoes-bakery.example", "12 Harbour Lane",
        "Portland", "ME", "04101", "US", "VIP; wholesale", "Since 1952;\nfamily run",
        "Zoë Łukasiewicz", "Owner", "zoe@zoes-bakery.example", "'+442079460958", "1975-12-02",
    ]  # fmt: skip
    path = write_csv(tmp_path / "export.csv", [EXPORT_HEADER, row], bom=codecs.BOM_UTF8)
    plan = importer.plan(path)
    assert "ignore" not in plan.mapping.values()
    importer.commit(plan)
    (client,) = all_clients(vault)
    back = client_to_json(client)
    assert {k: back[k] for k in original} == original


# ---------------------------------------------------------------------- row problems


def bad_rows(tmp_path):
    return write_csv(
        tmp_path / "bad.csv",
        [
            ["Name", "Email", "Phone", "Contact name", "Contact birthday", "Notes"],
            ["Good Co", "good@x.example", "", "", "", ""],
            ["Bad Mail", "x@", "", "", "", ""],
            ["Bad Phone", "", "12", "", "", ""],
            ["Bad Date", "", "", "Pat", "31/31/1999", ""],
            ["", "orphan@x.example", "", "", "", ""],
            ["Long Notes", "", "", "", "", "n" * 10_001],
            ["Bell\x07Co", "", "", "", "", ""],
            ["", "", "", "", "", "only a note"],
        ],
    )


def test_row_problems_are_reported_with_row_kind_and_column(importer, vault, tmp_path):
    plan = importer.plan(bad_rows(tmp_path))
    by_row = {p.row: p for p in plan.problems}
    assert by_row[3].kind is ProblemKind.INVALID_EMAIL and by_row[3].column == "Email"
    assert by_row[4].kind is ProblemKind.INVALID_PHONE
    assert by_row[5].kind is ProblemKind.UNREADABLE_DATE and "31/31/1999" in by_row[5].message
    assert 6 not in by_row  # issue 15: an email address is enough to be a contact
    assert by_row[7].kind is ProblemKind.TOO_LONG and "10001 characters" in by_row[7].message
    assert by_row[8].kind is ProblemKind.INVALID and "control character" in by_row[8].message
    assert by_row[9].kind is ProblemKind.MISSING_NAME
    # Issue 15: a bad field costs that field, not the person (kept in the notes, marked).
    assert [by_row[r].action for r in (3, 4, 5, 7)] == ["add"] * 4
    assert by_row[8].action == by_row[9].action == "skip"
    assert (plan.counts.invalid, plan.counts.to_add, plan.counts.to_skip) == (6, 6, 2)
    importer.commit(plan)
    kept = {c.name: c for c in all_clients(vault)}
    assert sorted(kept) == [
        "Bad Date", "Bad Mail", "Bad Phone", "Good Co", "Long Notes", "orphan@x.example"
    ]  # fmt: skip
    assert "kept as written: x@" in kept["Bad Mail"].notes
    assert "kept as written: 12" in kept["Bad Phone"].notes
    assert "kept as written: 31/31/1999" in kept["Bad Date"].contacts[0].notes
    assert kept["orphan@x.example"].emails == ["orphan@x.example"]
    event = imported_events(vault)[-1]
    assert (event["file"], event["format"], event["encoding"]) == ("bad.csv", "csv", "UTF-8")
    assert (event["rows"], event["added"], event["merged"], event["skipped"]) == (8, 6, 0, 2)


def test_rows_with_unreadable_values_can_be_skipped(importer, vault, tmp_path):
    plan = importer.plan(bad_rows(tmp_path), on_invalid=Choice.SKIP)
    assert all(p.action == "skip" for p in plan.problems)
    assert (plan.counts.invalid, plan.counts.to_add, plan.counts.to_skip) == (6, 2, 6)
    importer.commit(plan)
    assert names(vault) == ["Good Co", "orphan@x.example"]


def test_importing_invalid_rows_anyway_leaves_out_the_bad_values(importer, vault, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["Name", "Email", "Phone", "Contact name", "Contact birthday"],
            ["Bad Mail", "x@; ok@x.example", "+1 202 555 0173", "Pat", "31/31/1999"],
            ["", "", "", "", ""],
        ],
    )
    plan = importer.plan(path, on_invalid=Choice.IMPORT)
    assert (plan.counts.to_add, plan.counts.to_skip, plan.counts.blank) == (1, 0, 1)
    importer.commit(plan)
    (client,) = all_clients(vault)
    assert client.emails == ["ok@x.example"] and client.phones == ["+12025550173"]
    assert "kept as written: x@" in client.notes
    assert client.contacts[0].name == "Pat" and client.contacts[0].birthday is None


# ------------------------------------------------------------------------ duplicates


@pytest.fixture
def harbour(clients):
    return clients.add(
        {
            "name": "Harbour Foods",
            "industry": "",
            "emails": ["info@harbour.example"],
            "phones": ["+1 202 555 0100"],
            "tags": ["VIP"],
            "notes": "Keep this note",
            "contacts": [{"name": "Pat Doe", "title": ""}],
        }
    )


def duplicate_file(tmp_path):
    return write_csv(
        tmp_path / "dups.csv",
        [
            ["Name", "Email", "Phone", "Industry", "Notes", "Tags", "Contact name",
             "Contact title"],
            ["Harbor Foods Ltd", "INFO@harbour.example", "", "Food", "New note", "vip; north",
             "Pat Doe", "Buyer"],
            ["Other Name", "", "(202) 555-0100", "", "", "", "", ""],
            ["HARBOUR  foods!", "sales@harbour.example", "", "", "", "", "Lee Chan", ""],
            ["New Client", "new@x.example", "", "", "", "", "", ""],
            ["New Client Again", "new@x.example", "", "", "", "", "", ""],
        ],
    )  # fmt: skip


def test_duplicates_by_email_phone_and_name_are_found_and_skipped(
    importer, vault, tmp_path, harbour
):
    plan = importer.plan(duplicate_file(tmp_path))
    dups = {p.row: p for p in plan.problems}
    # Issue 15: the same email address is a likely duplicate (skipped); the same phone or
    # name only a possible one: imported as a new client and listed, never merged unasked.
    for row, match, kind, action in (
        (2, "email", ProblemKind.DUPLICATE, "skip"),
        (3, "phone", ProblemKind.POSSIBLE_DUPLICATE, "add"),
        (4, "name", ProblemKind.POSSIBLE_DUPLICATE, "add"),
    ):
        assert (dups[row].kind, dups[row].action) == (kind, action), row
        assert (dups[row].candidate_id, dups[row].candidate_name) == (harbour, "Harbour Foods")
        assert f"same {match}" in dups[row].message
    assert dups[6].kind is ProblemKind.DUPLICATE_IN_FILE and dups[6].candidate_row == 5
    counts = plan.counts
    assert (counts.duplicates, counts.in_file_duplicates, counts.possible_duplicates) == (1, 1, 2)
    assert (plan.counts.to_add, plan.counts.to_skip) == (3, 2)
    result = importer.commit(plan)
    assert (result.added, result.skipped) == (3, 2)
    assert names(vault) == ["HARBOUR  foods!", "Harbour Foods", "New Client", "Other Name"]


def test_merging_fills_empty_fields_and_adds_without_overwriting(
    importer, vault, tmp_path, harbour
):
    plan = importer.plan(duplicate_file(tmp_path), on_duplicate=Choice.MERGE)
    assert (plan.counts.to_add, plan.counts.to_merge) == (3, 2)  # possible ones: not merged
    result = importer.commit(plan)
    assert (result.added, result.merged) == (3, 2)
    new_client = next(c.id for c in all_clients(vault) if c.name == "New Client")
    assert result.merged_ids == (harbour, new_client)
    merged = next(c for c in all_clients(vault) if c.id == harbour)
    assert merged.name == "Harbour Foods" and merged.notes == "Keep this note"
    assert merged.industry == "Food"  # was empty
    assert merged.emails == ["info@harbour.example"]
    assert merged.phones == ["+12025550100"] and merged.tags == ["VIP", "north"]
    assert [(c.name, c.title) for c in merged.contacts] == [("Pat Doe", "Buyer")]
    assert merged.version == 2
    assert "New Client Again" not in names(vault)  # the in-file duplicate merged


def test_importing_duplicates_anyway_adds_them(importer, vault, tmp_path, harbour):
    plan = importer.plan(duplicate_file(tmp_path), on_duplicate=Choice.IMPORT)
    importer.commit(plan)
    assert len(all_clients(vault)) == 6


def test_decisions_per_row_override_the_defaults(importer, vault, tmp_path, harbour):
    plan = importer.plan(duplicate_file(tmp_path))
    decisions = {2: Choice.MERGE, 3: Choice.MERGE, 4: Choice.SKIP, 5: Choice.SKIP}
    result = importer.commit(plan, decisions)
    assert (result.added, result.merged, result.skipped) == (1, 2, 2)
    # A possible duplicate (same phone) is merged when asked; row 5 skipped, so row 6 is
    # no longer a duplicate of anything being imported.
    assert names(vault) == ["Harbour Foods", "New Client Again"]


# ------------------------------------------------------------- all or nothing, safety


def many_rows(tmp_path, n=50):
    rows = [["Name", "Email"]] + [[f"Client {i}", f"c{i}@x.example"] for i in range(n)]
    return write_csv(tmp_path / "many.csv", rows)


def test_a_failure_mid_commit_leaves_the_vault_unchanged(session, vault, tmp_path, monkeypatch):
    importer = ImportService(session, batch_size=10)
    plan = importer.plan(many_rows(tmp_path))
    before, seq = names(vault), last_seq(vault)
    calls = []
    real = client_store.insert_clients

    def failing(vault, clients, now, today):
        calls.append(len(clients))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(vault, clients, now, today)

    monkeypatch.setattr(client_store, "insert_clients", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        importer.commit(plan)
    assert calls == [10, 10, 10]  # two batches were in, inside the transaction
    assert names(vault) == before and last_seq(vault) == seq
    assert vault.verify_audit().ok


def test_a_failed_merge_rolls_back_the_added_clients_too(
    importer, vault, tmp_path, harbour, monkeypatch
):
    plan = importer.plan(duplicate_file(tmp_path), on_duplicate=Choice.MERGE)
    seq = last_seq(vault)

    def failing(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(client_store, "update_client", failing)
    with pytest.raises(RuntimeError):
        importer.commit(plan)
    assert names(vault) == ["Harbour Foods"] and last_seq(vault) == seq


def test_cancelling_mid_way_imports_nothing(session, vault, tmp_path):
    importer = ImportService(session, batch_size=100)
    plan = importer.plan(many_rows(tmp_path, 1000))
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 2  # after some rows are already in

    seq = last_seq(vault)
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        importer.commit(plan, cancelled=cancelled)
    assert names(vault) == [] and last_seq(vault) == seq
    with pytest.raises(ImportCancelled):
        importer.plan(many_rows(tmp_path, 1000), cancelled=lambda: True)


def test_a_file_changed_since_the_plan_is_refused(importer, vault, tmp_path):
    path = many_rows(tmp_path, 5)
    plan = importer.plan(path)
    path.write_bytes(path.read_bytes() + b"Sneaky,s@x.example\r\n")
    with pytest.raises(BadInput, match="changed after it was checked"):
        importer.commit(plan)
    assert names(vault) == []


def test_progress_reports_bytes_up_to_the_whole_file(importer, tmp_path):
    path = many_rows(tmp_path, 2000)
    seen = []
    plan = importer.plan(path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (plan.size, plan.size) and len(seen) > 2
    assert all(done <= total for done, total in seen)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a PNG image"),
        (b"", "is empty"),
        (b'Name,Notes\nA,"open', "ends inside a quoted value"),
    ],
)
def test_unreadable_files_change_nothing(importer, vault, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    seq = last_seq(vault)
    with pytest.raises(BadInput, match=message):
        importer.plan(path)
    assert names(vault) == [] and last_seq(vault) == seq


def test_a_missing_file_is_bad_input(importer, tmp_path):
    with pytest.raises(BadInput, match="is not a file"):
        importer.plan(tmp_path / "nope.csv")


# ------------------------------------------------------------------------------ roles


def test_only_owner_and_manager_may_import(vault, tmp_path, fast_passwords):  # noqa: F811
    office = make_office(vault)
    path = many_rows(tmp_path, 3)
    sessions = {login: office.session(login) for login in ("mia", "sam", "ann")}
    for login in ("sam", "ann"):
        seq = last_seq(vault)
        with pytest.raises(NotAllowed, match="only the Owner or Manager may"):
            ImportService(sessions[login]).plan(path)
        assert actions(vault, seq) == ["access.denied"]
    manager = ImportService(sessions["mia"])
    plan = manager.plan(path)
    with pytest.raises(NotAllowed):
        ImportService(sessions["sam"]).commit(plan)  # someone else's plan does not help
    assert manager.commit(plan).added == 3


def test_owner_session_may_import(vault, tmp_path):
    importer = ImportService(owner_session(vault))
    assert importer.commit(importer.plan(many_rows(tmp_path, 2))).added == 2


def test_an_excel_sep_line_is_honoured(importer, vault, tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\r\nName;Email\r\nAcme, Inc.;a@acme.example\r\n", encoding="utf-8")
    importer.commit(importer.plan(path))
    assert names(vault) == ["Acme, Inc."]


def test_each_row_is_checked_once_and_matched_against_the_vault_of_the_commit(
    importer, clients, vault, tmp_path
):
    """Issue 15 part 6: the commit imports the rows as the plan read and validated them
    (no second reading), yet matches them against the vault as it is at the commit."""
    plan = importer.plan(duplicate_file(tmp_path))
    assert len(plan.checked) == plan.counts.rows == 5
    assert all(kept.draft.data is None for kept in plan.checked)  # read into clients once
    assert (plan.counts.duplicates, plan.counts.to_add) == (0, 4)  # Harbour is not there yet
    harbour = clients.add({"name": "Harbour Foods", "emails": ["info@harbour.example"]})
    result = importer.commit(plan)
    duplicate = next(p for p in result.problems if p.row == 2)
    assert (duplicate.kind, duplicate.candidate_id) == (ProblemKind.DUPLICATE, harbour)
    assert (result.added, result.skipped) == (3, 2)
    assert names(vault) == ["HARBOUR  foods!", "Harbour Foods", "New Client", "Other Name"]
