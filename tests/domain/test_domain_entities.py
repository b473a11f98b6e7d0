from __future__ import annotations

from datetime import date
from decimal import Decimal

from crmdesk.domain.entities import Client, Contact, LineItem, Purchase


def test_line_total_applies_discount_and_rounds_half_up() -> None:
    # 3 x 19.99 = 59.97, less 10% = 53.973 -> 53.97
    assert LineItem("Box", Decimal("3"), Decimal("19.99"), Decimal("10")).total == Decimal("53.97")
    # 1 x 0.05 less 50% = 0.025 -> 0.03 (half up, not banker's 0.02)
    assert LineItem("Pin", Decimal("1"), Decimal("0.05"), Decimal("50")).total == Decimal("0.03")
    # 2.5 kg x 4.10 = 10.25, no discount
    assert LineItem("Wire", Decimal("2.5"), Decimal("4.10")).total == Decimal("10.25")
    assert LineItem("Free", Decimal("1"), Decimal("9.99"), Decimal("100")).total == Decimal("0.00")


def test_purchase_total_is_the_sum_of_line_totals() -> None:
    purchase = Purchase(
        date(2024, 1, 2),
        [
            LineItem("Box", Decimal("3"), Decimal("19.99"), Decimal("10")),  # 53.97
            LineItem("Tape", Decimal("2"), Decimal("1.50")),  # 3.00
        ],
    )
    assert purchase.total == Decimal("56.97")
    assert Purchase(date(2024, 1, 2)).total == Decimal("0.00")


def test_defaults_are_empty_and_not_shared() -> None:
    a, b = Client("A"), Client("B")
    a.tags.append("x")
    assert b.tags == []
    assert (a.kind, a.status, a.version, a.id) == ("company", "prospect", 0, None)
    assert Contact("Zoë").personal.hobbies == ""
