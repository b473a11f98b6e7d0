"""The client list as a salesperson uses it: scroll, sort, search as you type, filter, pick."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtWidgets import QApplication

from crmdesk.domain.phones import display_phone
from crmdesk.errors import BadInput
from crmdesk.gui.clients import list_panel as list_panel_module
from crmdesk.gui.clients.list_model import (
    LAST_CONTACT,
    MAX_PAGES,
    NAME,
    PAGE_SIZE,
    SPEND,
    STATUS,
    ClientListModel,
    format_money,
)
from crmdesk.gui.clients.list_panel import ClientListPanel
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from tests.gui.conftest import GUI_TODAY

ALL = 300


@pytest.fixture
def service(demo_session):
    return ClientService(demo_session, today=lambda: GUI_TODAY)


@pytest.fixture
def panel(qtbot, service):
    widget = ClientListPanel(service)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    wait_loaded(qtbot, widget.model)
    return widget


def wait_loaded(qtbot, model) -> None:
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=5000)


def new_model(qtbot, service) -> ClientListModel:
    model = ClientListModel(service)
    wait_loaded(qtbot, model)
    return model


def shown_names(model) -> list[str]:
    return [model.index(r, NAME).data() for r in range(model.rowCount())]


def shown_ids(model) -> list[int]:
    return [model.client_id_at(r) for r in range(model.rowCount())]


def load_all(qtbot, model) -> None:
    """Every page read (the demo vault's 300 clients fit in the pages a model holds)."""
    model.fetch_rows(0, model.rowCount() - 1)
    qtbot.waitUntil(lambda: None not in shown_ids(model), timeout=5000)


def wait_for_count(qtbot, panel, expected: int) -> None:
    qtbot.waitUntil(
        lambda: panel.model.total_count() == expected and not panel.model.is_loading(),
        timeout=5000,
    )


# -- the model ------------------------------------------------------------------------------


def test_model_counts_every_match_and_reads_a_page_first(qtbot, service):
    model = new_model(qtbot, service)
    assert model.rowCount() == model.total_count() == ALL  # the scroll bar spans them all
    assert model.held_rows() == PAGE_SIZE
    assert model.client_id_at(PAGE_SIZE) is None  # not read until it is painted

    model.index(ALL - 1, NAME).data()  # the view paints the last row: its page is read
    qtbot.waitSignal(model.rows_arrived, timeout=5000)
    qtbot.waitUntil(lambda: model.client_id_at(ALL - 1) is not None, timeout=5000)
    everyone = service.list(ClientQuery(limit=ALL))
    assert shown_ids(model) == [r.id for r in everyone]


def test_model_holds_a_bounded_number_of_rows(qtbot, service, demo_session):
    from crmdesk.services.demo import create_demo_clients

    create_demo_clients(demo_session, MAX_PAGES * PAGE_SIZE + 700, today=GUI_TODAY)
    model = new_model(qtbot, service)
    pages = -(-model.rowCount() // PAGE_SIZE)
    assert pages > MAX_PAGES
    for number in range(pages):  # scrolled from top to bottom
        model.index(number * PAGE_SIZE, NAME).data()
        qtbot.waitUntil(lambda n=number: model.client_id_at(n * PAGE_SIZE) is not None)
        assert model.held_rows() <= MAX_PAGES * PAGE_SIZE
    assert model.client_id_at(0) is None  # the first page, painted longest ago, was let go
    assert model.client_id_at(model.rowCount() - 1) is not None


def test_model_shows_values_the_way_people_read_them(qtbot, service):
    model = new_model(qtbot, service)
    load_all(qtbot, model)
    big = next(r for r in service.list(ClientQuery(limit=ALL)) if r.spend_12m >= 1000)
    row = model.row_of(big.id)
    assert row is not None

    assert model.index(row, NAME).data() == big.name
    assert model.index(row, STATUS).data() == big.status.capitalize()
    assert model.index(row, NAME).data() == big.name
    money = model.index(row, SPEND)
    assert money.data() == format_money(big.spend_12m)
    assert QLocale().groupSeparator() in money.data()
    assert money.data().endswith(f"{QLocale().decimalPoint()}{big.spend_12m:.2f}"[-3:])
    assert money.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    contact = model.index(row, LAST_CONTACT).data()
    assert contact == QLocale().toString(big.last_contact, QLocale.FormatType.ShortFormat)
    assert model.index(row, NAME).data(Qt.ItemDataRole.UserRole) == big.id
    tip = model.index(row, NAME).data(Qt.ItemDataRole.ToolTipRole)
    # the number as the app shows it: national in the vault's region (issue 15)
    assert big.email in tip and display_phone(big.phone, service.region_for_phones()) in tip
    assert model.client_id_at(row) == big.id


def test_money_is_formatted_from_the_decimal_exactly():
    number = "1,234,567.88".replace(",", "\0").replace(".", QLocale().decimalPoint())
    number = number.replace("\0", QLocale().groupSeparator())
    assert format_money(Decimal("1234567.885"), symbol=False) == number
    assert format_money(Decimal("1234567.885")).endswith(number)
    assert format_money(Decimal("0")).endswith("00")


def test_a_search_without_a_chosen_column_is_ranked_by_relevance(qtbot, service):
    model = new_model(qtbot, service)
    model.set_query(ClientQuery(text="bakery"))
    assert model.query().sort == SortKey.RELEVANCE
    model.sort(SPEND, Qt.SortOrder.DescendingOrder)
    assert model.query().sort == SortKey.SPEND_12M
    model.sort(-1, Qt.SortOrder.AscendingOrder)  # the header's sort indicator cleared
    assert model.query().sort == SortKey.RELEVANCE


def test_sorting_does_not_count_again_but_filtering_does(qtbot, service):
    model = new_model(qtbot, service)
    counted = model.count_calls
    for column in (SPEND, STATUS, LAST_CONTACT, NAME):
        model.sort(column, Qt.SortOrder.DescendingOrder)
        wait_loaded(qtbot, model)
    assert model.count_calls == counted  # the same clients in another order
    assert model.total_count() == ALL
    model.set_query(ClientQuery(status="active"))
    wait_loaded(qtbot, model)
    assert model.count_calls == counted + 1
    assert model.total_count() == service.count(ClientQuery(status="active"))


def test_refresh_keeps_what_was_loaded(qtbot, service):
    model = new_model(qtbot, service)
    model.set_query(ClientQuery(status="active"))
    wait_loaded(qtbot, model)
    load_all(qtbot, model)
    before = shown_ids(model)
    model.refresh()
    wait_loaded(qtbot, model)
    assert shown_ids(model) == before
    assert model.query().status == "active"


# -- the panel ------------------------------------------------------------------------------


def test_panel_opens_with_one_page_and_the_client_count(panel):
    assert panel.model.held_rows() <= 200
    assert panel.count_label.text() == "300 clients"
    assert not panel.clear_button.isEnabled()


def test_scrolling_down_loads_the_rest(qtbot, panel):
    panel.table.scrollToBottom()
    QApplication.processEvents()
    last = ALL - 1
    qtbot.waitUntil(lambda: panel.model.client_id_at(last) is not None, timeout=3000)
    assert panel.model.index(last, NAME).data()  # painted with its name, not blank
    assert len(set(shown_ids(panel.model))) == ALL


def test_clicking_the_spend_header_puts_the_biggest_spender_first(qtbot, panel, service):
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(SPEND) + header.sectionSize(SPEND) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 8))
    qtbot.waitUntil(lambda: panel.query().sort == SortKey.SPEND_12M)
    wait_loaded(qtbot, panel.model)
    assert panel.query().descending  # the first click on spend shows big spenders first
    biggest = max(r.spend_12m for r in service.list(ClientQuery(limit=ALL)))
    assert panel.model.client_row(0).spend_12m == biggest
    assert panel.model.index(0, SPEND).data() == format_money(biggest)
    spends = [panel.model.client_row(r).spend_12m for r in range(PAGE_SIZE)]
    assert spends == sorted(spends, reverse=True)


def test_sorting_by_name_descending_reverses_the_list(qtbot, panel, service):
    panel.table.sortByColumn(NAME, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, panel.model)
    load_all(qtbot, panel.model)
    expected = service.list(ClientQuery(sort=SortKey.NAME, descending=True, limit=ALL))
    assert shown_names(panel.model) == [r.name for r in expected]


def test_typing_narrows_the_list_to_matching_clients(qtbot, panel, service):
    qtbot.keyClicks(panel.search_edit, "bakehouse")
    qtbot.waitUntil(lambda: panel.model.total_count() < ALL, timeout=3000)
    wait_loaded(qtbot, panel.model)
    expected = service.count(ClientQuery(text="bakehouse"))
    assert panel.model.total_count() == expected
    names = shown_names(panel.model)
    assert "Morgan's Bakehouse" in names
    assert "bakehouse" in names[0].casefold()  # name matches rank first
    noun, verb = ("client", "matches") if expected == 1 else ("clients", "match")
    assert panel.count_label.text() == f"{expected} {noun} {verb}"


def test_a_search_without_accents_finds_accented_names(qtbot, panel):
    # Typed on a keyboard without accents; QTest can only type ASCII anyway.
    qtbot.keyClicks(panel.search_edit, "bjork einarsdottir")
    qtbot.waitUntil(lambda: panel.model.total_count() < ALL, timeout=3000)
    assert "Björk Einarsdóttir" in shown_names(panel.model)
    assert panel.model.total_count() >= 1


def test_typing_fast_asks_once_after_a_pause(qtbot, panel, monkeypatch):
    calls = []
    original = panel.model.set_query
    monkeypatch.setattr(panel.model, "set_query", lambda q: (calls.append(q), original(q)))
    qtbot.keyClicks(panel.search_edit, "harbor")
    qtbot.waitUntil(lambda: len(calls) >= 1, timeout=3000)
    assert [c.text for c in calls] == ["harbor"]


def _set_status(panel):
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("active"))


def _set_salesperson(panel):
    panel.salesperson_edit.setText("omar")


def _set_tag(panel):
    panel.tag_edit.setText("vip")


def _set_month(panel):
    panel.month_combo.setCurrentIndex(panel.month_combo.findData(3))


def _set_no_contact(panel):
    panel.no_contact_spin.setValue(90)


def _set_birthday(panel):
    panel.birthday_spin.setValue(30)


def _set_followups(panel):
    panel.followups_check.setChecked(True)


@pytest.mark.parametrize(
    ("set_filter", "query"),
    [
        (_set_status, ClientQuery(status="active")),
        (_set_salesperson, ClientQuery(salesperson="omar")),
        (_set_tag, ClientQuery(tag="vip")),
        (_set_month, ClientQuery(buys_in_month=3)),
        (_set_no_contact, ClientQuery(no_contact_days=90)),
        (_set_birthday, ClientQuery(birthday_within_days=30)),
        (_set_followups, ClientQuery(followups_due=True)),
    ],
    ids=["status", "salesperson", "tag", "buys-in", "no-contact", "birthday", "follow-ups"],
)
def test_each_filter_shows_what_the_service_answers(qtbot, panel, service, set_filter, query):
    expected = service.list(replace(query, limit=ALL))
    assert 0 < len(expected) < ALL  # the demo data makes every filter meaningful
    set_filter(panel)
    wait_for_count(qtbot, panel, len(expected))
    load_all(qtbot, panel.model)
    assert shown_ids(panel.model) == [r.id for r in expected]
    assert panel.query() == replace(query, limit=panel.query().limit)
    assert panel.count_label.text().endswith("match" if len(expected) != 1 else "matches")
    assert panel.clear_button.isEnabled()


def test_filters_combine_and_clear_filters_shows_everyone(qtbot, panel, service):
    _set_status(panel)
    _set_salesperson(panel)
    qtbot.keyClicks(panel.search_edit, "bakery")
    expected = service.count(ClientQuery(text="bakery", status="active", salesperson="omar"))
    wait_for_count(qtbot, panel, expected)
    load_all(qtbot, panel.model)
    assert all(panel.model.client_row(r).salesperson == "omar" for r in range(expected))

    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    wait_for_count(qtbot, panel, ALL)
    assert panel.count_label.text() == "300 clients"
    assert panel.search_edit.text() == ""
    assert panel.status_combo.currentIndex() == 0
    assert panel.salesperson_edit.text() == ""
    assert panel.query().sort == SortKey.NAME


def test_clicking_a_row_announces_that_client(qtbot, panel):
    index = panel.model.index(3, NAME)
    with qtbot.waitSignal(panel.current_client_changed) as signal:
        qtbot.mouseClick(
            panel.table.viewport(),
            Qt.MouseButton.LeftButton,
            pos=panel.table.visualRect(index).center(),
        )
    assert signal.args == [panel.model.client_id_at(3)]
    assert panel.current_client_id() == panel.model.client_id_at(3)


def test_double_click_and_enter_open_the_client(qtbot, panel):
    index = panel.model.index(2, NAME)
    where = panel.table.visualRect(index).center()
    viewport = panel.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    with qtbot.waitSignal(panel.client_activated) as signal:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    assert signal.args == [panel.model.client_id_at(2)]

    panel.table.setFocus()
    with qtbot.waitSignal(panel.client_activated) as signal:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert signal.args == [panel.model.client_id_at(2)]


def test_select_client_and_a_filter_that_drops_it(qtbot, panel, service):
    former = service.list(ClientQuery(status="former", limit=1))[0]
    with qtbot.waitSignal(panel.current_client_changed) as signal:
        assert panel.select_client(former.id)
    assert signal.args == [former.id]

    # Filtering to active clients hides it: the selection is gone, and that is announced.
    with qtbot.waitSignal(panel.current_client_changed) as signal:
        _set_status(panel)
    assert signal.args == [None]
    assert panel.current_client_id() is None
    assert not panel.select_client(former.id)


def test_the_selection_survives_a_refresh(qtbot, panel):
    chosen = panel.model.client_id_at(5)
    panel.select_client(chosen)
    with qtbot.assertNotEmitted(panel.current_client_changed):
        panel.refresh()
        wait_loaded(qtbot, panel.model)
    assert panel.current_client_id() == chosen


def test_a_client_far_down_the_list_is_revealed_and_selected(qtbot, panel, service):
    """Beyond the rows read so far: its place is asked for, then it is selected there."""
    panel.table.sortByColumn(SPEND, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, panel.model)
    order = service.list_ids(panel.query())
    far_id, _ = order[-3]
    assert panel.model.row_of(far_id) is None
    with qtbot.waitSignal(panel.current_client_changed) as signal:
        assert not panel.select_client(far_id)
    assert signal.args == [far_id]
    row = len(order) - 3
    assert panel.table.selectionModel().isRowSelected(row)
    assert panel.current_client_id() == far_id
    qtbot.waitUntil(lambda: panel.model.client_row(row) is not None)
    assert panel.model.client_row(row).id == far_id


def test_a_client_hidden_by_the_filters_is_shown_by_clearing_them(qtbot, panel, service):
    former = service.list(ClientQuery(status="former", limit=1))[0]
    _set_status(panel)
    wait_for_count(qtbot, panel, service.count(ClientQuery(status="active")))
    with qtbot.waitSignal(panel.current_client_changed, timeout=5000) as signal:
        panel.select_client(former.id)
    assert signal.args == [former.id]
    assert panel.status_combo.currentIndex() == 0
    assert panel.current_client_id() == former.id


def test_a_search_is_recorded_once_when_typing_stops(qtbot, panel, demo_session):
    from crmdesk.gui.clients import list_panel as module
    from crmdesk.services.activity import ActivityFilter, ActivityService

    def searches() -> list[dict]:
        trail = ActivityService(demo_session).log(ActivityFilter(action="clients.searched"))
        return [e.details for e in trail]

    for typed in ("h", "a", "r", "b", "o", "r"):  # pauses between keys, as a person types
        qtbot.keyClicks(panel.search_edit, typed)
        panel._apply_filters()  # the list follows each pause
        wait_loaded(qtbot, panel.model)
    assert searches() == []  # nothing yet: the person may still be typing
    qtbot.waitUntil(lambda: bool(searches()), timeout=module.SEARCH_RECORD_MS * 4)
    found = min(panel.model.total_count(), PAGE_SIZE)
    assert searches() == [{"text": "harbor", "first_page": found}]
    panel.record_search()  # Enter, or opening a result, again: the same search
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert searches() == [{"text": "harbor", "first_page": found}]


def test_down_arrow_in_the_search_box_goes_to_the_list(qtbot, panel):
    panel.activateWindow()
    panel.search_edit.setText("bakery")
    panel.focus_search()
    qtbot.waitUntil(panel.search_edit.hasFocus)
    assert panel.search_edit.selectedText() == "bakery"
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Down)
    qtbot.waitUntil(panel.table.hasFocus)
    assert panel.current_client_id() == panel.model.client_id_at(0)


def test_tab_goes_from_search_through_filters_to_the_table(qtbot, panel):
    panel.activateWindow()
    panel.focus_search()
    qtbot.waitUntil(panel.search_edit.hasFocus)
    seen = []
    for _ in range(10):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    expected = [
        panel.status_combo,
        panel.salesperson_edit,
        panel.tag_edit,
        panel.month_combo,
        panel.no_contact_spin,
        panel.birthday_spin,
        panel.missing_combo,
        panel.followups_check,
        panel.table,
    ]
    # The clear button is skipped while there is nothing to clear.
    assert seen[:9] == expected


def test_service_errors_are_shown_to_the_user(qtbot, panel, monkeypatch):
    shown = []
    monkeypatch.setattr(list_panel_module, "show_error", lambda parent, exc: shown.append(exc))

    def refuse(query):
        raise BadInput("Cannot list clients: the page must have 1 to 100000 rows.")

    monkeypatch.setattr(panel.model._service, "count", refuse)
    qtbot.keyClicks(panel.search_edit, "x")
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    assert isinstance(shown[0], BadInput)
    assert panel.model.rowCount() == 0
