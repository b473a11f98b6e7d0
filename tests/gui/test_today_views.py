"""The day's work views show what the service says is due, and open a client on request."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QLocale, Qt

from crmdesk.domain import client_from_json
from crmdesk.gui.clients.list_model import format_date, format_money
from crmdesk.gui.today import views as views_module
from crmdesk.gui.today.views import BirthdaysView, FollowUpsView, SeasonalOutlookView
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from tests.gui.conftest import GUI_TODAY


def fixed_today():
    return GUI_TODAY


@pytest.fixture
def service(demo_session):
    return ClientService(demo_session, today=fixed_today)


def show(qtbot, view):
    """Shown, and its list read: a view reads its list the first time it is shown."""
    qtbot.addWidget(view)
    view.resize(1100, 700)
    assert view.row_count() == 0  # nothing read while the window is built
    with qtbot.waitSignal(view.refreshed, timeout=5000):
        view.show()
    qtbot.waitExposed(view)
    return view


def reread(qtbot, view, action) -> None:
    with qtbot.waitSignal(view.refreshed, timeout=5000):
        action()


def column(view, col: int) -> list[str]:
    return [view.text_at(r, col) for r in range(view.row_count())]


def double_click_row(qtbot, view, row: int) -> None:
    index = view.table.model().index(row, 0)
    where = view.table.visualRect(index).center()
    viewport = view.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)


# -- follow-ups -----------------------------------------------------------------------------


def test_follow_ups_show_what_is_due_most_overdue_first(qtbot, service):
    view = show(qtbot, FollowUpsView(service, today=fixed_today))
    due = service.followups()
    assert view.row_count() == len(due) > 0
    assert column(view, 2) == [f.client_name for f in due]
    assert column(view, 3) == [f.title for f in due]
    assert column(view, 0) == [format_date(f.due) for f in due]
    oldest = (GUI_TODAY - due[0].due).days
    assert column(view, 1)[0] == f"Overdue by {oldest} days"
    assert column(view, 1)[-1] == "Due today"
    red = view.table.model().index(0, 1).data(Qt.ItemDataRole.ForegroundRole)
    assert red is not None
    assert view.table.model().index(len(due) - 1, 1).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_next_seven_days_can_be_included(qtbot, service):
    view = show(qtbot, FollowUpsView(service, today=fixed_today))
    reread(qtbot, view, view.week_check.click)
    week = service.followups(within_days=7)
    assert view.row_count() == len(week) > len(service.followups())
    assert column(view, 3) == [f.title for f in week]
    assert column(view, 1)[-1] == "In 7 days"


def test_follow_ups_open_a_client_on_double_click_and_enter(qtbot, service):
    view = show(qtbot, FollowUpsView(service, today=fixed_today))
    due = service.followups()
    with qtbot.waitSignal(view.client_activated) as signal:
        double_click_row(qtbot, view, 1)
    assert signal.args == [due[1].client_id]

    view.table.setFocus()
    with qtbot.waitSignal(view.client_activated) as signal:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert signal.args == [due[1].client_id]


def test_follow_ups_are_read_only_and_sortable(qtbot, service):
    view = show(qtbot, FollowUpsView(service, today=fixed_today))
    assert view.table.editTriggers() == view.table.EditTrigger.NoEditTriggers
    assert view.table.isSortingEnabled()
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by client
    clients = column(view, 2)
    assert clients == sorted(clients, key=str.casefold)
    # Sorting moves whole rows: each row still opens its own client.
    first = service.followups()
    by_name = {f.client_name: f.client_id for f in first}
    assert view.client_id_at(0) == by_name[clients[0]]


def test_every_follow_up_is_listed_not_the_first_500(qtbot, gui_clients):
    """Past the 500 the service gives by default: a call list with a silent cut would
    hide calls to make."""
    due = (GUI_TODAY - dt.timedelta(days=1)).isoformat()
    clients = [
        client_from_json({"name": f"Caller {n:03}", "tasks": [{"due": due, "title": "Ring"}]})
        for n in range(520)
    ]
    gui_clients.add_many(clients, source="test")
    view = show(qtbot, FollowUpsView(gui_clients, today=fixed_today))
    assert view.row_count() == 520
    assert set(column(view, 2)) == {f"Caller {n:03}" for n in range(520)}


def test_no_follow_ups_says_so_kindly(qtbot, gui_clients):
    view = show(qtbot, FollowUpsView(gui_clients, today=fixed_today))
    assert view.row_count() == 0
    assert view.empty_label.isVisible()
    assert view.empty_label.text() == "No follow-ups due. Nice work."
    assert not view.table.isVisible()


def test_a_service_error_is_shown_not_raised(qtbot, service, monkeypatch):
    shown = []
    monkeypatch.setattr(views_module, "show_error", lambda parent, exc: shown.append(exc))
    view = show(qtbot, FollowUpsView(service, today=fixed_today))

    def broken(**_kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(service, "followups", broken)
    reread(qtbot, view, view.refresh)
    assert len(shown) == 1
    assert view.row_count() == 0


# -- seasonal outlook -----------------------------------------------------------------------


def test_seasonal_outlook_lists_next_months_buyers_biggest_first(qtbot, service):
    view = show(qtbot, SeasonalOutlookView(service, today=fixed_today))
    december = QLocale().standaloneMonthName(12)
    assert view.month() == 12
    assert view.title_label.text() == f"Clients who usually buy in {december}: your call list"
    expected = service.list(
        ClientQuery(
            buys_in_month=12, status="active", sort=SortKey.SPEND_12M, descending=True, limit=500
        )
    )
    assert view.row_count() == len(expected) > 0
    assert [view.client_id_at(r) for r in range(view.row_count())] == [r.id for r in expected]
    assert set(column(view, 1)) == {"Active"}
    assert column(view, 5)[0] == format_money(max(r.spend_12m for r in expected))


def test_seasonal_outlook_can_include_prospects_never_former_clients(qtbot, service):
    view = show(qtbot, SeasonalOutlookView(service, today=fixed_today))
    reread(qtbot, view, view.prospects_check.click)
    active = service.count(ClientQuery(buys_in_month=12, status="active"))
    prospects = service.count(ClientQuery(buys_in_month=12, status="prospect"))
    assert view.row_count() == active + prospects
    assert "Former" not in column(view, 1)
    assert "Prospect" in column(view, 1) or prospects == 0


def test_seasonal_outlook_follows_the_calendar(qtbot, service):
    view = show(qtbot, SeasonalOutlookView(service, today=lambda: dt.date(2026, 12, 15)))
    assert view.month() == 1  # December's list is for January
    assert QLocale().standaloneMonthName(1) in view.title_label.text()
    assert view.row_count() == service.count(ClientQuery(buys_in_month=1, status="active"))


def test_seasonal_outlook_opens_a_client(qtbot, service):
    view = show(qtbot, SeasonalOutlookView(service, today=fixed_today))
    with qtbot.waitSignal(view.client_activated) as signal:
        double_click_row(qtbot, view, 0)
    assert signal.args == [view.client_id_at(0)]


def test_sorting_spend_ascending_sorts_amounts_not_text(qtbot, service):
    view = show(qtbot, SeasonalOutlookView(service, today=fixed_today))
    view.table.sortByColumn(SeasonalOutlookView.SPEND, Qt.SortOrder.AscendingOrder)
    rows = {
        r.id: r.spend_12m
        for r in service.list(ClientQuery(buys_in_month=12, status="active", limit=500))
    }
    spends = [rows[view.client_id_at(r)] for r in range(view.row_count())]
    assert spends == sorted(spends)


# -- birthdays ------------------------------------------------------------------------------


def test_birthdays_show_the_coming_week(qtbot, service):
    view = show(qtbot, BirthdaysView(service, today=fixed_today))
    coming = service.birthdays(within_days=7)
    assert view.row_count() == len(coming) > 0
    assert column(view, 1) == [b.contact_name for b in coming]
    assert column(view, 3) == [b.client_name for b in coming]
    assert column(view, 2) == ["" if b.turns is None else str(b.turns) for b in coming]
    weekday = QLocale().dayName(coming[0].date.isoweekday(), QLocale.FormatType.ShortFormat)
    assert column(view, 0)[0] == f"{weekday} {format_date(coming[0].date)}"
    today_font = view.table.model().index(0, 1).data(Qt.ItemDataRole.FontRole)
    assert coming[0].date != GUI_TODAY or today_font.bold()


def test_birthdays_open_a_client(qtbot, service):
    view = show(qtbot, BirthdaysView(service, today=fixed_today))
    coming = service.birthdays(within_days=7)
    with qtbot.waitSignal(view.client_activated) as signal:
        double_click_row(qtbot, view, 2)
    assert signal.args == [coming[2].client_id]


def test_no_birthdays_says_so(qtbot, gui_clients):
    view = show(qtbot, BirthdaysView(gui_clients, today=fixed_today))
    assert view.row_count() == 0
    assert view.empty_label.text() == "No birthdays in the next 7 days."
