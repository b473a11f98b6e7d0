"""The import wizard: choose a file, look at what was found, decide each problem row,
then import everything in one go (or nothing, when cancelled).

Page 1 chooses a CSV, vCard or crmdesk JSON Lines file, the country of its phone numbers
written without "+" (the vault's region first), its encoding (detected unless chosen)
and what happens to a row with a value that cannot be read (kept in the notes, or the
row skipped), and plans it on a worker thread (:meth:`ImportService.plan`: nothing is
written). Page 2 shows the encoding and the
delimiter found, the column mapping (editable; "Read again" plans once more with the
edited mapping) and a preview of the first rows. Page 3 lists each problem row with a
choice (skip, merge into the existing client — duplicates only — or import anyway),
preset from the plan. Import commits on a worker thread with Cancel; a cancel or an
error leaves the vault as it was.

Each step says which it is ("Step 2 of 3: …"); columns are mapped to fields named in
words ("The person's first name"), not the keys the service uses; one choice can be
applied to every row with the same problem; and the defaults keep the contact: a row
with a bad value is imported without that value, a likely duplicate is merged into
the client it resembles (skipping is one click away, for one row or all of them).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.gui.errors import show_error
from crmdesk.gui.ops import Job, Operation, run_with_progress
from crmdesk.gui.widgets.dialog import AppDialog
from crmdesk.gui.widgets.style import STYLE, title_label
from crmdesk.gui.words import words
from crmdesk.services.import_fields import (
    COMMON_ENCODINGS,
    DUPLICATE_KINDS,
    phone_regions,
    target_fields,
)
from crmdesk.services.imports import (
    Choice,
    ImportCancelled,
    ImportPlan,
    ImportResult,
    ImportService,
    Problem,
)
from crmdesk.services.session import Session
from crmdesk.services.settings import region_in_use

TITLE = "Import clients"
_CHOICE_LABELS = {
    Choice.SKIP: "Skip this row",
    Choice.MERGE: "Merge into the existing client",
    Choice.IMPORT: "Import as a new client",
}
_FROM_ACTION = {"add": Choice.IMPORT, "merge": Choice.MERGE, "skip": Choice.SKIP}

PAGE_FILE, PAGE_MAPPING, PAGE_PROBLEMS, PAGE_DONE = range(4)
STEP_TITLES = (
    "Step 1 of 3: Choose the file",
    "Step 2 of 3: Check the columns",
    "Step 3 of 3: Decide about the rows with problems",
    "Done",
)
_KEEP_LABEL = "Import it (a bad value kept in its notes)"  # for a row with a bad value
# The default for a likely duplicate: keep the contact by merging it into the client.
ON_DUPLICATE = Choice.MERGE
# What the rows not listed do with a value that cannot be read (the first page's choice).
_INVALID_WORDS = {
    Choice.IMPORT: "imported, a value that cannot be read kept in the notes",
    Choice.SKIP: "skipped when a value cannot be read",
    Choice.MERGE: "imported, a value that cannot be read kept in the notes",
}


def _count(n: int, noun: str) -> str:
    """ "1 row", "2 rows" """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _label(choice: Choice, duplicate: bool) -> str:
    if choice is Choice.IMPORT and not duplicate:
        return _KEEP_LABEL
    return _CHOICE_LABELS[choice]


def field_words(meaning: str) -> str:
    """A field as the mapping shows it: its meaning, as a person says it."""
    return meaning[:1].upper() + meaning[1:]


def _item(text: object) -> QTableWidgetItem:
    return QTableWidgetItem("" if text is None else str(text))


def _table(columns: list[str]) -> QTableWidget:
    """A table whose rows are numbered by its own "Row" column (the file's numbering),
    not by a second numbering of Qt's at the side."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    return table


def _wrapping(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class ImportWizard(AppDialog):
    """Import clients from a .csv or .vcf file, through :class:`ImportService`."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(860, 560)  # within a 1366 x 768 laptop's screen
        self.service = ImportService(session)
        self.vault_region = region_in_use(session)
        self.plan: ImportPlan | None = None
        self.result: ImportResult | None = None
        self.op: Operation | None = None
        self.decision_boxes: dict[int, QComboBox] = {}
        self.mapping_boxes: dict[str, QComboBox] = {}
        self._by_kind: dict[str, list[int]] = {}  # problem -> the rows that have it

        self.setStyleSheet(STYLE)
        layout = QVBoxLayout(self)
        self.step_label = title_label(STEP_TITLES[PAGE_FILE])
        layout.addWidget(self.step_label)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._problems_page())
        self.pages.addWidget(self._done_page())

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.back_button = QPushButton("< &Back")
        self.next_button = QPushButton("&Next >")
        self.import_button = QPushButton("&Import")
        self.close_button = QPushButton("Cancel")
        for button in (self.back_button, self.next_button, self.import_button):
            buttons.addWidget(button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.import_button.clicked.connect(self.commit)
        self.close_button.clicked.connect(self.reject)
        self._update_buttons()

    # -- pages ------------------------------------------------------------------------

    def _file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _wrapping(
                "Choose a CSV file (from Excel, Outlook, Google Contacts, Thunderbird, "
                "LinkedIn…), a vCard file (.vcf, from a phone, Apple Contacts or Gmail) or "
                "a crmdesk JSON Lines export. crmdesk reads it first and shows what it "
                "would import; nothing is written until you press Import."
            )
        )
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("The file to import")
        self.path_edit.textChanged.connect(lambda _text: self._update_buttons())
        browse = QPushButton("&Choose…")
        browse.clicked.connect(self.browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        form = QFormLayout()
        self.region_box = QComboBox()
        for code, shown in phone_regions():
            self.region_box.addItem(shown, code)
        self.region_box.setCurrentIndex(max(self.region_box.findData(self.vault_region), 0))
        form.addRow("Phone numbers without + are from:", self.region_box)
        self.encoding_box = QComboBox()
        self.encoding_box.addItem("Found from the file", None)
        for name in COMMON_ENCODINGS:
            self.encoding_box.addItem(name, name)
        form.addRow("Text encoding:", self.encoding_box)
        self.invalid_box = QComboBox()
        self.invalid_box.addItem("Import the row, the value kept in its notes", Choice.IMPORT)
        self.invalid_box.addItem("Skip the row", Choice.SKIP)
        form.addRow("A value that cannot be read:", self.invalid_box)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.found_label = _wrapping()
        layout.addWidget(self.found_label)
        layout.addWidget(QLabel("Columns (what each column of the file becomes):"))
        self.mapping_table = _table(["Column in the file", "Imported as"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        layout.addWidget(self.mapping_table, 1)
        replan_row = QHBoxLayout()
        self.replan_button = QPushButton("&Read again with this mapping")
        self.replan_button.clicked.connect(self.replan)
        replan_row.addStretch(1)
        replan_row.addWidget(self.replan_button)
        layout.addLayout(replan_row)
        layout.addWidget(QLabel("Preview of the first rows:"))
        self.preview_table = _table(["Row", "What happens", "Name", "Problems"])
        self.preview_table.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        layout.addWidget(self.preview_table, 1)
        return page

    def _problems_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.counts_label = _wrapping()
        layout.addWidget(self.counts_label)
        self.problems_table = _table(["Row", "Problem", "Details", "Existing client", "What to do"])
        self.problems_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        # One choice for every row with the same problem.
        apply_row = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.all_choice_combo = QComboBox()
        self.apply_all_button = QPushButton("Apply to all rows with this problem")
        self.apply_all_button.clicked.connect(self.apply_to_all)
        self.kind_combo.currentIndexChanged.connect(self._fill_all_choices)
        apply_row.addWidget(QLabel("Every row with"))
        apply_row.addWidget(self.kind_combo)
        apply_row.addWidget(self.all_choice_combo)
        apply_row.addWidget(self.apply_all_button)
        apply_row.addStretch(1)
        layout.addLayout(apply_row)
        layout.addWidget(self.problems_table, 1)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.result_label = _wrapping()
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        return page

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        busy = self.op is not None and self.op.is_running()
        self.back_button.setVisible(page in (PAGE_MAPPING, PAGE_PROBLEMS))
        self.next_button.setVisible(page in (PAGE_FILE, PAGE_MAPPING))
        self.next_button.setEnabled(not busy and bool(self.path_edit.text().strip()))
        self.import_button.setVisible(page == PAGE_PROBLEMS)
        self.import_button.setEnabled(not busy)
        self.close_button.setText("Close" if page == PAGE_DONE else "Cancel")

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.step_label.setText(STEP_TITLES[page])
        self._update_buttons()

    # -- navigation -------------------------------------------------------------------

    def browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Choose the file to import",
            "",
            "Contacts (*.csv *.vcf *.jsonl *.json *.txt);;All files (*)",
        )
        if path:
            self.path_edit.setText(path)

    def go_back(self) -> None:
        self._show_page(max(self.pages.currentIndex() - 1, PAGE_FILE))

    def go_next(self) -> None:
        page = self.pages.currentIndex()
        if page == PAGE_FILE:
            self.plan_file()
        elif page == PAGE_MAPPING:
            self._show_page(PAGE_PROBLEMS)

    # -- planning ---------------------------------------------------------------------

    def plan_file(self, mapping: dict[str, str] | None = None) -> None:
        """Read the chosen file on a worker thread; on success, show page 2."""
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text).expanduser()
        try:
            size = max(path.stat().st_size, 1)
        except OSError:
            size = 1  # the service says what is wrong with the path
        service = self.service
        region = self.region_box.currentData()
        encoding = self.encoding_box.currentData()
        on_invalid = Choice(self.invalid_box.currentData())

        def work(job: Job) -> ImportPlan:
            return service.plan(
                path,
                mapping,
                region=region,
                encoding=encoding,
                on_invalid=on_invalid,
                on_duplicate=ON_DUPLICATE,
                progress=lambda done, _total: job.progress(done),
                cancelled=job.cancelled,
            )

        self.op = run_with_progress(
            self, "Reading the file", size, work, self._planned, self._plan_failed
        )
        self._update_buttons()

    def replan(self) -> None:
        self.plan_file(self.edited_mapping())

    def edited_mapping(self) -> dict[str, str]:
        return {column: box.currentData() for column, box in self.mapping_boxes.items()}

    def _plan_failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, ImportCancelled):
            return
        show_error(self, exc, TITLE)

    def _planned(self, plan: ImportPlan) -> None:
        self.plan = plan
        self._fill_found(plan)
        self._fill_mapping(plan)
        self._fill_preview(plan)
        self._fill_problems(plan)
        self._show_page(PAGE_MAPPING)

    def _fill_found(self, plan: ImportPlan) -> None:
        kind = {"vcf": "vCard", "json": "JSON Lines"}.get(plan.format, "CSV")
        parts = [f"<b>{plan.file_name}</b>: {kind}, {plan.encoding.label}"]
        if plan.delimiter_name:
            parts.append(f"columns separated by {plan.delimiter_name}")
        text = ", ".join(parts) + "."
        text += f" Phone numbers without + are read as numbers of {plan.phone_region}."
        if plan.mapping_guessed:
            text += " The columns were recognised by their names; check them below."
        for assumption in plan.assumptions:
            text += f"<br>{words(assumption)}"
        self.found_label.setText(text)

    def _fill_mapping(self, plan: ImportPlan) -> None:
        table = self.mapping_table
        self.mapping_boxes = {}
        table.setRowCount(len(plan.mapping))
        editable = plan.format == "csv"
        for i, (column, target) in enumerate(plan.mapping.items()):
            table.setItem(i, 0, _item(column))
            box = QComboBox()
            for name, meaning in target_fields():
                box.addItem(field_words(meaning), name)
            box.setCurrentIndex(max(box.findData(target), 0))
            box.setEnabled(editable)
            table.setCellWidget(i, 1, box)
            self.mapping_boxes[column] = box
        table.resizeColumnToContents(0)
        self.replan_button.setEnabled(editable)

    def _fill_preview(self, plan: ImportPlan) -> None:
        table = self.preview_table
        table.setRowCount(len(plan.preview))
        for i, row in enumerate(plan.preview):
            name = (row.client or {}).get("name", "")
            table.setItem(i, 0, _item(row.row))
            table.setItem(i, 1, _item(row.action))
            table.setItem(i, 2, _item(name))
            table.setItem(i, 3, _item("; ".join(row.problems)))
        table.resizeColumnsToContents()

    def _fill_problems(self, plan: ImportPlan) -> None:
        c = plan.counts
        joined = f", {c.to_join:,} to join their company" if c.to_join else ""
        text = (
            f"{_count(c.rows, 'row')}: {c.to_add:,} to add, {c.to_merge:,} to merge{joined}, "
            f"{c.to_skip:,} to skip ({c.invalid:,} with a value that cannot be read, "
            f"{_count(c.duplicates + c.in_file_duplicates, 'likely duplicate')}, "
            f"{_count(c.possible_duplicates, 'possible duplicate')})."
        )
        if plan.problems_total > len(plan.problems):
            text += (
                f" Only the first {len(plan.problems):,} of {plan.problems_total:,} problems "
                "are listed; the others follow the choices made before reading "
                f"({_INVALID_WORDS[plan.on_invalid]}; merged when a likely duplicate)."
            )
        if not plan.problems:
            text += " No problems found: press Import."
        else:
            text += " Choose what to do with each row below, then press Import."
        self.counts_label.setText(text)
        table = self.problems_table
        table.setRowCount(len(plan.problems))
        self.decision_boxes = {}
        by_row: dict[int, list[Problem]] = {}
        for problem in plan.problems:
            by_row.setdefault(problem.row, []).append(problem)
        for i, problem in enumerate(plan.problems):
            table.setItem(i, 0, _item(problem.row))
            table.setItem(i, 1, _item(problem.kind.value))
            table.setItem(i, 2, _item(problem.message))
            existing = problem.candidate_name or (
                f"row {problem.candidate_row}" if problem.candidate_row else ""
            )
            table.setItem(i, 3, _item(existing))
            if problem.row in self.decision_boxes:
                continue  # one choice per row, on its first problem
            box = self._choice_box(by_row[problem.row], problem.action)
            table.setCellWidget(i, 4, box)
            self.decision_boxes[problem.row] = box
        table.resizeColumnsToContents()
        self._by_kind: dict[str, list[int]] = {}
        for problem in plan.problems:
            rows = self._by_kind.setdefault(problem.kind.value, [])
            if problem.row not in rows:
                rows.append(problem.row)
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind, rows in self._by_kind.items():
            noun = "row" if len(rows) == 1 else "rows"
            self.kind_combo.addItem(f"{kind} ({len(rows):,} {noun})", kind)
        self.kind_combo.blockSignals(False)
        self._fill_all_choices()
        for widget in (self.kind_combo, self.all_choice_combo, self.apply_all_button):
            widget.setEnabled(bool(self._by_kind))

    def _fill_all_choices(self) -> None:
        kind = self.kind_combo.currentData()
        self.all_choice_combo.clear()
        choices = [Choice.IMPORT, Choice.SKIP]
        if kind in {k.value for k in DUPLICATE_KINDS}:
            choices.insert(0, Choice.MERGE)
        for choice in choices:
            self.all_choice_combo.addItem(_label(choice, len(choices) == 3), choice)

    def apply_to_all(self, kind: str | None = None, choice: Choice | None = None) -> int:
        """Give every row with a problem of ``kind`` the same choice (where it can take
        it); returns how many rows changed. Without arguments: what the bar shows."""
        kind = kind or self.kind_combo.currentData()
        choice = choice or self.all_choice_combo.currentData()
        changed = 0
        for row in self._by_kind.get(kind, []):
            box = self.decision_boxes.get(row)
            index = box.findData(choice) if box is not None else -1
            if box is not None and index >= 0 and box.currentIndex() != index:
                box.setCurrentIndex(index)
                changed += 1
        return changed

    @staticmethod
    def _choice_box(problems: list[Problem], action: str) -> QComboBox:
        box = QComboBox()
        choices = [Choice.SKIP, Choice.IMPORT]
        duplicate = any(p.kind in DUPLICATE_KINDS for p in problems)
        if duplicate:
            choices.insert(1, Choice.MERGE)
        for choice in choices:
            box.addItem(_label(choice, duplicate), choice)
        box.setCurrentIndex(max(box.findData(_FROM_ACTION.get(action, Choice.SKIP)), 0))
        box.setToolTip("; ".join(p.message for p in problems))
        return box

    def set_decision(self, row: int, choice: Choice) -> None:
        """Choose for one problem row (what the combo box does; for tests too)."""
        box = self.decision_boxes[row]
        index = box.findData(choice)
        if index < 0:
            raise ValueError(f"row {row} cannot be {choice.value}")
        box.setCurrentIndex(index)

    def decisions(self) -> dict[int, Choice]:
        return {row: Choice(box.currentData()) for row, box in self.decision_boxes.items()}

    # -- committing -------------------------------------------------------------------

    def commit(self) -> None:
        plan = self.plan
        if plan is None or (self.op is not None and self.op.is_running()):
            return
        decisions = self.decisions()
        service = self.service
        total = max(plan.counts.rows, 1)

        def work(job: Job) -> ImportResult:
            return service.commit(
                plan,
                decisions,
                progress=lambda done, _total: job.progress(done),
                cancelled=job.cancelled,
            )

        self.op = run_with_progress(
            self, "Importing clients", total, work, self._committed, self._commit_failed
        )
        self._update_buttons()

    def _committed(self, result: ImportResult) -> None:
        self.result = result
        self.result_label.setText(
            f"<b>Imported from {result.file_name}.</b><br>"
            f"{result.added:,} clients added, {result.merged:,} rows merged into existing "
            f"clients, {result.joined:,} rows joined to their company, {result.skipped:,} "
            "rows skipped."
        )
        self._show_page(PAGE_DONE)

    def _commit_failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, ImportCancelled):
            self.counts_label.setText(
                "Import cancelled: nothing was imported. Press Import to try again."
            )
            return
        show_error(self, exc, TITLE)

    def reject(self) -> None:
        """Closing while importing cancels the import (nothing is imported)."""
        op = self.op
        if op is not None and op.is_running():
            op.job.cancel()
            op.wait()
        super().reject()
