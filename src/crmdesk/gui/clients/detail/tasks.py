"""Tasks tab: follow-ups with a due date; open tasks past their date stand out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from crmdesk.domain import Section

from .child_table import ChildTable, Column
from .tab_base import TableTab

TASK_COLUMNS = (
    Column("due", "Due", "date", width=100),
    Column("title", "Title", stretch=True),
    Column("contact", "Contact", width=180),
    Column("done", "Done", "bool", width=60),
)
OVERDUE_BRUSH = QBrush(QColor(255, 152, 0, 80))


class TasksTab(TableTab):
    """Tasks, sorted by due date; overdue open tasks are highlighted."""

    TITLE = "Tasks"
    KEYS = ("tasks",)
    SECTIONS = (Section.TASKS,)
    HEADINGS = {"tasks": "Tasks (overdue open tasks are highlighted)"}

    def __init__(
        self, today: Callable[[], dt.date] = dt.date.today, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._today = today
        self.table = self.add_table(
            "tasks",
            ChildTable(
                TASK_COLUMNS,
                new_row=self._new_task,
                noun="task",
                sort_key=lambda t: str(t.get("due") or ""),
                row_brush=self._brush,
            ),
        )

    def is_overdue(self, task: dict[str, Any]) -> bool:
        """Open and due before today (a due date that is no date is not judged here)."""
        if task.get("done"):
            return False
        try:
            return dt.date.fromisoformat(str(task.get("due"))) < self._today()
        except ValueError:
            return False

    def _brush(self, task: dict[str, Any]) -> QBrush | None:
        return OVERDUE_BRUSH if self.is_overdue(task) else None

    def _new_task(self) -> dict[str, Any]:
        return {"due": self._today().isoformat(), "title": "", "done": False, "contact": ""}


__all__ = ["TasksTab"]
