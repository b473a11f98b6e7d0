"""CSV export: opens in Excel as UTF-8, exact header, formulas defused, one row per contact
person with every address (issue 15)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.io.csv_export import CsvWriter, header

HEADER = header(1)

EXPECTED_HEADER = (
    "Client ID,Name,Kind,Status,Industry,Salesperson,Source,Website,Emails,Phones,Tags,Notes,"
    "Address 1 - Street,Address 1 - City,Address 1 - Region,Address 1 - Postal code,"
    "Address 1 - Country,Contact name,Contact title,Contact emails,Contact phones,"
    "Contact birthday,Contact notes"
)


def bakery(**changes) -> Client:
    client = Client(
        name="Zoë's Bakery",
        kind="company",
        status="active",
        industry="Bakery",
        salesperson="zoe",
        website="https://zoes-bakery.example",
        emails=["orders@zoes-bakery.example", "zoe@zoes-bakery.example"],
        phones=["+12025550173", "+12025550174"],
        addresses=[Address("12 Harbour Lane", "Portland", "ME", "04101", "US")],
        tags=["VIP", "wholesale"],
        notes="Family business since 1952;\ndecides in January.",
        contacts=[
            Contact(
                "Zoë Łukasiewicz",
                "Owner",
                ["zoe@zoes-bakery.example"],
                ["+442079460958"],
                dt.date(1975, 12, 2),
            ),
            Contact("Second Person", "Baker", ["second@zoes-bakery.example"]),
        ],
    )
    for key, value in changes.items():
        setattr(client, key, value)
    return client


def write(clients: list[Client], path, addresses: int = 1) -> bytes:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = CsvWriter(out, addresses)
        writer.begin()
        for n, client in enumerate(clients, start=1):
            writer.add(client, f"key-{n}")
        writer.end()
    return path.read_bytes()


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_utf8_with_bom_and_the_exact_header(tmp_path):
    data = write([bakery()], tmp_path / "c.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    first_line = data[3:].split(b"\r\n")[0].decode("utf-8")
    assert first_line == EXPECTED_HEADER
    assert ",".join(HEADER) == EXPECTED_HEADER


def test_one_row_per_contact_person_with_the_client_repeated(tmp_path):
    data = write([bakery(), bakery(name="Other Co", contacts=[])], tmp_path / "c.csv")
    head, first, second, third = rows(data)
    row = dict(zip(head, first, strict=True))
    assert row["Client ID"] == "key-1" and row["Name"] == "Zoë's Bakery"
    assert row["Emails"] == "orders@zoes-bakery.example; zoe@zoes-bakery.example"
    # Issue 15: a plain phone number runs nothing in a spreadsheet: left as it is.
    assert row["Phones"] == "+12025550173; +12025550174"
    assert row["Address 1 - Street"] == "12 Harbour Lane"
    assert row["Address 1 - Postal code"] == "04101"
    assert row["Tags"] == "VIP; wholesale"
    assert row["Notes"] == "Family business since 1952;\ndecides in January."
    assert row["Contact name"] == "Zoë Łukasiewicz"
    assert row["Contact title"] == "Owner"
    assert row["Contact emails"] == "zoe@zoes-bakery.example"
    assert row["Contact phones"] == "+442079460958"
    assert row["Contact birthday"] == "1975-12-02"
    second_person = dict(zip(head, second, strict=True))
    assert (second_person["Client ID"], second_person["Name"]) == ("key-1", "Zoë's Bakery")
    assert second_person["Contact name"] == "Second Person"
    other = dict(zip(head, third, strict=True))
    assert other["Name"] == "Other Co" and other["Contact name"] == ""


def test_every_address_in_numbered_columns(tmp_path):
    two = [Address("1 Main St", "Leeds", "", "LS1", "GB"), Address("PO Box 9", "York")]
    head, row, _ = rows(write([bakery(addresses=two)], tmp_path / "c.csv", addresses=2))
    values = dict(zip(head, row, strict=True))
    assert (values["Address 1 - City"], values["Address 2 - City"]) == ("Leeds", "York")
    assert values["Address 2 - Street"] == "PO Box 9"


def test_a_birthday_without_a_year_is_written_as_google_does(tmp_path):
    client = bakery()
    client.contacts[0].birthday = dt.date(1900, 12, 2)  # crmdesk's "no year"
    _, row, _ = rows(write([client], tmp_path / "c.csv"))
    assert dict(zip(HEADER, row, strict=True))["Contact birthday"] == "--12-02"


def test_rows_end_with_crlf(tmp_path):
    data = write([bakery(notes="")], tmp_path / "c.csv")
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(tmp_path, start):
    dangerous = f'{start}HYPERLINK("http://evil.example","click")'
    client = bakery(name=dangerous, industry=dangerous, tags=[dangerous], notes=dangerous)
    client.contacts[0].name = dangerous
    _, row, _ = rows(write([client], tmp_path / "c.csv"))
    values = dict(zip(HEADER, row, strict=True))
    for column in ("Name", "Industry", "Tags", "Notes", "Contact name"):
        assert values[column] == "'" + dangerous, column


def test_a_client_named_like_a_formula_comes_out_as_text(tmp_path):
    _, row, _ = rows(write([bakery(name='=HYPERLINK("http://x.example")')], tmp_path / "c.csv"))
    assert row[HEADER.index("Name")] == '\'=HYPERLINK("http://x.example")'


def test_ordinary_text_is_left_alone(tmp_path):
    client = bakery(name="O'Brien & Sons, Ltd", notes='He said "hi"')
    _, row, _ = rows(write([client], tmp_path / "c.csv"))
    assert (
        row[HEADER.index("Name")] == "O'Brien & Sons, Ltd"
        and row[HEADER.index("Notes")] == 'He said "hi"'
    )
