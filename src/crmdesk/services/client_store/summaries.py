"""The figures kept on the client row, so that lists sort and filter without joins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from crmdesk.domain import Client
from crmdesk.domain.patterns import one_year_before, summarise_orders

from .rows import cents, iso
from .tables import CLIENTS, PURCHASES

# The day the 12-month spends were last worked out for (kept in vault_info).
_SPEND_AS_OF = "spend_12m_as_of"


def _month_mask(months: Iterable[int]) -> int:
    mask = 0
    for m in months:
        mask |= 1 << (m - 1)
    return mask


def summary(client: Client, today: dt.date, totals: Sequence[Decimal]) -> dict[str, Any]:
    """The summary columns of a client's row.

    ``totals`` are the purchases' totals, in order: worked out once per client.
    """
    orders = summarise_orders(
        [(p.date, total) for p, total in zip(client.purchases, totals, strict=True)], today
    )
    seasonal = (m for need in client.seasonal_needs for m in need.months)
    return {
        "last_contact": iso(max((i.date for i in client.interactions), default=None)),
        "last_purchase": iso(orders.last_purchase),
        "spend_12m_cents": cents(orders.last_12_months_spend),
        "next_order": iso(orders.expected_next_order),
        "buy_months": _month_mask(orders.buying_months) | _month_mask(seasonal),
    }


def spend_is_current(conn: Any, today: dt.date) -> bool:
    """Whether the 12-month spends were worked out for ``today``."""
    row = conn.execute("SELECT value FROM vault_info WHERE key = ?", (_SPEND_AS_OF,)).fetchone()
    return bool(row and row[0] == today.isoformat())


def refresh_spend(conn: Any, today: dt.date) -> None:
    """Recompute every client's 12-month spend for ``today`` (it drifts as days pass)."""
    conn.execute(
        f"UPDATE {CLIENTS} SET spend_12m_cents = coalesce((SELECT sum(total_cents)"
        f" FROM {PURCHASES.name} p WHERE p.client_id = {CLIENTS}.id AND p.date > ?"
        " AND p.date <= ?), 0)",
        (one_year_before(today).isoformat(), today.isoformat()),
    )
    conn.execute(
        "INSERT INTO vault_info (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_SPEND_AS_OF, today.isoformat()),
    )
