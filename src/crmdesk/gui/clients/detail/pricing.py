"""Pricing tab: negotiated prices and discounts per product (value-added)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from crmdesk.domain import Section

from .child_table import ChildTable, Column
from .tab_base import TableTab

PRICING_COLUMNS = (
    Column("product", "Product", width=200),
    Column("price", "Price", "money", width=100),
    Column("discount_percent", "Discount", "percent", width=80),
    Column("valid_from", "Valid from", "date", width=100),
    Column("valid_to", "Valid to", "date", width=100),
    Column("terms", "Terms", stretch=True),
)


def _new_agreement() -> dict[str, Any]:
    return {
        "product": "",
        "price": None,
        "discount_percent": None,
        "valid_from": None,
        "valid_to": None,
        "terms": "",
    }


class PricingTab(TableTab):
    """One row per pricing agreement; a price, a discount or both."""

    TITLE = "Pricing"
    KEYS = ("pricing",)
    SECTIONS = (Section.PRICING,)
    HEADINGS = {"pricing": "Pricing agreements"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = self.add_table(
            "pricing", ChildTable(PRICING_COLUMNS, new_row=_new_agreement, noun="agreement")
        )


__all__ = ["PricingTab"]
