"""Tools › Paper size: A4 or US Letter for every report, the locale's by default.

The choice is this person's (kept in the app's settings, nothing secret); until they
choose, reports follow the paper of the computer's locale.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from crmdesk.gui.settings import settings
from crmdesk.services.reports import PAPERS, ReportService

_KEY = "reports/paper"


def chosen_paper() -> str | None:
    """The paper this person chose, or None (the locale's)."""
    value = settings().value(_KEY)
    return value if value in PAPERS else None


def add_paper_menu(menu: QMenu, reports: ReportService, parent: QWidget) -> QActionGroup:
    """A "Paper size" submenu of ``menu`` that sets ``reports.paper``."""
    chosen = chosen_paper()
    if chosen:
        reports.paper = chosen
    submenu = menu.addMenu("Paper si&ze")
    group = QActionGroup(parent)
    group.setExclusive(True)
    for paper, name in PAPERS.items():
        action = QAction(name, parent)
        action.setCheckable(True)
        action.setChecked(paper == reports.paper)
        action.setData(paper)
        action.setToolTip(f"Print every report on {name}")
        group.addAction(action)
        submenu.addAction(action)

    def choose(action: QAction) -> None:
        reports.paper = str(action.data())
        settings().setValue(_KEY, reports.paper)

    group.triggered.connect(choose)
    return group
