"""Column mappings (guessed, saved, loaded, checked), dates, and rows turned into JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crmdesk.domain import client_from_json
from crmdesk.domain.errors import FieldError
from crmdesk.io.csv_import import CsvRecord
from crmdesk.io.drafts import Draft, ProblemKind, describe, without_paths
from crmdesk.io.import_dates import DateEvidence, DateOrder, DateReading, normalise_date
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.mapping import (
    IGNORE,
    TARGETS,
    MappingError,
    check_mapping,
    guess_mapping,
    load_mapping,
    save_mapping,
)

GOOGLE = [
    "Name", "Given Name", "Additional Name", "Family Name", "Nickname", "Birthday", "Notes",
    "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value", "E-mail 2 - Type",
    "E-mail 2 - Value", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value",
    "Address 1 - Type", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Title",
    "Website 1 - Type", "Website 1 - Value",
]  # fmt: skip
OUTLOOK = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home City",
    "Business Fax", "Business Phone", "Home Phone", "Mobile Phone", "Birthday", "Categories",
    "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "Notes",
    "Web Page",
]  # fmt: skip
CRMDESK_EXPORT = [
    "Name", "Kind", "Status", "Industry", "Salesperson", "Email", "Emails", "Phone", "Phones",
    "Website", "Street", "City", "Region", "Postal code", "Country", "Tags", "Notes",
    "Contact name", "Contact title", "Contact email", "Contact phone", "Contact birthday",
]  # fmt: skip


def mapped(mapping):
    return {column: target for column, target in mapping.items() if target != IGNORE}


def test_google_contacts_header_is_mapped():
    m = guess_mapping(GOOGLE)
    assert mapped(m) == {
        "Name": "contact.name",  # the person: the organisation is the client
        "Given Name": "contact.given_name",
        "Additional Name": "contact.middle_name",
        "Family Name": "contact.family_name",
        "Nickname": "contact.notes",  # kept in the person's notes, labelled
        "Birthday": "contact.birthday",
        "Notes": "note",  # the person's, or the client's when the row is no one at a company
        "Group Membership": "tags",
        "E-mail 1 - Type": "label",
        "E-mail 1 - Value": "email",
        "E-mail 2 - Type": "label",
        "E-mail 2 - Value": "email",
        "Phone 1 - Type": "label",
        "Phone 1 - Value": "phone",
        "Phone 2 - Type": "label",
        "Phone 2 - Value": "phone",
        "Address 1 - Type": "label",
        "Address 1 - Formatted": "address.formatted",
        "Address 1 - Street": "address.street",
        "Address 1 - City": "address.city",
        "Address 1 - PO Box": "address.street",
        "Address 1 - Region": "address.region",
        "Address 1 - Postal Code": "address.postal_code",
        "Address 1 - Country": "address.country",
        "Organization 1 - Type": "label",
        "Organization 1 - Name": "name",
        "Organization 1 - Title": "contact.title",
        "Website 1 - Type": "label",
        "Website 1 - Value": "web_page",
    }
    assert set(m) == set(GOOGLE)  # every column is named: nothing is left out unsaid


def test_outlook_header_is_mapped():
    m = guess_mapping(OUTLOOK)
    assert mapped(m) == {
        "Title": "contact.notes",  # Outlook's "Mr."/"Dr.", not the job: kept, labelled
        "First Name": "contact.given_name",
        "Middle Name": "contact.middle_name",
        "Last Name": "contact.family_name",
        "Suffix": "contact.notes",
        "Company": "name",
        "Department": "contact.notes",
        "Job Title": "contact.title",
        "Business Street": "address.street",
        "Business Street 2": "address.street",
        "Business City": "address.city",
        "Business State": "address.region",
        "Business Postal Code": "address.postal_code",
        "Business Country/Region": "address.country",
        "Home Street": "address2.street",  # Outlook's home address: the second address
        "Home City": "address2.city",
        "Business Fax": "phone",
        "Business Phone": "phone",
        "Home Phone": "phone",
        "Mobile Phone": "phone",
        "Birthday": "contact.birthday",
        "Categories": "tags",
        "E-mail Address": "email",
        "E-mail Type": "label",
        "E-mail Display Name": "label",
        "E-mail 2 Address": "email",
        "Notes": "note",
        "Web Page": "web_page",
    }


def test_crmdesk_export_header_maps_every_column():
    m = guess_mapping(CRMDESK_EXPORT)
    assert IGNORE not in m.values()
    assert m["Name"] == "name" and m["Contact name"] == "contact.name"
    assert m["Emails"] == "emails" and m["Contact birthday"] == "contact.birthday"


@pytest.mark.parametrize(
    ("label", "target"),
    [
        ("Company Name", "name"),
        ("Customer", "name"),
        ("E-mail", "email"),
        ("Telephone", "phone"),
        ("ZIP", "address.postal_code"),
        ("State/Province", "address.region"),
        ("Sales Rep", "salesperson"),
        ("Lead Source", "source"),
        ("Comments", "note"),
        ("Date of birth", "contact.birthday"),
        ("Favourite colour", IGNORE),
    ],
)
def test_other_crms_words_are_understood(label, target):
    assert guess_mapping(["Name", label])[label] == target


def test_a_mapping_file_round_trips_and_is_checked(tmp_path):
    path = tmp_path / "m.json"
    save_mapping({"Kunde": "name", "E-Mail": "email"}, path)
    loaded = load_mapping(path)
    assert check_mapping(loaded, ["Kunde", "E-Mail", "Ort"]) == {
        "Kunde": "name",
        "E-Mail": "email",
        "Ort": IGNORE,  # columns the mapping does not name are ignored
    }


def test_mapping_problems_are_all_named_with_hints():
    with pytest.raises(MappingError) as err:
        check_mapping({"Kunde": "nmae", "Mail": "email", "Ort": 3}, ["Kunde", "E-Mail"])
    text = str(err.value)
    assert 'unknown target "nmae"; did you mean "name"?' in text
    assert 'column "Mail" is not in the file; did you mean "E-Mail"?' in text
    assert '"Ort": the target must be text' in text
    assert '"Kunde", "E-Mail"' in text  # the file's columns are listed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must hold one JSON object"),
    ],
)
def test_bad_mapping_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        load_mapping(path)
    with pytest.raises(MappingError, match="Cannot read the mapping file"):
        load_mapping(tmp_path / "missing.json")


def test_every_target_is_documented():
    assert all(description for _, description in TARGETS.values())
    assert {"name", "email", "phones", "address.city", "tags", "notes"} <= set(TARGETS)
    assert {"contact.name", "contact.birthday", IGNORE} <= set(TARGETS)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("1975-12-02", DateOrder.MDY, "1975-12-02"),
        ("1975-12-02T00:00:00Z", DateOrder.MDY, "1975-12-02"),
        ("1975/12/02", DateOrder.DMY, "1975-12-02"),
        ("19751202", DateOrder.MDY, "1975-12-02"),
        ("12/2/1975", DateOrder.MDY, "1975-12-02"),
        ("2/12/1975", DateOrder.DMY, "1975-12-02"),
        ("02.12.1975", DateOrder.DMY, "1975-12-02"),
        ("--12-02", DateOrder.MDY, "1900-12-02"),  # Google: a birthday without a year
        ("--1202", DateOrder.MDY, "1900-12-02"),  # vCard 4
        ("27730", DateOrder.MDY, "1975-12-02"),  # an Excel serial
        ("2 Dec 1975", DateOrder.MDY, "1975-12-02"),
        ("December 2, 1975", DateOrder.DMY, "1975-12-02"),
        ("0/0/00", DateOrder.MDY, ""),  # Outlook's "no birthday"
        ("1975", DateOrder.MDY, "1975"),  # a year alone is not a date: left for validation
        ("31/31/1999", DateOrder.DMY, "31/31/1999"),
        ("soon", DateOrder.MDY, "soon"),
    ],
)
def test_dates_are_read_in_the_common_forms(text, order, expected):
    assert normalise_date(text, order) == expected


def test_two_digit_years_are_never_in_the_future():
    this_year = dt.date.today().year
    assert normalise_date("12/02/75", DateOrder.MDY) == "1975-12-02"
    assert int(normalise_date("01/02/00", DateOrder.MDY)[:4]) <= this_year


def test_the_date_order_is_decided_from_the_file_and_reported():
    evidence = DateEvidence()
    for row, text in [(2, "03/04/1975"), (3, "1975-01-01"), (7, "25/12/1970")]:
        evidence.feed(text, row)
    reading = evidence.decide()
    assert reading.order is DateOrder.DMY
    assert "row 7 has 25/12/1970" in reading.assumptions[0]
    assert "03/04/1975" in reading.assumptions[0]


def test_month_first_evidence_wins_too():
    evidence = DateEvidence()
    evidence.feed("12/25/1970", 4)
    assert evidence.decide().order is DateOrder.MDY


def test_undecidable_dates_are_an_assumption_that_can_be_overridden():
    evidence = DateEvidence()
    evidence.feed("03/04/1975", 2)
    reading = evidence.decide()
    assert reading.order is DateOrder.MDY
    note = reading.assumptions[0]
    # The note says how to override in neutral words; each edge names its own way
    # (the command line's --date-order: tests/test_error_words.py).
    assert note.code == "import.dates.ambiguous" and note.facts["other"] == "dmy"
    assert "if they are day/month/year" in note
    dots = DateEvidence()
    dots.feed("03.04.1975", 2)
    assert dots.decide().order is DateOrder.DMY  # dots are European
    assert evidence.decide(DateOrder.DMY).order is DateOrder.DMY


def test_mixed_orders_take_the_majority_and_say_so():
    evidence = DateEvidence()
    for row, text in [(2, "25/12/1970"), (3, "26/12/1970"), (4, "12/27/1970")]:
        evidence.feed(text, row)
    reading = evidence.decide()
    assert reading.order is DateOrder.DMY and "mixes" in reading.assumptions[0]


# ---------------------------------------------------------------------- rows to JSON


def build(header, cells, mapping=None, order=DateOrder.MDY):
    builder = RowBuilder(header, mapping or guess_mapping(header), DateReading(order))
    return builder.build(CsvRecord(2, 2, cells))


def test_google_row_with_organisation_is_a_company_with_its_person_as_contact():
    header = ["Name", "E-mail 1 - Value", "Phone 1 - Value", "Organization 1 - Name",
              "Organization 1 - Title", "Birthday", "Group Membership", "Notes"]  # fmt: skip
    draft = build(
        header,
        ["Zoë Łukasiewicz", "zoe@bakery.example ::: z@home.example", "+1 202 555 0173",
         "Zoë's Bakery", "Owner", "1975-12-02", "* myContacts ::: VIP ::: * starred", "hi"],
    )  # fmt: skip
    # Issue 15: the person's emails, phones and notes are the person's, not the company's.
    assert draft.data == {
        "name": "Zoë's Bakery",
        "tags": ["VIP"],
        "contacts": [
            {
                "name": "Zoë Łukasiewicz",
                "title": "Owner",
                "birthday": "1975-12-02",
                "emails": ["zoe@bakery.example", "z@home.example"],
                "phones": ["+1 202 555 0173"],
                "notes": "hi",
            }
        ],
    }
    assert draft.group == "org:zoe s bakery" and not draft.leads
    client = client_from_json(draft.data)
    assert client.kind == "company" and client.contacts[0].name == "Zoë Łukasiewicz"


def test_a_person_without_organisation_is_an_individual_client():
    draft = build(["First Name", "Last Name", "E-mail Address"], ["Ann", "Lee", "ann@x.example"])
    assert draft.data == {"name": "Ann Lee", "kind": "individual", "emails": ["ann@x.example"]}


def test_street_columns_join_and_address_is_complete():
    header = ["Company", "Business Street", "Business Street 2", "Business City", "Home City"]
    draft = build(header, ["Acme", "1 Main St", "Suite 4", "Portland", "Salem"])
    assert draft.data["addresses"] == [
        {"street": "1 Main St, Suite 4", "city": "Portland", "region": "", "postal_code": "",
         "country": ""},
        {"street": "", "city": "Salem", "region": "", "postal_code": "", "country": ""},
    ]  # fmt: skip


def test_status_and_kind_words_of_other_crms_are_understood():
    draft = build(["Name", "Status", "Kind"], ["Acme", "Customer", "Business"])
    assert draft.data["status"] == "active" and draft.data["kind"] == "company"
    odd = build(["Name", "Status"], ["Acme", "Sleeping"])
    assert odd.data["status"] == "Sleeping"  # left for validation to refuse


def test_extra_cells_past_the_header_are_kept_not_silently_dropped():
    draft = build(["Name"], ["Acme", "oops"])
    assert (
        draft.data["notes"] == "⚠ 1 value(s) past the last of the 1 columns, kept as written: oops"
    )


def test_a_blank_row_is_marked_blank():
    assert build(["Name", "Email"], ["", "  "]).blank


def test_validation_errors_name_the_column_they_came_from():
    draft = build(["Company", "E-mail Address", "E-mail 2 Address"], ["Acme", "ok@x.example", "x@"])
    issue = describe(FieldError("emails[1]", "not a valid email address: 'x@'"), draft)
    assert issue.kind is ProblemKind.INVALID_EMAIL
    assert issue.message == "column \"E-mail 2 Address\": not a valid email address: 'x@'"
    assert issue.column == "E-mail 2 Address" and issue.path == "emails[1]"


def test_import_anyway_leaves_out_exactly_the_faulty_values():
    data = {
        "name": "Acme",
        "emails": ["ok@x.example", "x@", "also@x.example"],
        "contacts": [{"name": "", "birthday": "soon"}],
    }
    draft = Draft(2, 2, data)
    issues = [
        describe(FieldError("emails[1]", "bad"), draft),
        describe(FieldError("contacts[0].name", "is required"), draft),
    ]
    assert without_paths(data, issues) == {
        "name": "Acme",
        "emails": ["ok@x.example", "also@x.example"],
        "contacts": [],
    }
    assert data["emails"][1] == "x@"  # the original is untouched
    assert without_paths(data, [describe(FieldError("name", "is required"), draft)]) is None


def test_mapping_file_is_plain_json_people_can_edit(tmp_path):
    path = tmp_path / "m.json"
    save_mapping({"Zoë": "name"}, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"Zoë": "name"}
