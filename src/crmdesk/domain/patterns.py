"""Purchasing patterns derived from a client's purchase history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .entities import Purchase, SeasonalNeed
from .validation import CENT, format_decimal

TOP_PRODUCTS = 5
_TENTH = Decimal("0.1")
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """How much of one product the client bought, and for how much."""

    product: str
    quantity: Decimal
    spend: Decimal


@dataclass(slots=True)
class PurchasingPatterns:
    """Figures the GUI shows on a client's purchases tab (all money in Decimal)."""

    lifetime_spend: Decimal = _ZERO
    last_12_months_spend: Decimal = _ZERO
    order_count: int = 0
    average_order_value: Decimal | None = None
    average_interval_days: Decimal | None = None
    expected_next_order: dt.date | None = None
    spend_by_month: dict[int, Decimal] = field(
        default_factory=lambda: dict.fromkeys(range(1, 13), _ZERO)
    )
    top_products: list[ProductSummary] = field(default_factory=list)
    last_purchase: dt.date | None = None
    buying_months: tuple[int, ...] = ()


def one_year_before(day: dt.date) -> dt.date:
    """The same day a year earlier; 29 February maps to 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def compute_patterns(purchases: Iterable[Purchase], today: dt.date) -> PurchasingPatterns:
    """Summarise ``purchases`` as seen on ``today``.

    Every purchase counts towards lifetime figures, even one dated after ``today``;
    the 12-month window is ``one_year_before(today) < date <= today``.
    """
    orders = sorted(purchases, key=lambda p: p.date)
    if not orders:
        return PurchasingPatterns()

    window_start = one_year_before(today)
    lifetime = _ZERO
    recent = _ZERO
    by_month = dict.fromkeys(range(1, 13), _ZERO)
    products: dict[str, tuple[Decimal, Decimal]] = {}
    for purchase in orders:
        total = purchase.total
        lifetime += total
        if window_start < purchase.date <= today:
            recent += total
        by_month[purchase.date.month] += total
        for item in purchase.items:
            quantity, spend = products.get(item.product, (Decimal(0), _ZERO))
            products[item.product] = (quantity + item.quantity, spend + item.total)

    dates = sorted({p.date for p in orders})
    interval, next_order = _rhythm(dates)

    ranked = sorted(products.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return PurchasingPatterns(
        lifetime_spend=lifetime,
        last_12_months_spend=recent,
        order_count=len(orders),
        average_order_value=(lifetime / len(orders)).quantize(CENT, rounding=ROUND_HALF_UP),
        average_interval_days=interval,
        expected_next_order=next_order,
        spend_by_month=by_month,
        top_products=[
            ProductSummary(name, quantity, spend)
            for name, (quantity, spend) in ranked[:TOP_PRODUCTS]
        ],
        last_purchase=dates[-1],
        buying_months=tuple(m for m in range(1, 13) if by_month[m] > 0),
    )


def _rhythm(dates: list[dt.date]) -> tuple[Decimal | None, dt.date | None]:
    """Average days between distinct order dates (sorted), and the expected next order."""
    if len(dates) < 2:
        return None, None
    span_days = (dates[-1] - dates[0]).days
    gaps = len(dates) - 1
    interval = (Decimal(span_days) / gaps).quantize(_TENTH, rounding=ROUND_HALF_UP)
    # Round the exact mean (not the 0.1-rounded one) half up, in integers.
    whole_days = (2 * span_days + gaps) // (2 * gaps)
    return interval, dates[-1] + dt.timedelta(days=whole_days)


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """The few figures a client list sorts and filters by."""

    last_purchase: dt.date | None
    last_12_months_spend: Decimal
    expected_next_order: dt.date | None
    buying_months: tuple[int, ...]


def summarise_orders(orders: Iterable[tuple[dt.date, Decimal]], today: dt.date) -> OrderSummary:
    """The same figures as :func:`compute_patterns`, from (date, total) pairs, without the
    product and monthly breakdowns: cheap enough to run for every client of a bulk insert."""
    window_start = one_year_before(today)
    recent = _ZERO
    months: set[int] = set()
    dates: set[dt.date] = set()
    for day, total in orders:
        dates.add(day)
        if total > 0:
            months.add(day.month)
        if window_start < day <= today:
            recent += total
    ordered = sorted(dates)
    return OrderSummary(
        last_purchase=ordered[-1] if ordered else None,
        last_12_months_spend=recent,
        expected_next_order=_rhythm(ordered)[1],
        buying_months=tuple(sorted(months)),
    )


def _opt(value: Decimal | dt.date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else format_decimal(value)


def patterns_to_json(p: PurchasingPatterns) -> dict[str, Any]:
    """JSON-ready patterns: money as decimal strings, dates ISO, months as "1".."12" keys."""
    return {
        "lifetime_spend": format_decimal(p.lifetime_spend),
        "last_12_months_spend": format_decimal(p.last_12_months_spend),
        "order_count": p.order_count,
        "average_order_value": _opt(p.average_order_value),
        "average_interval_days": _opt(p.average_interval_days),
        "expected_next_order": _opt(p.expected_next_order),
        "spend_by_month": {str(m): format_decimal(v) for m, v in sorted(p.spend_by_month.items())},
        "top_products": [
            {
                "product": s.product,
                "quantity": format_decimal(s.quantity),
                "spend": format_decimal(s.spend),
            }
            for s in p.top_products
        ],
        "last_purchase": _opt(p.last_purchase),
        "buying_months": list(p.buying_months),
    }


def buys_in_month(
    patterns: PurchasingPatterns, seasonal_needs: Iterable[SeasonalNeed], month: int
) -> bool:
    """Whether the client has bought in ``month`` before or has a seasonal need then."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    return month in patterns.buying_months or any(month in n.months for n in seasonal_needs)
