"""The client list's header: first widths, a column chooser, and widths remembered.

Every column (:data:`~crmdesk.gui.clients.list_model.COLUMNS`) starts as wide as a
typical value; right-click the header to show or hide columns (the name always stays),
and drag a border to resize one. The widths, the hidden columns and the order are kept
in the app's settings (nothing secret), so the list comes back as the person left it.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from crmdesk.gui import settings as app_settings
from crmdesk.gui.clients.list_model import COLUMNS, NAME

SETTINGS_KEY = "clients/header"


class ColumnChooser:
    """Sets up ``table``'s header and keeps it in the settings."""

    def __init__(self, table: QTableView) -> None:
        self.table = table
        header = table.horizontalHeader()
        self.header = header
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setFirstSectionMovable(False)
        header.setMinimumSectionSize(48)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)
        self.fit_widths()
        for index, column in enumerate(COLUMNS):
            header.setSectionHidden(index, column.hidden)
        # The name takes what the other columns leave: it reads best when long.
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.restore()
        header.sectionResized.connect(self._save)
        header.sectionMoved.connect(self._save)

    def fit_widths(self) -> None:
        """Each column as wide as its title or a typical value, whichever is wider."""
        metrics = self.table.fontMetrics()
        for index, column in enumerate(COLUMNS):
            wide = max(
                metrics.horizontalAdvance(column.sample), metrics.horizontalAdvance(column.title)
            )
            self.header.resizeSection(index, wide + 28)  # padding and the sort arrow

    def actions(self) -> list[QAction]:
        """One check box per column (the name cannot be hidden)."""
        found = []
        for index, column in enumerate(COLUMNS):
            action = QAction(column.title, self.table)
            action.setCheckable(True)
            action.setChecked(not self.header.isSectionHidden(index))
            action.setEnabled(index != NAME)
            action.toggled.connect(lambda on, i=index: self.set_shown(i, on))
            found.append(action)
        return found

    def set_shown(self, index: int, shown: bool) -> None:
        if index == NAME:
            return
        self.header.setSectionHidden(index, not shown)
        if shown and self.header.sectionSize(index) < 48:
            self.fit_widths()
        self._save()

    def is_shown(self, index: int) -> bool:
        return not self.header.isSectionHidden(index)

    def _menu(self, where: QPoint) -> None:
        menu = QMenu(self.table)
        menu.setTitle("Columns")
        for action in self.actions():
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction("Reset columns")
        reset.triggered.connect(self.reset)
        menu.popup(self.header.mapToGlobal(where))

    def reset(self) -> None:
        for index, column in enumerate(COLUMNS):
            self.header.setSectionHidden(index, column.hidden)
            self.header.moveSection(self.header.visualIndex(index), index)
        self.fit_widths()
        self._save()

    def _save(self, *_args: object) -> None:
        app_settings.settings().setValue(SETTINGS_KEY, self.header.saveState())

    def restore(self) -> None:
        state = app_settings.settings().value(SETTINGS_KEY)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.header.restoreState(state)
            # The sort shown is the model's, not the one saved with the widths.
            self.header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
