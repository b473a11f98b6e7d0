"""CSV export: opens in Excel as UTF-8, exact header, formulas defused, one row a client."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.io.csv_export import HEADER, CsvWriter

EXPECTED_HEADER = (
    "Name,Kind,Status,Industry,Salesperson,Email,Emails,Phone,Phones,Website,Street,City,"
    "Region,Postal code,Country,Tags,Notes,Contact name,Contact title,Contact email,"
    "Contact phone,Contact birthday"
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


def write(clients: list[Client], path) -> bytes:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = CsvWriter(out)
        writer.begin()
        for client in clients:
            writer.add(client)
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


def test_one_row_per_client_with_its_first_contact(tmp_path):
    data = write([bakery(), bakery(name="Other Co", contacts=[])], tmp_path / "c.csv")
    header, first, second = rows(data)
    row = dict(zip(header, first, strict=True))
    assert row["Name"] == "Zoë's Bakery"
    assert row["Email"] == "orders@zoes-bakery.example"
    assert row["Emails"] == "orders@zoes-bakery.example; zoe@zoes-bakery.example"
    assert row["Phone"] == "'+12025550173"  # "+" starts a formula: neutralised
    assert row["Phones"] == "'+12025550173; +12025550174"
    assert row["Street"] == "12 Harbour Lane" and row["Postal code"] == "04101"
    assert row["Tags"] == "VIP; wholesale"
    assert row["Notes"] == "Family business since 1952;\ndecides in January."
    assert row["Contact name"] == "Zoë Łukasiewicz"
    assert row["Contact title"] == "Owner"
    assert row["Contact email"] == "zoe@zoes-bakery.example"
    assert row["Contact birthday"] == "1975-12-02"
    other = dict(zip(header, second, strict=True))
    assert other["Name"] == "Other Co" and other["Contact name"] == ""


def test_rows_end_with_crlf(tmp_path):
    data = write([bakery(notes="")], tmp_path / "c.csv")
    assert data.count(b"\r\n") == 2 and b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(tmp_path, start):
    dangerous = f'{start}HYPERLINK("http://evil.example","click")'
    client = bakery(name=dangerous, industry=dangerous, tags=[dangerous], notes=dangerous)
    client.contacts[0].name = dangerous
    _, row = rows(write([client], tmp_path / "c.csv"))
    values = dict(zip(HEADER, row, strict=True))
    for column in ("Name", "Industry", "Tags", "Notes", "Contact name"):
        assert values[column] == "'" + dangerous, column


def test_a_client_named_like_a_formula_comes_out_as_text(tmp_path):
    _, row = rows(write([bakery(name='=HYPERLINK("http://x.example")')], tmp_path / "c.csv"))
    assert row[0] == '\'=HYPERLINK("http://x.example")'


def test_ordinary_text_is_left_alone(tmp_path):
    client = bakery(name="O'Brien & Sons, Ltd", notes='He said "hi"')
    _, row = rows(write([client], tmp_path / "c.csv"))
    assert row[0] == "O'Brien & Sons, Ltd" and row[HEADER.index("Notes")] == 'He said "hi"'
