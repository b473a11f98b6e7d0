"""What every tab of the client editor shares: its outer layout (with the confidential
or withheld banner), group headings, and the base classes of a tab and of a tab made of
:class:`~crmdesk.gui.clients.detail.child_table.ChildTable` s."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from crmdesk.domain import Section

from .banners import (
    BANNER_TEXT,
    ConfidentialBanner,
    WithheldBanner,
    confidential_banner,
    is_confidential,
)
from .child_table import ChildTable
from .field_marks import PathPart


def bold_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def section_title(text: str, confidential: bool = False) -> QLabel:
    """A group heading; a value-added group says so next to its name."""
    label = bold_label(f"{text} — Confidential" if confidential else text)
    if confidential:
        label.setToolTip(BANNER_TEXT)
    return label


def tab_layout(widget: QWidget, confidential: bool) -> QVBoxLayout:
    """The outer layout of a detail tab, with the confidentiality banner when needed.

    A confidential tab also gets a hidden :class:`WithheldBanner`, shown instead when
    the signed-in person may not see this part of the record (see ``set_withheld``).
    """
    layout = QVBoxLayout(widget)
    if confidential:
        banner = confidential_banner()
        withheld = WithheldBanner(getattr(widget, "WITHHELD_DETAIL", ""))
        layout.addWidget(banner)
        layout.addWidget(withheld)
        if isinstance(widget, DetailTab):
            widget.confidential_banner = banner
            widget.withheld_banner = withheld
    return layout


class DetailTab(QWidget):
    """One tab of the client editor: edits some top-level keys of the client dict."""

    changed = Signal()
    TITLE = ""
    KEYS: tuple[str, ...] = ()
    SECTIONS: tuple[Section, ...] = ()
    SHOWN_PATHS: tuple[str, ...] = ()  # value-added fields shown inside a basic section
    # Said under the withheld banner: what of this tab is withheld and what still works.
    WITHHELD_DETAIL = ""
    confidential_banner: ConfidentialBanner | None = None
    withheld_banner: WithheldBanner | None = None
    _withheld = False
    # False for a part shown below another in one editor tab: the first one's banner
    # speaks for the whole tab (see tab_pages.py).
    shows_banner = True

    @classmethod
    def confidential(cls) -> bool:
        return is_confidential(cls.SECTIONS, cls.SHOWN_PATHS)

    def set_withheld(self, withheld: bool) -> None:
        """The signed-in person may not see this client's value-added information: say so
        and make what shows it read-only (the service keeps the withheld values)."""
        self._withheld = withheld
        if self.withheld_banner is not None and self.confidential_banner is not None:
            self.withheld_banner.setVisible(withheld and self.shows_banner)
            self.confidential_banner.setVisible(not withheld and self.shows_banner)

    def is_withheld(self) -> bool:
        return self._withheld

    def load(self, data: dict[str, Any]) -> None:
        """Show the client's values for this tab's keys (emits nothing)."""
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        """This tab's keys as JSON-shaped values."""
        raise NotImplementedError

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        """Mark the widget of one field error; True when something was marked."""
        return False

    def clear_errors(self) -> None:
        """Remove every error mark."""

    def forget_selection(self) -> None:
        """Another client is about to be shown: do not keep the selected row."""


def mark_table_error(table: ChildTable, parts: list[PathPart], message: str) -> bool:
    """Mark ``key[i].field`` in a ChildTable; the whole row when no field is named."""
    index = parts[0][1]
    key = parts[1][0] if len(parts) > 1 else None
    table.mark(index if index is not None else -1, key, message)
    return True


class TableTab(DetailTab):
    """A tab holding one or more ChildTables, each editing one top-level list."""

    NOUNS: dict[str, str] = {}
    HEADINGS: dict[str, str] = {}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tables: dict[str, ChildTable] = {}
        self.outer = tab_layout(self, self.confidential())

    def set_withheld(self, withheld: bool) -> None:
        """A tab that only shows value-added information becomes read-only."""
        super().set_withheld(withheld)
        if self.confidential():
            for table in self.tables.values():
                table.set_read_only(withheld)

    def add_table(self, key: str, table: ChildTable, stretch: int = 1) -> ChildTable:
        if key in self.HEADINGS:
            self.outer.addWidget(section_title(self.HEADINGS[key]))
        self.outer.addWidget(table, stretch)
        self.tables[key] = table
        table.changed.connect(self.changed)
        return table

    def load(self, data: dict[str, Any]) -> None:
        for key, table in self.tables.items():
            table.set_rows(data.get(key) or [])

    def values(self) -> dict[str, Any]:
        return {key: table.rows() for key, table in self.tables.items()}

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        table = self.tables.get(parts[0][0])
        return table is not None and mark_table_error(table, parts, message)

    def clear_errors(self) -> None:
        for table in self.tables.values():
            table.clear_marks()
