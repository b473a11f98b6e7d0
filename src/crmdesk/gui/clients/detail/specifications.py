"""Specifications tab: the client's technical requirements per item (value-added)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from crmdesk.domain import Section

from .child_table import ChildTable, Column
from .tab_base import TableTab

SPECIFICATION_COLUMNS = (
    Column("item", "Item", width=220),
    Column("detail", "Detail", stretch=True),
)


def _new_specification() -> dict[str, Any]:
    return {"item": "", "detail": ""}


class SpecificationsTab(TableTab):
    """One row per specification."""

    TITLE = "Specifications"
    KEYS = ("specifications",)
    SECTIONS = (Section.SPECIFICATIONS,)
    HEADINGS = {"specifications": "Specifications"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = self.add_table(
            "specifications",
            ChildTable(SPECIFICATION_COLUMNS, new_row=_new_specification, noun="specification"),
        )


__all__ = ["SpecificationsTab"]
