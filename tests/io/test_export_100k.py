"""vCard export of 100,000 clients in under a minute (issue 15 part 6), read back by
vobject, the reference reader."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import vobject

from crmdesk.domain.entities import Address, Client, Contact
from crmdesk.io.vcard_export import VCardWriter

CLIENTS = 100_000


def client(n: int) -> Client:
    return Client(
        name=f"Zoë's Bakery {n:06d}",
        kind="company",
        status="active",
        industry="Bakery",
        salesperson="zoe",
        emails=[f"orders{n}@zoes-bakery.example"],
        phones=["+12025550173", "+12025550174;ext=102"],
        website="https://zoes-bakery.example",
        addresses=[Address("12 Harbour Lane\nUnit 4", "Portland", "ME", "04101", "US")],
        tags=["VIP", "wholesale"],
        notes="Family business since 1952; decides in January, pays by invoice. " * 2,
        contacts=[
            Contact("Zoë Łukasiewicz", "Owner", [f"zoe{n}@zoes-bakery.example"],
                    ["+442079460958"], dt.date(1975, 12, 2), notes="Calls after 3 pm"),
            Contact("山田太郎", "Buyer", [f"taro{n}@zoes-bakery.example"]),
        ],
    )  # fmt: skip


@pytest.mark.slow
def test_vcard_export_of_100k_clients_in_under_a_minute(tmp_path, capsys):
    path = tmp_path / "clients.vcf"
    clients = [client(n) for n in range(CLIENTS)]
    started = time.monotonic()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = VCardWriter(out)
        writer.begin()
        for n, c in enumerate(clients):
            writer.add(c, f"client-{n}", [f"contact-{n}-0", f"contact-{n}-1"])
        writer.end()
    seconds = time.monotonic() - started
    with capsys.disabled():
        size = path.stat().st_size / (1 << 20)
        print(f"\nvCard export of {CLIENTS:,} clients ({size:.0f} MB): {seconds:.1f} s")
    assert seconds < 60
    text = path.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD\r\n") == 3 * CLIENTS
    # vobject reads a sample of 1,000 clients' cards (all 300,000 would take minutes).
    chunk = text[: text.index(f"UID:client-{1000}\r\n")]
    chunk = chunk[: chunk.rindex("BEGIN:VCARD")]
    cards = list(vobject.readComponents(chunk))
    assert len(cards) == 3000
    assert cards[0].org.value == ["Zoë's Bakery 000000"]
    assert cards[1].fn.value == "Zoë Łukasiewicz" and cards[2].fn.value == "山田太郎"
    assert cards[0].adr.value.street == "12 Harbour Lane\nUnit 4"
