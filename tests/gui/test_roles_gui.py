"""The window as each role sees it: withheld tabs, hidden actions, and the gate every
copy and print passes (role, the owner's threshold with approval, the audit)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.people.approval_dialog import OwnerApprovalDialog
from crmdesk.services.clients import ClientService
from crmdesk.services.egress import OwnerApproval
from crmdesk.services.settings import change_settings, settings
from tests.gui.conftest import GUI_TODAY
from tests.gui.people_support import (
    OWNER_PASSWORD,
    Answers,
    audit_actions,
    close_box,
    make_office,
)


@pytest.fixture(autouse=True)
def no_dialog_left_hanging():
    """A modal dialog nobody answers fails the test instead of hanging it."""
    guard = Answers(timeout=60)
    yield
    guard.check()


@pytest.fixture
def office(gui_session, vault_dir, keystore):
    made = make_office(gui_session, vault_dir, keystore)
    yield made
    made.close_all()


@pytest.fixture
def window_for(qtbot, office):
    windows: list[MainWindow] = []

    def make(login: str) -> MainWindow:
        session = office.ready(login)
        window = MainWindow(
            session, office.folder, keystore=office.keystore, today=lambda: GUI_TODAY
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def select_rows(window: MainWindow, rows: list[int]) -> None:
    table = window.list_panel.table
    model = window.list_panel.model
    selection = table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def press_copy(qtbot, window: MainWindow) -> None:
    table = window.list_panel.table
    table.setFocus()
    sequence = QKeySequence(QKeySequence.StandardKey.Copy)[0]
    qtbot.keyClick(table, sequence.key(), sequence.keyboardModifiers())


# -- a salesperson ----------------------------------------------------------------------------


def test_salesperson_sees_their_own_client_in_full_and_others_withheld(qtbot, window_for, office):
    window = window_for("bob")
    editor = window.editor
    assert "signed in as Bob Stone (Salesperson)" in window.security_label.text()

    window.show_client(office.others_client)
    assert editor.is_withheld()
    for tab in (editor.purchases, editor.pricing, editor.preferences, editor.specifications):
        assert tab.withheld_banner.isVisibleTo(tab)
        assert "Withheld: only the assigned salesperson, a manager or the owner sees this" in (
            tab.withheld_banner.text()
        )
        assert not tab.confidential_banner.isVisibleTo(tab)
    assert editor.pricing.table.is_read_only()
    assert not editor.pricing.table.add_button.isVisibleTo(editor.pricing)
    assert editor.pricing.table.row_count() == 0
    assert editor.contacts.withheld_banner.isVisibleTo(editor.contacts)
    assert editor.contacts.edits["hobbies"].isReadOnly()
    assert not editor.contacts.edits["name"].isReadOnly()  # basic: still editable
    assert not editor.contacts.remove_button.isEnabled()
    assert editor.overview.notes.isReadOnly()
    assert editor.timeline.table.is_locked(0, "summary")
    assert editor.timeline.table.table.item(0, 3).text() == "withheld"
    assert editor.overview.lines["salesperson"].isReadOnly()  # only managers reassign
    assert "value-added information withheld" in editor.info_label.text()
    assert not editor.delete_button.isVisibleTo(editor)
    row = window.list_panel.model.row_of(office.others_client)
    model = window.list_panel.model
    assert model.index(row, 4).data() == "—" and model.index(row, 5).data() == "—"

    window.show_client(office.bobs_client)
    assert not editor.is_withheld()
    assert editor.pricing.confidential_banner.isVisibleTo(editor.pricing)
    assert not editor.pricing.withheld_banner.isVisibleTo(editor.pricing)
    assert not editor.pricing.table.is_read_only()
    assert editor.pricing.table.row_count() == 1
    assert editor.overview.notes.toPlainText() == "Decides in January."


def test_salesperson_saves_basic_edits_of_someone_elses_client_keeping_its_secrets(
    qtbot, window_for, office
):
    window = window_for("bob")
    window.show_client(office.others_client)
    editor = window.editor
    editor.overview.lines["industry"].setText("Fish & seafood")
    editor.contacts.edits["title"].setText("Head buyer")
    assert editor.is_dirty()
    assert editor.save()
    assert not editor.is_dirty()

    owner = ClientService(office.owner())
    saved = owner.get_json(office.others_client, record_view=False)
    assert saved["industry"] == "Fish & seafood"
    assert saved["contacts"][0]["title"] == "Head buyer"
    assert saved["contacts"][0]["personal"]["hobbies"] == "sailing"
    assert saved["contacts"][0]["birthday"] == "1980-03-04"
    assert saved["notes"] == "Owner's nephew takes over in spring."
    assert saved["pricing"][0]["price"] == "4.10"
    assert saved["specifications"] == [{"item": "Ice", "detail": "Flake, not cubes"}]
    assert saved["interactions"][0]["summary"] == "Wants a winter discount"
    assert len(saved["purchases"]) == 1


def test_salesperson_logs_a_call_on_someone_elses_client(qtbot, window_for, office, monkeypatch):
    """The call's notes would go into another salesperson's book, which Bob's key does not
    open: he logs the call with its date and contact, the dialog says why there is no
    summary, and what was there before stays."""
    from crmdesk.gui.clients.detail import timeline

    window = window_for("bob")
    window.show_client(office.others_client)
    seen = {}

    def ask(parent, contacts, today, notes_allowed=True):
        dialog = timeline.LogCallDialog(parent, contacts, today, notes_allowed)
        qtbot.addWidget(dialog)
        dialog.show()
        seen["summary"] = dialog.summary.isVisible()
        seen["said"] = dialog.notes_closed.text() if not notes_allowed else ""
        dialog.contact.setCurrentText("Mara Quinn")
        return dialog.interaction()

    monkeypatch.setattr(timeline, "ask_call_details", ask)
    window.editor.timeline.log_call()  # saves
    assert seen == {"summary": False, "said": timeline.NOTES_CLOSED}
    assert "which your key does not open" in seen["said"]
    saved = ClientService(office.owner()).get_json(office.others_client, record_view=False)
    calls = sorted((i["contact"], i["summary"]) for i in saved["interactions"])
    assert ("Mara Quinn", "") in calls
    assert [s for _, s in calls if s] == ["Wants a winter discount"]


def test_a_manager_logs_a_call_with_what_was_said_on_any_client(
    qtbot, window_for, office, monkeypatch
):
    from crmdesk.gui.clients.detail import timeline

    window = window_for("carol")  # a manager: every book's key
    window.show_client(office.others_client)
    seen = {}

    def ask(parent, contacts, today, notes_allowed=True):
        dialog = timeline.LogCallDialog(parent, contacts, today, notes_allowed)
        qtbot.addWidget(dialog)
        dialog.show()
        seen["summary"] = dialog.summary.isVisible()
        dialog.contact.setCurrentText("Mara Quinn")
        dialog.summary.setPlainText("Asked about ice prices")
        return dialog.interaction()

    monkeypatch.setattr(timeline, "ask_call_details", ask)
    window.editor.timeline.log_call()
    assert seen == {"summary": True}
    saved = ClientService(office.owner()).get_json(office.others_client, record_view=False)
    summaries = sorted(i["summary"] for i in saved["interactions"])
    assert summaries == ["Asked about ice prices", "Wants a winter discount"]


def test_salesperson_has_no_office_menu_and_no_copy(qtbot, window_for):
    window = window_for("bob")
    assert not window.office_menu.menuAction().isVisible()
    assert not window.act_copy.isVisible()
    assert not window.act_print_list.isVisible()
    assert window.act_print.isVisible() and window.act_print_calls.isVisible()
    assert not window.act_demo.isVisible() and not window.act_trace.isVisible()
    assert not window.nav.item(2).isHidden()  # seasonal outlook: their own clients


# -- an assistant ----------------------------------------------------------------------------


def test_assistant_has_no_birthdays_seasonal_or_copy(qtbot, window_for, office):
    window = window_for("dave")
    labels = {window.nav.item(i).text(): window.nav.item(i).isHidden() for i in range(4)}
    assert labels == {
        "Clients": False,
        "Follow-ups": False,
        "Seasonal outlook": True,
        "Birthdays": True,
    }
    assert not window.act_copy.isVisible()
    assert not window.act_print.isVisible() and window.act_print_calls.isVisible()
    assert not window.list_panel.month_combo.isVisible()
    assert not window.list_panel.birthday_spin.isVisible()

    QApplication.clipboard().setText("untouched")
    window.list_panel.select_client(office.bobs_client)
    press_copy(qtbot, window)  # the table's own copy does not run either
    assert QApplication.clipboard().text() == "untouched"
    assert "may not export or copy" in window.statusBar().currentMessage()
    assert "clients.copied" not in audit_actions(window.session)

    window.show_client(office.bobs_client)  # even "their" clients: basics only
    assert window.editor.is_withheld()


def test_assistant_creates_a_client_with_basic_information(qtbot, window_for):
    window = window_for("dave")
    window.new_client()
    editor = window.editor
    assert editor.is_withheld()
    assert editor.overview.lines["salesperson"].text() == ""
    assert editor.overview.lines["salesperson"].isReadOnly()
    editor.overview.name_edit().setText("Corner Café")
    assert editor.save()
    assert window.service.get_json(editor.client_id())["name"] == "Corner Café"


# -- a manager: copy ---------------------------------------------------------------------------


def test_manager_copies_the_selection_through_the_service(qtbot, window_for, office):
    window = window_for("carol")
    assert window.act_copy.isVisible()
    QApplication.clipboard().setText("")
    select_rows(window, [0, 1])
    assert window.act_copy.isEnabled()
    press_copy(qtbot, window)
    text = QApplication.clipboard().text()
    lines = text.splitlines()
    assert lines[0].split("\t")[:3] == ["Name", "Status", "Salesperson"]
    assert {line.split("\t")[0] for line in lines[1:]} == {
        "Bob's Bakery Supplies",
        "Harbour Fish Market",
    }
    actions = audit_actions(window.session, "carol")
    assert actions[-1] == "clients.copied"
    assert actions.count("clients.copied") == 1  # one key press, one copy


def test_a_copy_above_the_threshold_needs_the_owners_approval(qtbot, window_for, office):
    owner = office.owner()
    change_settings(owner, thresholds=replace(settings(owner).thresholds, egress_clients=1))
    window = window_for("carol")
    QApplication.clipboard().setText("untouched")
    select_rows(window, [0, 1])
    errors: list[str] = []
    shown: list[str] = []

    def wrong(dialog: OwnerApprovalDialog) -> None:
        shown.extend(label.text() for label in dialog.findChildren(QLabel))
        dialog.login_edit.setText("zoe")
        dialog.password_edit.setText("not the owner's password")
        dialog.submit()

    answers = Answers().on(OwnerApprovalDialog, wrong).on(QMessageBox, close_box(errors))
    window.act_copy.trigger()
    answers.check()
    assert any("holds 2 clients: more than the 1 the owner allows" in t for t in shown)
    assert "The approval was not given" in errors[0]
    assert QApplication.clipboard().text() == "untouched"
    assert "clients.copied" not in audit_actions(window.session)

    def right(dialog: OwnerApprovalDialog) -> None:
        dialog.login_edit.setText("zoe")
        dialog.password_edit.setText(OWNER_PASSWORD)
        dialog.submit()

    answers = Answers().on(OwnerApprovalDialog, right)
    window.act_copy.trigger()
    answers.check()
    assert QApplication.clipboard().text().count("\n") >= 2
    actions = audit_actions(window.session)
    assert actions[-2:] == ["egress.approved", "clients.copied"]


def test_cancelling_the_approval_copies_nothing(qtbot, window_for, office):
    owner = office.owner()
    change_settings(owner, thresholds=replace(settings(owner).thresholds, egress_clients=1))
    window = window_for("carol")
    QApplication.clipboard().setText("untouched")
    select_rows(window, [0, 1])
    answers = Answers().on(OwnerApprovalDialog, lambda d: d.cancel_button.click())
    window.copy_selection()
    answers.check()
    assert QApplication.clipboard().text() == "untouched"


def test_printing_a_long_client_list_asks_the_owner(qtbot, window_for, office, monkeypatch):
    from crmdesk.gui import egress

    owner = office.owner()
    change_settings(owner, thresholds=replace(settings(owner).thresholds, egress_clients=1))
    window = window_for("carol")
    asked: list[tuple[int, int]] = []

    def approve(parent, refusal, what):
        asked.append((refusal.count, refusal.limit))
        return OwnerApproval("zoe", OWNER_PASSWORD)

    monkeypatch.setattr(egress, "ask_owner_approval", approve)
    window.act_print_list.trigger()
    first = window._report_op
    qtbot.waitUntil(lambda: window._report_op is not first, timeout=30_000)
    with qtbot.waitSignal(window._report_op.finished, timeout=30_000):
        pass
    assert asked == [(2, 1)]
    preview = window._last_preview
    qtbot.addWidget(preview)
    assert sorted(preview.report.record.client_ids) == sorted(
        [office.bobs_client, office.others_client]
    )
    assert audit_actions(window.session)[-2:] == ["egress.approved", "report.printed"]
