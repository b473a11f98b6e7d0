"""The figures kept for lists, so that they sort and filter without joins: the date of
the last contact on the client row (basic), and the value-added ones (last purchase,
12-month spend, expected next order, buying months) on the client's row of its book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from crmdesk.domain import Client
from crmdesk.domain.patterns import one_year_before, summarise_orders

from .books import held_books
from .rows import cents, iso
from .tables import BOOK_CLIENTS, PURCHASES

# The day a book's 12-month spends were last worked out for (kept in its book_info).
_SPEND_AS_OF = "spend_12m_as_of"


def _month_mask(months: Iterable[int]) -> int:
    mask = 0
    for m in months:
        mask |= 1 << (m - 1)
    return mask


# The summaries of a client without purchases or seasonal needs.
_NOTHING_BOUGHT = {"last_purchase": None, "spend_12m_cents": 0, "next_order": None, "buy_months": 0}


def last_contact(client: Client) -> str | None:
    return iso(max((i.date for i in client.interactions), default=None))


def summary(client: Client, today: dt.date, totals: Sequence[Decimal]) -> dict[str, Any]:
    """The value-added summaries of a client, for its book's row.

    ``totals`` are the purchases' totals, in order: worked out once per client.
    """
    if not client.purchases and not client.seasonal_needs:
        return dict(_NOTHING_BOUGHT)  # most clients of an import
    orders = summarise_orders(
        [(p.date, total) for p, total in zip(client.purchases, totals, strict=True)], today
    )
    seasonal = (m for need in client.seasonal_needs for m in need.months)
    return {
        "last_purchase": iso(orders.last_purchase),
        "spend_12m_cents": cents(orders.last_12_months_spend),
        "next_order": iso(orders.expected_next_order),
        "buy_months": _month_mask(orders.buying_months) | _month_mask(seasonal),
    }


def spend_is_current(vault: Any, today: dt.date) -> bool:
    """Whether the 12-month spends of every held book were worked out for ``today``."""
    conn = vault.connection
    for schema in held_books(vault).values():
        row = conn.execute(
            f"SELECT value FROM {schema}.book_info WHERE key = ?", (_SPEND_AS_OF,)
        ).fetchone()
        if not (row and row[0] == today.isoformat()):
            return False
    return True


def refresh_spend(vault: Any, today: dt.date) -> None:
    """Recompute every client's 12-month spend for ``today`` (it drifts as days pass), in
    each held book. Figures worked out from the book's own rows: no redo log needed, a
    book cut short is simply worked out again."""
    conn = vault.connection
    since, until = one_year_before(today).isoformat(), today.isoformat()
    for schema in held_books(vault).values():
        conn.execute(
            f"UPDATE {schema}.{BOOK_CLIENTS} SET spend_12m_cents = coalesce((SELECT"
            f" sum(total_cents) FROM {schema}.{PURCHASES.name} p"
            f" WHERE p.client_id = {BOOK_CLIENTS}.client_id AND p.date > ? AND p.date <= ?), 0)",
            (since, until),
        )
        conn.execute(
            f"INSERT INTO {schema}.book_info (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_SPEND_AS_OF, until),
        )
