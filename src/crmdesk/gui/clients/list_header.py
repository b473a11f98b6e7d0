"""The client list's header: first widths, a column chooser, and widths remembered.

Every column (:data:`~crmdesk.gui.clients.list_model.COLUMNS`) starts as wide as a
typical value; right-click the header to show or hide columns (the name always stays),
and drag a border to resize one. The widths, the hidden columns and the order are kept
in the app's settings (nothing secret), so the list comes back as the person left it.

A column the person may not see (coverage, for someone without value-added access) is
withheld: hidden and out of the chooser, whatever was chosen. Which columns the person
hid is kept apart from the header's state, so that a withheld column comes back for the
next person who may see it, unless they hid it themselves.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from crmdesk.gui import settings as app_settings
from crmdesk.gui.clients.list_model import COLUMNS, NAME

SETTINGS_KEY = "clients/header"
HIDDEN_KEY = "clients/hidden-columns"  # the keys of the columns the person hid


class ColumnChooser:
    """Sets up ``table``'s header and keeps it in the settings."""

    def __init__(self, table: QTableView) -> None:
        self.table = table
        header = table.horizontalHeader()
        self.header = header
        self._withheld: set[int] = set()
        self._hidden = {c.key for c in COLUMNS if c.hidden}  # as the person chose
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setFirstSectionMovable(False)
        header.setMinimumSectionSize(48)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)
        self.fit_widths()
        self._apply_hidden()
        # The name takes what the other columns leave: it reads best when long.
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.restore()
        header.sectionResized.connect(self._save)
        header.sectionMoved.connect(self._save)

    def fit_widths(self) -> None:
        """Each column as wide as its title or a typical value, whichever is wider."""
        for index in range(len(COLUMNS)):
            self._fit(index)

    def _fit(self, index: int) -> None:
        metrics = self.table.fontMetrics()
        column = COLUMNS[index]
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
            action.setEnabled(index != NAME and index not in self._withheld)
            action.toggled.connect(lambda on, i=index: self.set_shown(i, on))
            found.append(action)
        return found

    def set_shown(self, index: int, shown: bool) -> None:
        """The person shows or hides a column (remembered)."""
        if index == NAME or index in self._withheld:
            return
        if shown:
            self._hidden.discard(COLUMNS[index].key)
        else:
            self._hidden.add(COLUMNS[index].key)
        self._show(index, shown)
        self._save()

    def set_withheld(self, index: int, withheld: bool) -> None:
        """Hide a column the person may not see, or give it back as they chose it."""
        if withheld:
            self._withheld.add(index)
        else:
            self._withheld.discard(index)
        self._show(index, not withheld and COLUMNS[index].key not in self._hidden)

    def _show(self, index: int, shown: bool) -> None:
        if self.header.isSectionHidden(index) != (not shown):
            self.header.setSectionHidden(index, not shown)
        if shown and self.header.sectionSize(index) < 48:
            self._fit(index)

    def _apply_hidden(self) -> None:
        for index, column in enumerate(COLUMNS):
            if index != NAME:
                self._show(index, index not in self._withheld and column.key not in self._hidden)

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
        self._hidden = {c.key for c in COLUMNS if c.hidden}
        for index in range(len(COLUMNS)):
            self.header.moveSection(self.header.visualIndex(index), index)
        self._apply_hidden()
        self.fit_widths()
        self._save()

    def _save(self, *_args: object) -> None:
        store = app_settings.settings()
        store.setValue(SETTINGS_KEY, self.header.saveState())
        store.setValue(HIDDEN_KEY, sorted(self._hidden))

    def restore(self) -> None:
        state = app_settings.settings().value(SETTINGS_KEY)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.header.restoreState(state)
            # The sort shown is the model's, not the one saved with the widths.
            self.header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        store = app_settings.settings()
        if store.contains(HIDDEN_KEY):
            # QSettings hands back a one-item list as its item, an empty one as nothing.
            hidden = store.value(HIDDEN_KEY)
            keys = [hidden] if isinstance(hidden, str) else hidden
            known = {c.key for c in COLUMNS} - {COLUMNS[NAME].key}
            self._hidden = {k for k in keys if k in known} if isinstance(keys, list) else set()
        # The header's state may hold a column hidden for the person before: what is
        # shown follows what this person chose.
        self._apply_hidden()
