"""The Sync page (in the navigation once the vault is an office): the office, this
device, the shared folder, the last sync, what waits to be sent, each peer device and
what was taken from it, the files refused lately, and the conflicts to settle.

It shows what the runner (:mod:`crmdesk.gui.sync.runner`) read after its last exchange;
"Sync now" asks the runner for one more. Times are local.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.ops import ChangeNotices
from crmdesk.gui.sync import texts
from crmdesk.gui.sync.conflicts import ConflictsView
from crmdesk.gui.sync.runner import Synced, SyncRunner
from crmdesk.gui.widgets.messages import InlineMessage
from crmdesk.gui.widgets.rows import Cell, Row, RowsModel, rows_table
from crmdesk.gui.widgets.style import STYLE, note_label, primary_button, title_label
from crmdesk.services.replication.status import SyncStatus
from crmdesk.services.session import Session

OWNER_KIND = "owner"


def _value_label() -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class SyncPage(QWidget):
    """The office's devices, the last exchange, and the conflicts."""

    client_activated = Signal(int)

    def __init__(
        self,
        session: Session,
        runner: SyncRunner,
        notices: ChangeNotices | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncPage")
        self.setStyleSheet(STYLE)
        self.runner = runner
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, caption in (
            ("office", "Office:"),
            ("device", "This device:"),
            ("folder", "Shared folder:"),
            ("last", "Last sync:"),
            ("waiting", "Changes waiting:"),
        ):
            self.fields[key] = _value_label()
            form.addRow(caption, self.fields[key])
        self.state_note = note_label("")
        self.state_note.setObjectName("warningNote")
        self.state_note.setMargin(7)
        self.state_note.hide()
        self.sync_button = primary_button("&Sync now")
        self.sync_button.setDefault(False)
        self.sync_button.setToolTip(
            "Send this device's changes and take the others' (Ctrl+Shift+S)"
        )
        self.sync_button.clicked.connect(lambda: self.runner.sync_now(manual=True))
        self.message = InlineMessage()

        self.peers = RowsModel(
            ["Person", "Device", "Files taken", "Last taken", "Revoked"], right=[2]
        )
        self.peers_table = rows_table(self.peers, self, sortable=True, stretch_last=True)
        self.refused = RowsModel(["When", "What was refused"], cell_tips=True)
        self.refused_table = rows_table(self.refused, self, stretch_last=True)
        self.conflicts = ConflictsView(session, notices, self)
        self.conflicts.client_activated.connect(self.client_activated)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.peers_table, "Devices")
        self.tabs.addTab(self.conflicts, "Conflicts")
        self.tabs.addTab(self.refused_table, "Refused files")

        top = QWidget()
        head = QVBoxLayout(top)
        head.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(title_label("Sync"))
        title_row.addStretch(1)
        title_row.addWidget(self.sync_button)
        head.addLayout(title_row)
        head.addWidget(
            note_label(
                "This vault shares its clients with the office's other devices through the "
                "shared folder (Syncthing, a network share or a USB stick): only encrypted, "
                "signed change files are written there. It syncs every two minutes while "
                "crmdesk is open."
            )
        )
        head.addLayout(form)
        head.addWidget(self.state_note)
        head.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        runner.status_read.connect(self.show_status)
        runner.synced.connect(self.after_sync)
        runner.began.connect(self._began)
        self.conflicts.refreshed.connect(self._count_conflicts)
        if runner.status is not None:
            self.show_status(runner.status)

    def show_status(self, status: SyncStatus | None) -> None:
        if status is None:
            return
        kind = "the office's own vault" if status.kind == OWNER_KIND else "a laptop of the office"
        self.fields["office"].setText(
            f"{status.office_name or texts.short_device(status.office)} ({kind})"
        )
        self.fields["device"].setText(
            f"{texts.short_device(status.device)} (syncs as {status.login})"
        )
        self.fields["device"].setToolTip(status.device)
        self.fields["folder"].setText(status.folder)
        self.fields["last"].setText(texts.local_time(status.last_sync) or "not yet")
        self.fields["waiting"].setText(
            "none" if not status.changes_waiting
            else f"{texts.plural(status.changes_waiting, 'change')} made here, sent at the "
            "next sync"
        )  # fmt: skip
        if status.waiting_for_grant:
            self.state_note.setText(
                "This laptop has joined the office and waits for its keys: they come after "
                "the owner's vault has synced once. Ask the owner to choose File › Sync now, "
                "then sync here."
            )
            self.state_note.show()
        elif not self.runner.own_device():
            self.state_note.setText(
                f"This vault's device is {status.login}'s: it syncs while they are signed in."
            )
            self.state_note.show()
        else:
            self.state_note.hide()
        self.peers.set_rows(
            [
                Row(
                    (
                        Cell(p.login or ("the office" if p.is_office else "?")),
                        Cell(texts.short_device(p.device)),
                        Cell(f"{p.files_taken:,}", p.files_taken),
                        Cell(texts.local_time(p.last_taken_at) or "never", p.last_taken_at or ""),
                        Cell(texts.local_time(p.revoked_at) if p.revoked_at else ""),
                    ),
                    p.device,
                    tooltip=f"Device {p.device}",
                    warn=p.revoked_at is not None,
                )
                for p in status.peers
            ]
        )
        self.peers_table.resizeColumnsToContents()
        refused = []
        for line in reversed(status.rejected):
            when, _space, what = line.partition(" ")
            refused.append(Row((Cell(texts.local_time(when), when), Cell(what))))
        self.refused.set_rows(refused)
        self.refused_table.resizeColumnsToContents()
        self.tabs.setTabText(2, f"Refused files ({len(refused)})" if refused else "Refused files")
        self._count_conflicts(status.conflicts, clients=True)

    def _count_conflicts(self, count: int, *, clients: bool = False) -> None:
        if clients or count == 0:
            self.tabs.setTabText(1, f"Conflicts ({count})" if count else "Conflicts")

    def _began(self) -> None:
        self.sync_button.setEnabled(False)
        self.message.clear_message()

    def after_sync(self, synced: Synced) -> None:
        self.sync_button.setEnabled(True)
        if synced.report is None:
            self.message.show_error(synced.failure)
        elif synced.manual:
            self.message.show_info(texts.report_text(synced.report))
