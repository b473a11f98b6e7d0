"""Clients › Conflicts… and the conflicts part of the Sync page.

A conflict is a field two people changed on two devices without either seeing the
other's edit: every device shows the same version (the merge rules choose it), and
keeps the others here until a person settles it. The list shows each conflict (client,
record, field, the value shown now); below it, the versions of the one selected, with
who made each and when. "Keep this version" settles it on the database worker
(``conflicts.settle``); the change travels to every device with the next sync, and the
conflict ends there too. The list is read on the worker when shown and after any change
notice (a sync that brought new conflicts announces one; so does settling).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.ops import ChangeNotices, ChangeOp, ClientChanges, Pending, QueryOp
from crmdesk.gui.sync import texts
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.rows import Cell, Row, RowsModel, rows_table
from crmdesk.gui.widgets.style import dialog_frame, note_label, primary_button
from crmdesk.services.replication import conflicts
from crmdesk.services.replication.conflicts import FieldConflict, Version
from crmdesk.services.session import Session


def _who(version: Version) -> str:
    return version.login or f"device {texts.short_device(version.device)}"


def _record(conflict: FieldConflict) -> str:
    if conflict.table == "client":
        return "client"
    label = f" “{conflict.record_label}”" if conflict.record_label else ""
    return f"{conflict.table}{label}"


class ConflictsView(QWidget):
    """The conflicts this person may see, and settling the one selected."""

    client_activated = Signal(int)
    settled = Signal(int)  # the client whose conflict was settled
    refreshed = Signal(int)  # how many conflicts are on show

    def __init__(
        self, session: Session, notices: ChangeNotices | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.found: list[FieldConflict] = []
        self.op: Pending | None = None
        self._stale = True
        if notices is not None:
            notices.clients_changed.connect(self._on_clients_changed)
        self.notices = notices

        self.summary = note_label("Reading the conflicts…")
        self.summary.setObjectName("conflictsSummary")
        # Two lines kept for it: a wrapped label between stretching tables gets one.
        self.summary.setMinimumHeight(self.summary.fontMetrics().lineSpacing() * 2 + 4)
        self.list_model = RowsModel(
            ["Client", "Record", "Field", "Every device shows", "Other versions"],
            right=[4],
            cell_tips=True,
        )
        self.table = rows_table(self.list_model, self, stretch_last=False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.selectionModel().currentRowChanged.connect(self._show_versions)
        self.table.doubleClicked.connect(self._open_client)
        self.versions_label = QLabel("Choose a conflict to see its versions.")
        self.versions_label.setWordWrap(True)
        self.versions_model = RowsModel(["Value", "Made by", "Device", "When", ""], cell_tips=True)
        self.versions = rows_table(self.versions_model, self, stretch_last=True)
        self.versions.selectionModel().currentRowChanged.connect(self._update_button)
        self.settle_button = primary_button("&Keep this version")
        self.settle_button.setDefault(False)
        self.settle_button.setEnabled(False)
        self.settle_button.setToolTip(
            "Every device shows the chosen version once it has synced; the others are "
            "kept in the client's history"
        )
        self.settle_button.clicked.connect(self.settle_selected)
        self.open_button = QPushButton("&Open client")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open_client(None))
        self.message = InlineMessage()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.versions_label)
        layout.addWidget(self.versions, 2)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.settle_button)
        layout.addLayout(row)

    # -- reading ------------------------------------------------------------------------

    def is_busy(self) -> bool:
        return self.op is not None and not self.op.is_done()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_clients_changed(self, _changes: object) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Read the conflicts again, on the database worker."""
        if self.is_busy() or not self.session.is_open:
            return
        self._stale = False
        session = self.session

        def failed(exc: BaseException) -> None:
            self.summary.setText(texts.failure_text(exc))
            self.refreshed.emit(len(self.found))

        self.op = (
            QueryOp(
                parent=self,
                op=lambda: conflicts.list_conflicts(session),
                success=self.show_conflicts,
            )
            .failure(failed)
            .run_in_background()
        )

    def show_conflicts(self, found: list[FieldConflict]) -> None:
        """Show ``found`` (keeps the selection on the same conflict when it is still there)."""
        chosen = self.selected()
        was = (chosen.client_id, chosen.record, chosen.column) if chosen else None
        self.found = found
        clients = len({c.client_id for c in found})
        self.summary.setText(
            "No conflicts: every field shows the same version on every device."
            if not found
            else f"{texts.plural(len(found), 'field')} of {texts.plural(clients, 'client')} "
            "changed on two devices without either seeing the other. Every device shows "
            "the same version; choose the one to keep."
        )
        self.list_model.set_rows(
            [
                Row(
                    (
                        Cell(c.client_name or "(deleted client)"),
                        Cell(_record(c)),
                        Cell(texts.field_name(c.column)),
                        Cell("(deleted)" if c.is_deletion else texts.value_text(c.kept.value)),
                        Cell(str(len(c.lost)), len(c.lost)),
                    ),
                    i,
                )
                for i, c in enumerate(found)
            ]
        )
        self.table.resizeColumnsToContents()
        again = next(
            (i for i, c in enumerate(found) if (c.client_id, c.record, c.column) == was), 0
        )
        if found:
            self.table.selectRow(again)
        self._show_versions()
        self.refreshed.emit(len(found))

    def selected(self) -> FieldConflict | None:
        row = self.table.currentIndex().row()
        return self.found[row] if 0 <= row < len(self.found) else None

    def _show_versions(self, *_args: object) -> None:
        conflict = self.selected()
        self.open_button.setEnabled(bool(conflict and conflict.client_id))
        if conflict is None:
            self.versions_label.setText(
                "" if not self.found else "Choose a conflict to see its versions."
            )
            self.versions_model.set_rows([])
            self._update_button()
            return
        what = texts.field_name(conflict.column)
        name = conflict.client_name or "a deleted client"
        if conflict.is_deletion:
            self.versions_label.setText(
                f"{name}: the {_record(conflict)} was deleted on one device while it was "
                "changed on another. It stays deleted everywhere; keeping the deletion "
                "takes the conflict off the list."
            )
        else:
            self.versions_label.setText(f"The versions of {what} of {name} ({_record(conflict)}):")
        rows = [self._version_row(conflict.kept, conflict, shown=True)]
        rows += [self._version_row(v, conflict, shown=False) for v in conflict.lost]
        self.versions_model.set_rows(rows)
        self.versions.resizeColumnsToContents()
        self.versions.selectRow(0)
        self._update_button()

    @staticmethod
    def _version_row(version: Version, conflict: FieldConflict, *, shown: bool) -> Row:
        value = "(deleted)" if conflict.is_deletion and shown else texts.value_text(version.value)
        return Row(
            (
                Cell(value),
                Cell(_who(version)),
                Cell(texts.short_device(version.device)),
                Cell(texts.local_time(version.at), version.at),
                Cell("shown now" if shown else "not shown"),
            ),
            version.stamp,
            tooltip="" if version.value is None else str(version.value),
            bold=shown,
        )

    def _update_button(self, *_args: object) -> None:
        conflict = self.selected()
        row = self.versions.currentIndex().row()
        if conflict is not None and conflict.is_deletion:
            self.settle_button.setText("&Keep the deletion")
            self.settle_button.setEnabled(not self.is_settling())
            return
        self.settle_button.setText("&Keep this version")
        self.settle_button.setEnabled(conflict is not None and row >= 0 and not self.is_settling())

    # -- settling -----------------------------------------------------------------------

    _settling: Pending | None = None

    def is_settling(self) -> bool:
        return self._settling is not None and not self._settling.is_done()

    def settle_selected(self) -> None:
        """Settle the selected conflict with the selected version, on the worker."""
        conflict = self.selected()
        if conflict is None or self.is_settling():
            return
        row = 0 if conflict.is_deletion else self.versions.currentIndex().row()
        stamp = self.versions_model.key_at(row)
        if stamp is None:
            return
        chosen = "the deletion" if conflict.is_deletion else self.versions_model.text_at(row, 0)
        session, client_id = self.session, conflict.client_id
        self.message.clear_message()

        def done(_none: None) -> None:
            self.message.show_info(
                f"Settled: {conflict.client_name or 'the client'} keeps {chosen} for "
                f"{texts.field_name(conflict.column)}. Other devices take it at their next sync."
            )
            self.settled.emit(client_id)
            self._update_button()

        def failed(exc: BaseException) -> None:
            self.message.show_error(texts.failure_text(exc))
            self._update_button()
            self.refresh()

        changes = (
            ClientChanges.of(updated=[client_id]) if client_id else ClientChanges.all_clients()
        )
        self._settling = (
            ChangeOp(
                parent=self,
                op=lambda: conflicts.settle(
                    session, client_id, conflict.record, conflict.column, stamp
                ),
                success=done,
                notices=self.notices,
                changes=changes,
            )
            .failure(failed)
            .run_in_background()
        )
        self.settle_button.setEnabled(False)

    def _open_client(self, _index: object) -> None:
        conflict = self.selected()
        if conflict is not None and conflict.client_id:
            self.client_activated.emit(conflict.client_id)


class ConflictsDialog(AppDialog):
    """Clients › Conflicts…: the conflicts view in a window of its own."""

    def __init__(
        self, session: Session, notices: ChangeNotices | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = dialog_frame(self, "Conflicts", 760)
        self.view = ConflictsView(session, notices, self)
        self.view.client_activated.connect(self._open_client)
        self.opened_client: int | None = None
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        refresh = QPushButton("&Refresh")
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self.view.refresh)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        row.addWidget(refresh)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(860, 560)

    def _open_client(self, client_id: int) -> None:
        self.opened_client = client_id
        self.accept()


__all__ = ["ConflictsDialog", "ConflictsView"]
