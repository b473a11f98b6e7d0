"""The main window's list of pages (Clients, the day's views, Activity), on its left.

On a wide screen it is a list of icons with their names beside them; when the window is
narrower than :data:`COMPACT_BELOW` (a 1366-pixel laptop) the names go under the icons
and the list takes half the width, which the client list needs for its columns.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QListView, QListWidget, QWidget

COMPACT_BELOW = 1500  # window width in pixels


class Navigation(QListWidget):
    """The pages of the main window, one item each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageNavigation")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._compact: bool | None = None
        self.set_compact(False)

    def is_compact(self) -> bool:
        return bool(self._compact)

    def set_compact(self, compact: bool) -> None:
        if compact == self._compact:
            return
        self._compact = compact
        metrics = self.fontMetrics()
        if compact:
            wide = metrics.horizontalAdvance("Follow-ups") + 20
            self.setViewMode(QListView.ViewMode.IconMode)
            self.setFlow(QListView.Flow.TopToBottom)
            self.setWrapping(False)
            self.setMovement(QListView.Movement.Static)
            self.setWordWrap(True)
            self.setIconSize(QSize(24, 24))
            self.setGridSize(QSize(wide, 24 + metrics.lineSpacing() * 2 + 14))
            self.setFixedWidth(wide + 2 * self.frameWidth() + 4)
        else:
            self.setViewMode(QListView.ViewMode.ListMode)
            self.setFlow(QListView.Flow.TopToBottom)
            self.setWordWrap(False)
            self.setIconSize(QSize(20, 20))
            self.setGridSize(QSize())
            self.setFixedWidth(metrics.horizontalAdvance("Seasonal outlook") + 64)
        self.setSpacing(2)

    def fit_window(self, window_width: int) -> None:
        self.set_compact(window_width < COMPACT_BELOW)
