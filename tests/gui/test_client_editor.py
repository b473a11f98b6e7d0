"""The client editor over a real vault: load, edit, save, errors, conflicts, delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from crmdesk.gui.clients.detail import editor as editor_mod
from crmdesk.gui.clients.detail import timeline as timeline_mod
from crmdesk.gui.clients.detail.banners import BANNER_TEXT, ConfidentialBanner
from crmdesk.gui.clients.detail.editor import ClientEditor
from crmdesk.gui.widgets.formats import format_date, format_money
from crmdesk.services.settings import change_phone_region
from tests.gui.conftest import GUI_TODAY
from tests.services.conftest import full_client


@pytest.fixture
def editor(qtbot, gui_clients):
    w = ClientEditor(gui_clients, today=lambda: GUI_TODAY)
    qtbot.addWidget(w)
    w.resize(1000, 720)
    w.show()
    return w


@pytest.fixture
def full_id(gui_clients):
    return gui_clients.add(full_client())


@pytest.fixture(autouse=True)
def no_real_dialogs(monkeypatch):
    """A dialog nobody answers would hang a test: fail loudly instead."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"unexpected dialog: {args[1:] if len(args) > 1 else kwargs}")

    monkeypatch.setattr(editor_mod, "show_error", refuse)


def type_into(qtbot, line_edit, text):
    """Replace a line edit's text the way a user does: select all, type, leave the field."""
    line_edit.setFocus()
    line_edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(line_edit, text)
    else:  # QTest can only type ASCII
        line_edit.insert(text)
    line_edit.editingFinished.emit()


def test_load_shows_every_part_of_the_client(editor, full_id, gui_session):
    change_phone_region(gui_session, "GB")  # a US number is then shown international
    editor.load(full_id).wait()
    ov = editor.overview
    assert ov.lines["name"].text() == "Zoë's Bakery"
    assert ov.status.currentText() == "Active"  # a word, as in the list
    assert ov.status.currentData() == "active"
    assert ov.lines["phones"].line_edits()[0].text() == "+1 202-555-0173"  # grouped
    assert ov.lines["emails"].text() == "orders@zoes-bakery.example, zoe@zoes-bakery.example"
    assert ov.lines["tags"].text() == "VIP, wholesale"
    assert ov.notes.toPlainText().startswith("Family business")
    assert ov.addresses.rows()[0]["city"] == "Portland"

    c = editor.contacts
    assert c.list.count() == 1
    assert c.edits["name"].text() == "Zoë Łukasiewicz"
    assert c.edits["hobbies"].text() == "sailing, sourdough"
    assert c.edits["birthday"].text() == "1975-12-02"

    orders = editor.purchases.orders
    assert orders.row_count() == 2
    assert orders.table.item(0, 0).text() == format_date(dt.date(2026, 6, 15))  # newest first
    assert orders.table.item(0, 1).text() == format_money(Decimal("123.00"))
    assert editor.purchases.figures["order_count"].text() == "2"
    assert editor.pricing.table.rows()[0]["price"] == "18.75"
    assert editor.preferences.seasonal_needs.table.item(0, 0).text() == "Nov, Dec"
    assert editor.specifications.table.rows()[0]["item"] == "Flour"
    assert editor.timeline.table.rows()[0]["summary"] == "Asked about organic rye"
    assert editor.tasks.is_overdue(editor.tasks.table.rows()[0])

    assert "Version 1" in editor.info_label.text()
    assert not editor.is_dirty()
    assert not editor.save_button.isEnabled()


def test_value_added_tabs_are_marked_and_show_the_banner(editor, full_id):
    editor.load(full_id).wait()
    marked = {
        editor.tabs.tabText(i)
        for i in range(editor.tabs.count())
        if not editor.tabs.tabIcon(i).isNull()
    }
    # Five tabs fit a laptop: parts read together share one.
    assert [editor.tabs.tabText(i) for i in range(editor.tabs.count())] == [
        "Overview",
        "Contacts",
        "Purchases",
        "Pricing && needs",  # shown as "Pricing & needs"
        "Timeline",  # with the tasks below
    ]
    assert marked == {"Contacts", "Purchases", "Pricing && needs", "Timeline"}
    for tab in editor.tab_list:
        page = editor.page_of(tab)
        banners = [b for b in page.findChildren(ConfidentialBanner) if b.isVisibleTo(page)]
        # One banner per tab, at its top, for every tab holding value-added parts.
        assert len(banners) == (editor.tabs.tabText(editor.tabs.indexOf(page)) in marked)
        assert all(b.text() == BANNER_TEXT for b in banners)
    assert "Confidential" in editor.overview.notes_label.text()
    assert "Confidential" in editor.contacts.personal_group.title()


def test_edit_name_and_hobby_then_save(qtbot, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    with qtbot.waitSignal(editor.dirty_changed) as dirty:
        type_into(qtbot, editor.overview.lines["name"], "Zoe's Bakery & Cafe")
    assert dirty.args == [True]
    assert editor.save_button.isEnabled()

    editor.tabs.setCurrentWidget(editor.contacts)
    type_into(qtbot, editor.contacts.edits["hobbies"], "sailing, chess")

    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [full_id]

    stored = gui_clients.get_json(full_id)
    assert stored["name"] == "Zoe's Bakery & Cafe"
    assert stored["contacts"][0]["personal"]["hobbies"] == "sailing, chess"
    assert stored["version"] == 2
    # Nothing else was lost on the round trip.
    assert stored["purchases"] == gui_clients.get_json(full_id)["purchases"]
    assert len(stored["purchases"]) == 2
    assert stored["contacts"][0]["birthday"] == "1975-12-02"
    assert not editor.is_dirty()
    assert "Version 2" in editor.info_label.text()


def test_save_disabled_until_an_edit_and_revert_restores(qtbot, editor, full_id):
    editor.load(full_id).wait()
    assert not editor.save_button.isEnabled()
    type_into(qtbot, editor.overview.lines["industry"], "Patisserie")
    assert editor.is_dirty() and editor.save_button.isEnabled()

    # Typing the old value back is not a change.
    type_into(qtbot, editor.overview.lines["industry"], "Bakery")
    assert not editor.is_dirty()

    type_into(qtbot, editor.overview.lines["industry"], "Patisserie")
    editor.purchases.orders.set_cell_text(0, "notes", "rush order")
    assert editor.is_dirty()
    with qtbot.waitSignal(editor.dirty_changed) as dirty:
        qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert dirty.args == [False]
    assert editor.overview.lines["industry"].text() == "Bakery"
    assert editor.purchases.orders.rows()[0]["notes"] == "Christmas rush"
    assert not editor.save_button.isEnabled()


def test_new_client_with_contact_and_purchase(qtbot, editor, gui_clients):
    editor.new_client()
    assert editor.client_id() is None
    assert not editor.is_dirty()
    type_into(qtbot, editor.overview.lines["name"], "Harbour Deli")

    editor.tabs.setCurrentWidget(editor.contacts)
    qtbot.mouseClick(editor.contacts.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, editor.contacts.edits["name"], "Ana Silva")
    type_into(qtbot, editor.contacts.edits["emails"].line_edits()[0], "ana@harbour-deli.example")

    editor.tabs.setCurrentWidget(editor.purchases)
    qtbot.mouseClick(editor.purchases.orders.add_button, Qt.MouseButton.LeftButton)
    editor.purchases.orders.set_cell_text(0, "date", "2026-11-02")
    items = editor.purchases.items
    qtbot.mouseClick(items.add_button, Qt.MouseButton.LeftButton)
    items.set_cell_text(0, "product", "Olive oil 5 L")
    items.set_cell_text(0, "quantity", "3")
    items.set_cell_text(0, "unit_price", "24.60")
    assert editor.purchases.orders.table.item(0, 1).text() == format_money(Decimal("73.80"))
    assert editor.purchases.orders.table.item(0, 0).text() == format_date(dt.date(2026, 11, 2))

    with qtbot.waitSignal(editor.saved) as saved:
        assert editor.save()
    new_id = saved.args[0]
    assert editor.client_id() == new_id

    stored = gui_clients.get_json(new_id)
    assert stored["name"] == "Harbour Deli"
    assert stored["contacts"][0]["emails"] == ["ana@harbour-deli.example"]
    assert stored["purchases"][0]["items"][0]["unit_price"] == "24.60"
    assert stored["patterns"]["lifetime_spend"] == "73.80"
    assert stored["patterns"]["order_count"] == 1
    assert editor.purchases.figures["lifetime_spend"].text() == format_money(Decimal("73.80"))
    assert editor.purchases.chart.bar_set.at(10) == pytest.approx(73.80)


def test_invalid_email_is_shown_inline_and_nothing_is_saved(qtbot, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    editor.tabs.setCurrentWidget(editor.overview)
    type_into(qtbot, editor.contacts.edits["emails"].line_edits()[0], "zoe-at-bakery")

    assert not editor.save()

    assert editor.error_area.isVisible()
    text = editor.error_label.text()
    assert "Contacts › row 1 › Email 1: not a valid email address" in text
    field = editor.contacts.edits["emails"]
    assert field.property("invalid") is True
    assert "not a valid email address" in field.toolTip()
    assert editor.tabs.currentWidget() is editor.contacts
    assert gui_clients.get_json(full_id)["version"] == 1
    assert editor.is_dirty()

    # Fixing it and saving clears the marks.
    type_into(qtbot, field.line_edits()[0], "zoe@zoes-bakery.example")
    assert editor.save()
    assert not editor.error_area.isVisible()
    assert field.property("invalid") is not True


def test_invalid_line_item_marks_its_cell(editor, full_id):
    editor.load(full_id).wait()
    orders = editor.purchases.orders
    orders.select(0)  # data index 0: the order of 2025-12-01
    editor.purchases.items.set_cell_text(1, "unit_price", "cheap")
    assert not editor.save()
    assert "Purchases › row 1 › Line items › row 2 › Unit price" in editor.error_label.text()
    assert editor.tabs.currentWidget() is editor.purchases
    table = editor.purchases.items.table
    assert table.property("invalid") is True
    cell = table.item(editor.purchases.items.display_row(1), 2)
    assert "not a valid amount of money" in cell.toolTip()


def test_conflict_dialog_offers_reload(qtbot, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    gui_clients.update(full_id, {"industry": "Bread"}, expected_version=1)  # someone else
    type_into(qtbot, editor.overview.lines["source"], "referral")

    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):  # the save's answer is not in yet
            QTimer.singleShot(10, answer)
            return
        seen.append(box.text())
        reload = next(b for b in box.findChildren(QPushButton) if b.text().startswith("Reload"))
        reload.click()

    QTimer.singleShot(0, answer)
    assert not editor.save()

    assert seen and "Someone else saved Zoë's Bakery" in seen[0]
    assert editor.overview.lines["industry"].text() == "Bread"  # their version
    assert editor.overview.lines["source"].text() == "trade show"  # mine discarded
    assert not editor.is_dirty()
    assert gui_clients.get_json(full_id)["version"] == 2


def test_conflict_keep_editing_keeps_my_changes(qtbot, monkeypatch, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    gui_clients.update(full_id, {"industry": "Bread"}, expected_version=1)
    type_into(qtbot, editor.overview.lines["source"], "referral")
    monkeypatch.setattr(editor_mod, "ask_conflict", lambda parent, name: editor_mod.KEEP)
    assert not editor.save()
    assert editor.overview.lines["source"].text() == "referral"
    assert editor.is_dirty()
    assert gui_clients.get_json(full_id)["source"] == "trade show"


def test_maybe_save_cancel_keeps_the_editor(qtbot, monkeypatch, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    assert editor.maybe_save(editor)  # nothing to ask
    type_into(qtbot, editor.overview.lines["industry"], "Patisserie")
    asked: list[str] = []

    def ask(parent, name):
        asked.append(name)
        return editor_mod.CANCEL

    monkeypatch.setattr(editor_mod, "ask_save_discard_cancel", ask)
    assert editor.maybe_save(editor) is False
    assert asked == ["Zoë's Bakery"]
    assert editor.is_dirty()

    monkeypatch.setattr(editor_mod, "ask_save_discard_cancel", lambda p, n: editor_mod.SAVE)
    assert editor.maybe_save(editor) is True
    assert gui_clients.get_json(full_id)["industry"] == "Patisserie"


def test_maybe_save_discard_reverts(qtbot, monkeypatch, editor, full_id):
    editor.load(full_id).wait()
    type_into(qtbot, editor.overview.lines["industry"], "Patisserie")
    monkeypatch.setattr(editor_mod, "ask_save_discard_cancel", lambda p, n: editor_mod.DISCARD)
    assert editor.maybe_save(editor) is True
    assert editor.overview.lines["industry"].text() == "Bakery"


def test_delete_asks_first(qtbot, monkeypatch, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    asked: list[str] = []
    monkeypatch.setattr(
        editor_mod, "confirm_delete", lambda parent, name: asked.append(name) or False
    )
    assert not editor.delete_client()
    assert asked == ["Zoë's Bakery"]
    assert gui_clients.get_json(full_id)["name"] == "Zoë's Bakery"

    monkeypatch.setattr(editor_mod, "confirm_delete", lambda parent, name: True)
    with qtbot.waitSignal(editor.deleted) as deleted:
        qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
    assert deleted.args == [full_id]
    assert editor.client_id() is None
    assert gui_clients.count() == 0


def test_chart_shows_spend_by_month(editor, full_id, gui_clients):
    editor.load(full_id).wait()
    chart = editor.purchases.chart
    assert chart.month_axis.count() == 12
    assert chart.month_axis.categories()[0] == "Jan"
    assert chart.month_axis.categories()[11] == "Dec"
    by_month = gui_clients.get_json(full_id)["patterns"]["spend_by_month"]
    values = [chart.bar_set.at(i) for i in range(chart.bar_set.count())]
    assert values == pytest.approx([float(Decimal(by_month[str(m)])) for m in range(1, 13)])
    assert values[11] > 0 and values[5] > 0


def test_log_a_call_adds_an_interaction_and_saves(qtbot, monkeypatch, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    offered: list[list[str]] = []

    def ask(parent, contacts, today, notes_allowed=True):
        assert notes_allowed  # the owner holds every book
        offered.append(contacts)
        return {
            "date": today.isoformat(),
            "kind": "call",
            "contact": contacts[0],
            "summary": "Wants a quote for rye",
            "outcome": "Quote by Friday",
        }

    monkeypatch.setattr(timeline_mod, "ask_call_details", ask)
    editor.show_tab(editor.timeline)
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(editor.timeline.log_call_button, Qt.MouseButton.LeftButton)

    assert offered == [["Zoë Łukasiewicz"]]
    stored = gui_clients.get_json(full_id)
    assert stored["version"] == 2
    assert stored["interactions"][-1] == {
        "date": GUI_TODAY.isoformat(),
        "kind": "call",
        "contact": "Zoë Łukasiewicz",
        "summary": "Wants a quote for rye",
        "outcome": "Quote by Friday",
    }
    assert editor.timeline.table.table.item(0, 3).text() == "Wants a quote for rye"  # newest first


def test_seasonal_months_accept_names_and_numbers(editor, full_id, gui_clients):
    editor.load(full_id).wait()
    editor.preferences.seasonal_needs.set_cell_text(0, "months", "oct, 11, December")
    assert editor.save()
    assert gui_clients.get_json(full_id)["seasonal_needs"][0]["months"] == [10, 11, 12]
    assert editor.preferences.seasonal_needs.table.item(0, 0).text() == "Oct, Nov, Dec"


def test_unexpected_error_becomes_a_dialog(monkeypatch, editor, full_id, gui_clients):
    editor.load(full_id).wait()
    editor.overview.lines["industry"].setText("Patisserie")
    shown: list[BaseException] = []
    monkeypatch.setattr(editor_mod, "show_error", lambda parent, exc, title="": shown.append(exc))

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gui_clients, "update", boom)
    assert not editor.save()
    assert isinstance(shown[0], RuntimeError)
    assert editor.is_dirty()


def test_ticking_an_overdue_task_done_clears_its_highlight(editor, full_id, gui_clients):
    editor.load(full_id).wait()
    table = editor.tasks.table
    done_cell = table.table.item(0, 3)
    assert table.table.item(0, 1).background().style() != Qt.BrushStyle.NoBrush  # overdue
    done_cell.setCheckState(Qt.CheckState.Checked)
    assert editor.is_dirty()
    assert table.table.item(0, 1).background().style() == Qt.BrushStyle.NoBrush
    assert editor.save()
    assert gui_clients.get_json(full_id)["tasks"][0]["done"] is True


def test_the_editor_fits_beside_the_list_on_a_laptop(qtbot, editor, full_id):
    """At the width a 1366-pixel screen leaves it: every tab readable, no scroll arrows,
    and no order total or price cut off (the patterns go below the orders)."""
    editor.resize(540, 520)
    editor.load(full_id).wait()
    editor.show_tab(editor.purchases)
    qtbot.waitUntil(lambda: editor.purchases.splitter.orientation() == Qt.Orientation.Vertical)
    bar = editor.tabs.tabBar()
    assert all(bar.tabRect(i).right() <= bar.width() for i in range(bar.count()))
    for table, column in ((editor.purchases.orders, 1), (editor.purchases.items, 4)):
        view = table.table
        rect = view.visualRect(view.model().index(0, column))
        assert rect.isValid() and rect.right() <= view.viewport().width(), table
    # Month names whole, upright when twelve side by side would not fit (not "J…").
    chart = editor.purchases.chart
    assert not chart.month_axis.truncateLabels()
    qtbot.waitUntil(chart.months_upright)
    editor.resize(1100, 700)
    qtbot.waitUntil(lambda: editor.purchases.splitter.orientation() == Qt.Orientation.Horizontal)


def test_one_save_is_one_change_and_no_view(qtbot, editor, full_id, gui_session):
    """The editor shows what the save returned: nothing is read again, so no
    "client.viewed" entry follows the "client.updated" one."""
    from crmdesk.services.activity import ActivityFilter, ActivityService

    editor.load(full_id).wait()
    trail = ActivityService(gui_session)
    before = trail.count(ActivityFilter())
    type_into(qtbot, editor.overview.lines["industry"], "Patisserie")
    assert editor.save()
    after = trail.page(ActivityFilter(), limit=5)
    assert trail.count(ActivityFilter()) == before + 1
    assert after[0].action == "client.updated"
    assert editor.overview.lines["industry"].text() == "Patisserie"
    assert "Version 2" in editor.info_label.text()


def test_a_birthday_is_picked_from_a_calendar_and_emails_are_a_list(
    qtbot, editor, full_id, gui_clients
):
    """Dates in the locale's format with a calendar; several emails one per line, added
    and removed with buttons, not typed into one comma-separated line."""
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QDateEdit, QToolButton

    editor.load(full_id).wait()
    birthday = editor.contacts.edits["birthday"]
    assert isinstance(birthday, QDateEdit) and birthday.calendarPopup()
    shown = birthday.lineEdit().text()
    assert shown == QDate(1975, 12, 2).toString(birthday.displayFormat())
    assert "1975" in shown  # the year in full: a birthday in 1925 is not one in 2025
    birthday.setDate(QDate(1976, 3, 4))

    emails = editor.overview.lines["emails"]
    assert [e.text() for e in emails.line_edits()] == [
        "orders@zoes-bakery.example",
        "zoe@zoes-bakery.example",
    ]
    qtbot.mouseClick(emails.add_button, Qt.MouseButton.LeftButton)
    assert len(emails.line_edits()) == 3
    type_into(qtbot, emails.line_edits()[2], "accounts@zoes-bakery.example")
    removes = emails.findChildren(QToolButton)
    assert len(removes) == 3
    qtbot.mouseClick(removes[0], Qt.MouseButton.LeftButton)  # the first one goes
    assert editor.save()
    stored = gui_clients.get_json(full_id)
    assert stored["emails"] == ["zoe@zoes-bakery.example", "accounts@zoes-bakery.example"]
    assert stored["contacts"][0]["birthday"] == "1976-03-04"
