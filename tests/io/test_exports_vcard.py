"""vCard export: cards parse back with vobject, names and addresses intact (accents too)."""

from __future__ import annotations

import datetime as dt

import vobject

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.io.vcard_export import VCardWriter


def bakery(**changes) -> Client:
    client = Client(
        name="Zoë's Bakery, Łódź; Ltd",
        kind="company",
        website="https://zoes-bakery.example",
        emails=["orders@zoes-bakery.example", "zoë@zoes-bakery.example"],
        phones=["+12025550173"],
        addresses=[Address("12 Harbour Lane, Suite 2", "Portland", "ME", "04101", "US")],
        tags=["VIP", "whole, sale"],
        notes="Decides in January.\nPays late.",
        contacts=[
            Contact("Zoë Łukasiewicz", "Owner", ["zoe@zoes-bakery.example"], ["+442079460958"],
                    dt.date(1975, 12, 2), notes="Calls after 3 pm"),
            Contact("Nguyễn Thị Minh", "", ["minh@zoes-bakery.example"]),
        ],
    )  # fmt: skip
    for key, value in changes.items():
        setattr(client, key, value)
    return client


def cards(clients: list[Client], path) -> list:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = VCardWriter(out)
        writer.begin()
        for n, client in enumerate(clients):
            writer.add(
                client, f"client-{n}", [f"contact-{n}-{i}" for i in range(len(client.contacts))]
            )
        writer.end()
    text = path.read_bytes().decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(vobject.readComponents(text))


def test_one_card_for_the_client_and_one_per_contact(tmp_path):
    client_card, first, second = cards([bakery()], tmp_path / "c.vcf")
    assert client_card.version.value == "3.0"
    assert client_card.fn.value == "Zoë's Bakery, Łódź; Ltd"
    assert client_card.org.value == ["Zoë's Bakery, Łódź; Ltd"]
    assert [e.value for e in client_card.email_list] == [
        "orders@zoes-bakery.example",
        "zoë@zoes-bakery.example",
    ]
    assert client_card.tel.value == "+12025550173"
    assert client_card.adr.value.street == "12 Harbour Lane, Suite 2"
    assert client_card.adr.value.city == "Portland" and client_card.adr.value.code == "04101"
    assert client_card.url.value == "https://zoes-bakery.example"
    assert client_card.categories.value == ["VIP", "whole, sale"]
    assert client_card.note.value == "Decides in January.\nPays late."
    assert client_card.uid.value == "client-0"

    assert first.fn.value == "Zoë Łukasiewicz"
    assert first.n.value.family == "Łukasiewicz" and first.n.value.given == "Zoë"
    assert first.org.value == ["Zoë's Bakery, Łódź; Ltd"]
    assert first.title.value == "Owner"
    assert first.email.value == "zoe@zoes-bakery.example"
    assert first.bday.value == "1975-12-02"
    assert first.uid.value == "contact-0-0"
    assert second.fn.value == "Nguyễn Thị Minh"
    assert not hasattr(second, "title") and not hasattr(second, "bday")


def test_notes_only_when_the_person_sees_them(tmp_path):
    client = bakery(notes="")
    client.contacts[0].notes = ""
    client.contacts[0].birthday = None
    client_card, first, _ = cards([client], tmp_path / "c.vcf")
    assert not hasattr(client_card, "note")
    assert not hasattr(first, "note") and not hasattr(first, "bday")


def test_a_private_individual_is_not_repeated_as_a_contact(tmp_path):
    person = bakery(name="Åsa Lindqvist", kind="individual", contacts=[Contact("Åsa Lindqvist")])
    (card,) = cards([person], tmp_path / "c.vcf")
    assert card.fn.value == "Åsa Lindqvist" and card.n.value.family == "Lindqvist"
    assert not hasattr(card, "org")


def test_many_clients_stream_one_after_another(tmp_path):
    found = cards([bakery(name=f"Client {n}", contacts=[]) for n in range(50)], tmp_path / "c.vcf")
    assert [c.fn.value for c in found] == [f"Client {n}" for n in range(50)]
