"""Editor tabs holding several parts of the record, so that the tabs fit a laptop.

Eight parts of a client in eight tabs overflow a 1366-pixel screen; parts read together
share a tab instead: pricing, preferences and specifications ("Pricing & needs"), and
the timeline with the tasks ("Timeline & tasks"). Each part stays a
:class:`~crmdesk.gui.clients.detail.tab_base.DetailTab` of its own (its keys, its errors,
its withheld state); a page stacks them one above the other, resizable, and the first
part's banner speaks for the page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from .tab_base import DetailTab

PART_MIN_HEIGHT = 150


class TabPage(QWidget):
    """One editor tab showing several parts of the record, stacked."""

    def __init__(self, title: str, parts: list[DetailTab], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.TITLE = title
        self.parts = parts
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        for index, part in enumerate(parts):
            if index and parts[0].confidential():
                part.shows_banner = False
                for banner in (part.confidential_banner, part.withheld_banner):
                    if banner is not None:
                        banner.hide()
            # Each part can be made small (its table scrolls): the page fits a laptop.
            part.setMinimumHeight(PART_MIN_HEIGHT)
            self.splitter.addWidget(part)
        layout.addWidget(self.splitter)

    def confidential(self) -> bool:
        return any(part.confidential() for part in self.parts)


__all__ = ["TabPage"]
