"""Tools › Paper size: A4 or US Letter for every report, the locale's by default.

The choice is this person's (kept in the app's settings, nothing secret); until they
choose, reports follow the paper of the computer's locale. The menu is built with the
window without loading the reports (:func:`current_paper` is what they are made with).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from crmdesk.gui.settings import settings
from crmdesk.services.paper import PAPERS, default_paper

_KEY = "reports/paper"


def chosen_paper() -> str | None:
    """The paper this person chose, or None (the locale's)."""
    value = settings().value(_KEY)
    return value if value in PAPERS else None


def current_paper() -> str:
    """The paper reports are printed on now: the chosen one, else the locale's."""
    return chosen_paper() or default_paper()


def add_paper_menu(menu: QMenu, parent: QWidget, apply: Callable[[str], None]) -> QActionGroup:
    """A "Paper size" submenu of ``menu``; a choice is kept and handed to ``apply``
    (which sets the paper of the reports, if they are loaded yet)."""
    current = current_paper()
    submenu = menu.addMenu("Paper si&ze")
    group = QActionGroup(parent)
    group.setExclusive(True)
    for paper, name in PAPERS.items():
        action = QAction(name, parent)
        action.setCheckable(True)
        action.setChecked(paper == current)
        action.setData(paper)
        action.setToolTip(f"Print every report on {name}")
        group.addAction(action)
        submenu.addAction(action)

    def choose(action: QAction) -> None:
        paper = str(action.data())
        settings().setValue(_KEY, paper)
        apply(paper)

    group.triggered.connect(choose)
    return group
