"""The Qt binding must not corrupt Python's own objects.

PySide6 6.12.0 dropped one reference to ``None`` on every call that returns nothing;
on Python 3.11 the app then aborted ("none_dealloc") after a few thousand calls.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem


def test_void_calls_leave_none_alone(qtbot):
    label = QLabel()
    table = QTableWidget(10, 2)
    qtbot.addWidget(label)
    qtbot.addWidget(table)
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
        table.setItem(i % 10, 0, QTableWidgetItem("x"))
    assert abs(sys.getrefcount(None) - before) < 50
