"""Purchasing patterns checked against numbers worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmdesk.domain.entities import LineItem, Purchase, SeasonalNeed
from crmdesk.domain.patterns import (
    ProductSummary,
    PurchasingPatterns,
    buys_in_month,
    compute_patterns,
    one_year_before,
    patterns_to_json,
    summarise_orders,
)

D = Decimal


def order(day: date, *lines: tuple[str, str, str, str]) -> Purchase:
    """lines: (product, quantity, unit price, discount %)."""
    return Purchase(day, [LineItem(p, D(q), D(u), D(d)) for p, q, u, d in lines])


def spend(day: date, amount: str) -> Purchase:
    return order(day, ("Thing", "1", amount, "0"))


# Three orders:
#   2023-01-10  Widget 2 x 10.00 = 20.00, Gadget 1 x 5.50 = 5.50        -> 25.50
#   2023-03-01  Widget 3 x 10.00 less 10% = 27.00                         -> 27.00
#   2023-04-20  Bolt 100 x 0.15 = 15.00, Gadget 2 x 5.50 = 11.00          -> 26.00
THREE = [
    order(date(2023, 3, 1), ("Widget", "3", "10.00", "10")),
    order(date(2023, 1, 10), ("Widget", "2", "10.00", "0"), ("Gadget", "1", "5.50", "0")),
    order(date(2023, 4, 20), ("Bolt", "100", "0.15", "0"), ("Gadget", "2", "5.50", "0")),
]


def test_three_orders() -> None:
    p = compute_patterns(THREE, today=date(2023, 12, 31))
    assert p.lifetime_spend == D("78.50")
    assert p.last_12_months_spend == D("78.50")
    assert p.order_count == 3
    assert p.average_order_value == D("26.17")  # 78.50 / 3 = 26.1666...
    # 10 Jan -> 20 Apr is 21 + 28 + 31 + 20 = 100 days over 2 gaps.
    assert p.average_interval_days == D("50.0")
    assert p.expected_next_order == date(2023, 6, 9)  # 20 Apr + 50 days
    assert p.last_purchase == date(2023, 4, 20)
    expected_months = {m: D("0.00") for m in range(1, 13)}
    expected_months.update({1: D("25.50"), 3: D("27.00"), 4: D("26.00")})
    assert p.spend_by_month == expected_months
    assert p.buying_months == (1, 3, 4)
    assert p.top_products == [
        ProductSummary("Widget", D("5"), D("47.00")),
        ProductSummary("Gadget", D("3"), D("16.50")),
        ProductSummary("Bolt", D("100"), D("15.00")),
    ]


def test_patterns_json() -> None:
    out = patterns_to_json(compute_patterns(THREE, today=date(2023, 12, 31)))
    assert out["lifetime_spend"] == "78.50"
    assert out["average_order_value"] == "26.17"
    assert out["average_interval_days"] == "50.0"
    assert out["expected_next_order"] == "2023-06-09"
    assert out["last_purchase"] == "2023-04-20"
    assert out["spend_by_month"]["1"] == "25.50" and out["spend_by_month"]["12"] == "0.00"
    assert list(out["spend_by_month"]) == [str(m) for m in range(1, 13)]
    assert out["top_products"][0] == {"product": "Widget", "quantity": "5", "spend": "47.00"}
    assert out["buying_months"] == [1, 3, 4]
    assert out["order_count"] == 3


def test_no_orders() -> None:
    p = compute_patterns([], today=date(2024, 1, 1))
    assert p == PurchasingPatterns()
    assert p.average_order_value is None and p.expected_next_order is None
    assert p.spend_by_month == {m: D("0.00") for m in range(1, 13)}
    json_out = patterns_to_json(p)
    assert json_out["average_interval_days"] is None and json_out["last_purchase"] is None


def test_same_day_orders_give_no_interval() -> None:
    p = compute_patterns(
        [spend(date(2024, 5, 1), "10.00"), spend(date(2024, 5, 1), "5.00")], date(2024, 6, 1)
    )
    assert p.order_count == 2
    assert p.average_order_value == D("7.50")
    assert p.average_interval_days is None and p.expected_next_order is None


def test_interval_rounding() -> None:
    # 1, 2, 4, 11 Jan: 10 days over 3 gaps = 3.333 -> 3.3; next = 11 Jan + 3 days.
    days = [date(2024, 1, d) for d in (1, 2, 4, 11)]
    p = compute_patterns([spend(d, "1.00") for d in days], date(2024, 2, 1))
    assert p.average_interval_days == D("3.3")
    assert p.expected_next_order == date(2024, 1, 14)
    # 1, 11, 12 Jan: 11 days over 2 gaps = 5.5 -> rounds half up to 6 days; 12 + 6 = 18 Jan.
    days = [date(2024, 1, d) for d in (1, 11, 12)]
    p = compute_patterns([spend(d, "1.00") for d in days], date(2024, 2, 1))
    assert p.average_interval_days == D("5.5")
    assert p.expected_next_order == date(2024, 1, 18)


def test_twelve_month_window_edges() -> None:
    today = date(2024, 6, 15)
    purchases = [
        spend(date(2023, 6, 15), "1.00"),  # exactly one year ago: outside
        spend(date(2023, 6, 16), "2.00"),  # one day later: inside
        spend(date(2024, 6, 15), "4.00"),  # today: inside
        spend(date(2024, 6, 16), "8.00"),  # future-dated: outside the window
    ]
    p = compute_patterns(purchases, today)
    assert p.last_12_months_spend == D("6.00")
    assert p.lifetime_spend == D("15.00")
    assert p.spend_by_month[6] == D("15.00")


def test_twelve_month_window_from_a_leap_day() -> None:
    # One year before 29 Feb 2024 is taken as 28 Feb 2023.
    assert one_year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    purchases = [spend(date(2023, 2, 28), "1.00"), spend(date(2023, 3, 1), "2.00")]
    assert compute_patterns(purchases, date(2024, 2, 29)).last_12_months_spend == D("2.00")
    # A leap-day purchase is inside the window of 28 Feb 2025 (which starts after 28 Feb 2024).
    leap = [spend(date(2024, 2, 28), "1.00"), spend(date(2024, 2, 29), "2.00")]
    assert compute_patterns(leap, date(2025, 2, 28)).last_12_months_spend == D("2.00")


def test_top_products_keeps_five_by_spend_then_name() -> None:
    day = date(2024, 3, 3)
    lines = [("Cable", "30"), ("Anvil", "10"), ("Bolt", "10"), ("Drill", "5"), ("Fan", "2"),
             ("Eel", "1")]  # fmt: skip
    p = compute_patterns([order(day, *[(n, "1", a, "0") for n, a in lines])], day)
    assert [s.product for s in p.top_products] == ["Cable", "Anvil", "Bolt", "Drill", "Fan"]


def test_buys_in_month() -> None:
    p = compute_patterns(THREE, date(2023, 12, 31))
    needs = [SeasonalNeed((11, 12), "gift boxes")]
    assert buys_in_month(p, needs, 3)  # bought in March
    assert buys_in_month(p, needs, 12)  # seasonal need
    assert not buys_in_month(p, needs, 7)
    with pytest.raises(ValueError):
        buys_in_month(p, needs, 13)


_purchases = st.lists(
    st.builds(
        Purchase,
        date=st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)),
        items=st.lists(
            st.builds(
                LineItem,
                product=st.sampled_from(["Flour", "Yeast", "Oak"]),
                quantity=st.decimals(min_value=0, max_value=500, places=2),
                unit_price=st.decimals(min_value=0, max_value=900, places=2),
                discount_percent=st.decimals(min_value=0, max_value=100, places=1),
            ),
            max_size=3,
        ),
    ),
    max_size=12,
)


@settings(max_examples=150)
@given(_purchases, st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31)))
def test_the_cheap_summary_agrees_with_the_full_patterns(purchases, today):
    full = compute_patterns(purchases, today)
    cheap = summarise_orders([(p.date, p.total) for p in purchases], today)
    assert cheap.last_purchase == full.last_purchase
    assert cheap.last_12_months_spend == full.last_12_months_spend
    assert cheap.expected_next_order == full.expected_next_order
    assert cheap.buying_months == full.buying_months
