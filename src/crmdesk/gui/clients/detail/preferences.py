"""Preferences tab: what the client prefers and what it needs in which months."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from crmdesk.domain import Section

from .child_table import ChildTable, Column
from .tab_base import TableTab

PREFERENCE_COLUMNS = (
    Column("topic", "Topic", width=200),
    Column("detail", "Detail", stretch=True),
)
SEASONAL_COLUMNS = (
    Column("months", "Months", "months", width=200),
    Column("need", "Need", stretch=True),
)


def _new_preference() -> dict[str, Any]:
    return {"topic": "", "detail": ""}


def _new_need() -> dict[str, Any]:
    return {"months": [], "need": ""}


class PreferencesTab(TableTab):
    """Preferences and seasonal needs, one table each."""

    TITLE = "Preferences"
    KEYS = ("preferences", "seasonal_needs")
    SECTIONS = (Section.PREFERENCES, Section.SEASONAL_NEEDS)
    HEADINGS = {"preferences": "Preferences", "seasonal_needs": "Seasonal needs"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preferences = self.add_table(
            "preferences",
            ChildTable(PREFERENCE_COLUMNS, new_row=_new_preference, noun="preference"),
        )
        self.seasonal_needs = self.add_table(
            "seasonal_needs", ChildTable(SEASONAL_COLUMNS, new_row=_new_need, noun="need")
        )


__all__ = ["PreferencesTab"]
