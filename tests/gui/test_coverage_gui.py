"""Coverage in the app: the list's column and filter, the header's marks, the prompt after a
call or a purchase, the Seasonal outlook's "Missing", the owner's page, the meeting brief
and the paper, for each role (real widgets, offscreen, over a real vault)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from crmdesk.domain.classification import COVERAGE_KEYS
from crmdesk.gui.clients.detail import timeline as timeline_mod
from crmdesk.gui.clients.list_model import COLUMNS, COVERAGE
from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.paper_menu import chosen_paper
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from tests.gui.conftest import GUI_TODAY
from tests.gui.people_support import Answers, make_office
from tests.services.conftest import full_client

BARE = {"name": "Aardvark Bare Co", "salesperson": "zoe"}
CALL = {
    "date": "2026-11-29",
    "kind": "call",
    "contact": "",
    "summary": "Talked about the spring order",
    "outcome": "Call back in March",
}


@pytest.fixture(autouse=True)
def no_dialog_left_hanging():
    guard = Answers(timeout=60)
    yield
    guard.check()


def open_window(qtbot, session, folder, keystore) -> MainWindow:
    window = MainWindow(session, folder, keystore=keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    window.resize(1500, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, gui_session, gui_clients, vault_dir, keystore):
    gui_clients.add(full_client())
    gui_clients.add(BARE)
    gui_clients.add({"name": "Middle Co", "pricing": [{"product": "X", "price": "1.00"}]})
    return open_window(qtbot, gui_session, vault_dir, keystore)


def row_of(window: MainWindow, name: str) -> int:
    model = window.list_panel.model
    return next(r for r in range(model.rowCount()) if model.client_row(r).name == name)


def test_the_list_shows_coverage_and_sorts_the_barest_first(qtbot, window):
    model = window.list_panel.model
    assert COLUMNS[COVERAGE].title == "Coverage"
    full = model.index(row_of(window, "Zoë's Bakery"), COVERAGE)
    bare = model.index(row_of(window, "Aardvark Bare Co"), COVERAGE)
    assert full.data() == "●●●●●●●" and bare.data() == "○○○○○○○"
    assert model.index(row_of(window, "Middle Co"), COVERAGE).data() == "○○●○○○○"
    tip = bare.data(Qt.ItemDataRole.ToolTipRole)
    assert "0 of 7 on file" in tip and "○  Pricing: nothing on file yet" in tip
    assert not window.list_panel.table.isColumnHidden(COVERAGE)

    header = window.list_panel.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(COVERAGE) + 5, 5),
    )
    assert model.query().sort is SortKey.COVERAGE and not model.query().descending
    names = [model.client_row(r).name for r in range(model.rowCount())]
    assert names == ["Aardvark Bare Co", "Middle Co", "Zoë's Bakery"]


def test_the_missing_filter(qtbot, window):
    panel = window.list_panel
    combo = panel.missing_combo
    assert combo.itemText(0) == "Anything"
    assert [combo.itemData(i) for i in range(1, combo.count())] == list(COVERAGE_KEYS)
    combo.setCurrentIndex(combo.findData("pricing"))
    qtbot.waitUntil(lambda: panel.model.total_count() == 1)
    assert panel.model.client_row(0).name == "Aardvark Bare Co"
    assert panel.query().missing == ("pricing",)
    assert panel.count_label.text() == "1 client matches"
    panel.clear_filters()
    assert combo.currentIndex() == 0 and panel.model.total_count() == 3


def test_the_header_marks_say_what_is_on_file(window, gui_clients):
    middle = next(r.id for r in gui_clients.list() if r.name == "Middle Co")
    window.show_client(middle)
    marks = window.editor.coverage_marks
    assert marks.isVisible()
    assert marks.state("pricing") == "held" and marks.state("preferences") == "missing"
    assert marks.marks["pricing"].toolTip() == "Pricing: on file"
    assert "nothing on file yet" in marks.marks["preferences"].toolTip()
    assert not marks.withheld_label.isVisible()
    window.new_client()
    assert not marks.isVisible()  # nothing saved yet: no coverage to show


def test_a_logged_call_prompts_for_what_is_worth_filling(qtbot, monkeypatch, window, gui_clients):
    bare = next(r.id for r in gui_clients.list() if r.name == "Aardvark Bare Co")
    window.show_client(bare)
    monkeypatch.setattr(
        timeline_mod, "ask_call_details", lambda parent, contacts, today, **kw: CALL
    )
    editor = window.editor
    editor.timeline.log_call()  # saves, then suggests: never a dialog
    prompt = editor.prompt
    assert prompt.isVisible() and prompt.suggested() == "preferences"
    assert prompt.text_label.text().startswith("No preferences on file for Aardvark Bare Co")
    assert editor.coverage_marks.state("interactions") == "held"  # the call is on file
    prompt.fill_button.click()
    assert editor.tabs.currentWidget() is editor.preferences and not prompt.isVisible()


def test_a_new_purchase_prompts_for_pricing_and_the_prompt_can_be_dismissed(
    qtbot, window, gui_clients
):
    bare = next(r.id for r in gui_clients.list() if r.name == "Aardvark Bare Co")
    window.show_client(bare)
    editor = window.editor
    editor.purchases.orders.append_row(
        {"date": "2026-11-20", "items": [{"product": "Oak", "quantity": "2",
                                          "unit_price": "10.00"}], "notes": ""}
    )  # fmt: skip
    assert editor.save()
    assert editor.prompt.suggested() == "pricing"
    assert "No pricing on file for Aardvark Bare Co" in editor.prompt.text_label.text()
    editor.prompt.close_button.click()
    assert not editor.prompt.isVisible()
    editor.overview.name_edit().setText("Aardvark Bare Company")
    assert editor.save() and not editor.prompt.isVisible()  # a plain save says nothing


def test_no_prompt_when_everything_is_on_file(monkeypatch, window, gui_clients):
    full = next(r.id for r in gui_clients.list() if r.name == "Zoë's Bakery")
    window.show_client(full)
    monkeypatch.setattr(
        timeline_mod, "ask_call_details", lambda parent, contacts, today, **kw: CALL
    )
    window.editor.timeline.log_call()
    assert not window.editor.prompt.isVisible()


def test_the_seasonal_outlook_says_what_is_missing(qtbot, gui_session, gui_clients, vault_dir,
                                                    keystore):  # fmt: skip
    december = {
        "name": "December Buyer",
        "status": "active",
        "purchases": [
            {"date": f"{year}-12-05", "items": [{"product": "Tree", "quantity": "1",
                                                 "unit_price": "50"}]}
            for year in (2023, 2024, 2025)
        ],
        "preferences": [{"topic": "Calls", "detail": "mornings"}],
    }  # fmt: skip
    gui_clients.add(december)
    window = open_window(qtbot, gui_session, vault_dir, keystore)
    view = window.seasonal
    view.refresh()
    assert view.row_count() == 1
    assert view.text_at(0, view.MISSING) == (
        "personal profiles, pricing, seasonal needs, specifications, interaction history"
    )


def test_the_owners_coverage_page(qtbot, window, gui_clients):
    office = window.office
    assert office.act_coverage.isVisible()
    page = office.coverage_page
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        office.act_coverage.trigger()
    assert window.pages.currentWidget() is page
    assert "3 clients (every client" in page.summary_label.text()
    rows = {page.kinds.text_at(r, 0): page.kinds.text_at(r, 1) for r in range(8)}
    assert rows["Pricing"] == "2" and rows["Preferences"] == "1" and rows["Any of these"] == "2"
    assert page.kinds.text_at(1, 2).startswith("33")  # purchases: 1 of 3
    assert page.people.rowCount() == 2  # zoe and unassigned


def test_print_meeting_brief_previews_one_registered_page(qtbot, window, gui_clients):
    full = next(r.id for r in gui_clients.list() if r.name == "Zoë's Bakery")
    window.show_client(full)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index("Print &meeting brief…") == texts.index("&Print client summary…") + 1
    assert window.act_print_brief.isVisible()
    window.act_print_brief.trigger()
    with qtbot.waitSignal(window._report_op.finished, timeout=30_000):
        pass
    preview = window._last_preview
    qtbot.addWidget(preview)
    record = preview.report.record
    assert (record.kind, record.page_count, record.client_ids) == ("meeting-brief", 1, [full])
    assert preview.page_count() == 1


def test_the_paper_menu_sets_the_paper_of_every_report(window):
    actions = {a.data(): a for a in window.paper_group.actions()}
    assert set(actions) == {"a4", "letter"}
    assert actions[window.reports.paper].isChecked()
    actions["letter"].trigger()
    assert window.reports.paper == "letter" and chosen_paper() == "letter"
    actions["a4"].trigger()
    assert window.reports.paper == "a4" and chosen_paper() == "a4"


# -- roles ---------------------------------------------------------------------------------


@pytest.fixture
def office(gui_session, vault_dir, keystore):
    made = make_office(gui_session, vault_dir, keystore)
    yield made
    made.close_all()


def test_an_assistant_sees_no_coverage_anywhere(qtbot, office):
    window = open_window(qtbot, office.ready("dave"), office.folder, office.keystore)
    panel = window.list_panel
    assert panel.table.isColumnHidden(COVERAGE)
    assert not panel._filter_boxes[panel.missing_combo].isVisible()
    assert window.office.coverage_page is None and not window.office.act_coverage.isVisible()
    assert not window.act_print_brief.isVisible()
    window.show_client(office.others_client)
    marks = window.editor.coverage_marks
    assert marks.withheld_label.isVisible() and marks.withheld_label.text() == (
        "Withheld: not your client"
    )
    assert all(not m.isVisible() for m in marks.marks.values())  # never "missing"
    assert marks.state("pricing") == "withheld"


def test_a_salesperson_sees_their_own_clients_coverage_only(qtbot, office):
    window = open_window(qtbot, office.ready("bob"), office.folder, office.keystore)
    model = window.list_panel.model
    rows = {model.client_row(r).id: r for r in range(model.rowCount())}
    assert model.index(rows[office.others_client], COVERAGE).data() == "—"
    assert "withheld: not your client" in model.index(rows[office.others_client], COVERAGE).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert model.index(rows[office.bobs_client], COVERAGE).data() == "○○●●○○○"
    assert window.office.coverage_page is None  # the owner's page
    window.show_client(office.bobs_client)
    assert window.editor.coverage_marks.state("pricing") == "held"
    window.show_client(office.others_client)
    assert window.editor.coverage_marks.state("pricing") == "withheld"
    missing = ClientService(window.session).list(ClientQuery(missing=("pricing",)))
    assert missing == []  # bob's client has pricing; the other's is withheld, not missing
