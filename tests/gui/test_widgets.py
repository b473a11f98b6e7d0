"""The shared Qt pieces: dialogs that remember their geometry, the read-only rows model."""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from crmdesk.gui import settings as app_settings
from crmdesk.gui.ops import QueryOp
from crmdesk.gui.people.password_dialog import ChangePasswordDialog
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.rows import (
    Cell,
    Row,
    RowsModel,
    packed_rows,
    rows_table,
    text_row,
)


class NoteDialog(AppDialog):
    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        QVBoxLayout(self).addWidget(QLabel("A note"))
        self.resize(300, 200)


class OtherDialog(NoteDialog):
    pass


def shown(qtbot, dialog: AppDialog) -> AppDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


# -- dialogs remember their geometry --------------------------------------------------------


def test_a_dialog_opens_again_where_it_was_closed_at_its_size(qtbot):
    first = shown(qtbot, NoteDialog())
    assert (first.width(), first.height()) == (300, 200)
    first.setGeometry(140, 120, 520, 410)
    first.reject()

    again = shown(qtbot, NoteDialog())
    assert (again.width(), again.height()) == (520, 410)
    assert (again.geometry().x(), again.geometry().y()) == (140, 120)


def test_a_dialog_never_opens_taller_than_the_screen(qtbot):
    tall = NoteDialog()
    tall.resize(700, 2000)  # as the policy editor once asked for on a laptop
    shown(qtbot, tall)
    area = tall.screen().availableGeometry()
    assert tall.height() < area.height() and tall.frameGeometry().bottom() <= area.bottom()
    assert tall.width() == 700


def test_each_dialog_class_keeps_its_own_geometry(qtbot):
    note = shown(qtbot, NoteDialog())
    note.resize(640, 480)
    note.accept()

    other = shown(qtbot, OtherDialog())
    assert (other.width(), other.height()) == (300, 200)
    assert NoteDialog.geometry_key() != OtherDialog.geometry_key()


def test_closing_the_window_saves_too(qtbot):
    dialog = shown(qtbot, NoteDialog())
    dialog.resize(450, 350)
    dialog.close()
    assert (shown(qtbot, NoteDialog()).width()) == 450


def test_a_dialog_never_shown_saves_nothing(qtbot):
    dialog = NoteDialog()
    qtbot.addWidget(dialog)
    dialog.reject()
    assert app_settings.settings().value(NoteDialog.geometry_key()) is None


def test_the_apps_dialogs_remember_theirs(qtbot, gui_session):
    dialog = shown(qtbot, ChangePasswordDialog(gui_session))
    dialog.resize(dialog.width() + 120, dialog.height() + 60)
    wanted = (dialog.width(), dialog.height())
    dialog.reject()
    again = shown(qtbot, ChangePasswordDialog(gui_session))
    assert (again.width(), again.height()) == wanted


# -- the rows model -------------------------------------------------------------------------


def test_rows_sort_by_their_values_and_blanks_last(qtbot):
    model = RowsModel(("Due", "Amount"), right=[1])
    model.set_rows(
        [
            Row((Cell("02/12/2026", dt.date(2026, 12, 2)), Cell("9.50", Decimal("9.50"))), 1),
            Row((Cell("30/11/2026", dt.date(2026, 11, 30)), Cell("")), 2),
            Row((Cell("01/01/2027", dt.date(2027, 1, 1)), Cell("10.00", Decimal("10"))), 3),
        ]
    )
    table = rows_table(model, sortable=True)
    qtbot.addWidget(table)
    view = table.model()

    def keys() -> list[int]:
        return [view.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(view.rowCount())]

    assert keys() == [1, 2, 3]  # the model's own order until a header is clicked
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert keys() == [2, 1, 3]  # by date, not by the text "01/01/2027"
    table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert keys() == [1, 3, 2]  # by amount (9.50 < 10), the blank one last
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert view.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == right


def test_text_rows_find_their_keys_and_show_their_text_as_tips():
    model = RowsModel(("Login", "Name"), cell_tips=True)
    model.set_rows([text_row(("bob", "Bob Stone"), "bob"), text_row(("erin", 42), "erin")])
    assert model.row_of("erin") == 1 and model.row_of("nobody") is None
    assert model.key_at(0) == "bob" and model.key_at(5) is None
    assert model.text_at(1, 1) == "42"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "Bob Stone"


def test_a_warned_row_is_coloured_in_its_warning_columns_only():
    model = RowsModel(("Due", "Late", "Client"), warn_columns=2)
    model.set_rows([Row((Cell("a"), Cell("b"), Cell("c")), 7, "tip", warn=True, bold=True)])
    assert model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole) == model.warning
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == "tip"
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()


def test_rows_packed_on_a_worker_show_and_sort_as_rows_and_leave_the_collectors_sight(qtbot):
    rows = [
        Row((Cell("02/12/2026", dt.date(2026, 12, 2)), Cell("Ann")), 1, "tip", warn=True),
        Row((Cell("30/11/2026", dt.date(2026, 11, 30)), Cell("")), 2, bold=True),
    ]
    model = RowsModel(("Due", "Client"), warn_columns=1)
    model.set_rows(packed_rows(rows))
    assert model.rows() == rows and model.row(1) == rows[1] and model.row(2) is None
    tips = RowsModel(("Due", "Client", "Phone"), tip_columns=(1, 2))
    tips.set_rows([text_row(("1", "Ann", "0123"), 1), text_row(("2", "", ""), 2)])
    assert tips.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "Ann\n0123"
    assert tips.row(0).tooltip == "Ann\n0123"  # type: ignore[union-attr]
    assert tips.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None
    table = rows_table(model, sortable=True)
    qtbot.addWidget(table)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert table.model().index(0, 0).data(Qt.ItemDataRole.UserRole) == 2
    # Tens of thousands of follow-ups are not walked by every full collection: a row's
    # inner tuples leave the collector's sight at its first collection, the row itself at
    # the next.
    gc.collect()
    gc.collect()
    held = model._rows  # noqa: SLF001 - what the model keeps is the point here
    assert not any(gc.is_tracked(r) for r in held)


def test_the_database_workers_tasks_run_without_automatic_collections(qtbot):
    seen: list[bool] = []
    QueryOp(parent=None, op=gc.isenabled, success=seen.append).run_in_background()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [False]  # a full collection there held the GUI thread up to 120 ms
    assert gc.isenabled()
