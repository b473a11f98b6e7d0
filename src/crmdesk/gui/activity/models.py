"""The alerts list of the Activity page, as a model.

A model rather than ``QListWidget`` items (see :mod:`crmdesk.gui.widgets.rows`): Qt asks
for the lines it paints. The page's tables use the shared rows model of that module.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from crmdesk.domain.alerts import Alert

Index = QModelIndex | QPersistentModelIndex


class AlertsModel(QAbstractListModel):
    """The alerts of the period, one line each, with an icon for their kind."""

    def __init__(self, icons: dict[str, QIcon], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._alerts: list[Alert] = []
        self._icons = icons
        self._tips: dict[str, str] = {}

    def set_alerts(self, alerts: list[Alert], tips: dict[str, str]) -> None:
        self.beginResetModel()
        self._alerts = alerts
        self._tips = tips
        self.endResetModel()

    def alert(self, row: int) -> Alert | None:
        return self._alerts[row] if 0 <= row < len(self._alerts) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._alerts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        alert = self.alert(index.row()) if index.isValid() else None
        if alert is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return alert.message
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(alert.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tips.get(alert.kind, "")
            return f"{tip}\n{alert.message}\nDouble-click to see the entries behind it."
        return None
