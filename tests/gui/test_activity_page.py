"""The owner's Activity page and alert thresholds, over a real vault with two people."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from crmdesk.domain.alerts import VALUE_ADDED_BURST, ActivityEvent, AlertThresholds
from crmdesk.errors import CrmdeskError
from crmdesk.gui.activity import words
from crmdesk.gui.activity.layout import EMPTY_TEXT
from crmdesk.gui.activity.page import ActivityPage
from crmdesk.gui.activity.reading import day_start
from crmdesk.gui.activity.thresholds import ThresholdsDialog
from crmdesk.services import people, signin
from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.clipboard import copy_clients
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.settings import change_settings, settings
from tests.support import FAST_KDF

OWNER_PASSWORD = "owner pass 1234"
BOB_INITIAL = "initial pass 123"
BOB_PASSWORD = "bob's new pass 123"
ALWAYS_WORKING = {"working_hours": (0, 24), "working_days": frozenset(range(7))}


@pytest.fixture
def fast_passwords(monkeypatch):
    """Argon2id at its cheapest: these tests sign in many times."""
    monkeypatch.setattr(people, "PASSWORD_KDF", FAST_KDF)


def client(salesperson: str, name: str) -> dict:
    return {
        "name": name,
        "salesperson": salesperson,
        "phone": "+1 202 555 0100",
        "notes": "Decides every January.",
        "pricing": [{"product": "Widget", "price": "17.50"}],
    }


@pytest.fixture
def office(gui_session, vault, fast_passwords):
    """The owner and Bob (salesperson); three of Bob's clients and one of the owner's.
    Sign-in is forbidden outside "working hours" alerts so that the time of day the tests
    run at does not add alerts."""
    owner = gui_session
    signin.set_password(owner, OWNER_PASSWORD)
    UserService(owner).add(
        "bob", "Bob Stone", "salesperson", BOB_INITIAL, owner_password=OWNER_PASSWORD
    )
    change_settings(owner, thresholds=AlertThresholds(**ALWAYS_WORKING))
    clients = ClientService(owner)
    ids = [clients.add(client("Bob Stone", f"Stone Supplies {n}")) for n in range(3)]
    ids.append(clients.add(client("zoe", "Harbour Foods")))
    return owner, ids


def bob_signs_in(vault):
    bob = signin.sign_in(vault.folder, "bob", BOB_INITIAL)
    signin.change_password(bob, BOB_INITIAL, BOB_PASSWORD)
    PolicyService(bob).accept()
    return bob


@pytest.fixture
def bob_worked(office, vault):
    """Bob views two of his clients, searches, and tries to copy the list (refused)."""
    owner, ids = office
    bob = bob_signs_in(vault)
    service = ClientService(bob)
    service.get(ids[0])
    service.get(ids[1])
    service.list(ClientQuery(text="Stone"))
    with pytest.raises(CrmdeskError):
        copy_clients(bob, service.list(ClientQuery()))
    return owner, ids


def make_page(qtbot, session) -> ActivityPage:
    page = ActivityPage(session)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        page.show()  # the first showing reads the trail
    return page


def reload(qtbot, page: ActivityPage) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        page.refresh()


def test_entries_are_listed_in_words_newest_first(qtbot, bob_worked):
    owner, ids = bob_worked
    page = make_page(qtbot, owner)
    rows = page.entry_rows()
    assert page.count_label.text() == f"{len(rows)} entries"
    # Newest first: Bob's refused copy, his search, then his two views.
    refused, search, second, first = rows[:4]
    assert refused[1:4] == ["Bob Stone", "Refused access", "copy"]
    assert "role salesperson" in refused[4]
    assert search[1:4] == ["Bob Stone", "Searched clients", "Client list"]
    assert search[4] == "“Stone” · 3 results on the first page"
    assert second[1:4] == ["Bob Stone", "Viewed value-added information", f"Client {ids[1]}"]
    assert first[1:4] == ["Bob Stone", "Viewed value-added information", f"Client {ids[0]}"]
    # Local time to the second, sortable as a time.
    stamp = dt.datetime.strptime(first[0], "%Y-%m-%d %H:%M:%S")
    assert abs(stamp - dt.datetime.now()) < dt.timedelta(minutes=5)
    # The details: a short summary, never raw JSON; all of them in the side panel.
    assert all("{" not in row[4] and "[" not in row[4] for row in rows)
    page.entries_table.selectRow(0)
    details = page.details_text()
    assert details.startswith("Refused access")
    assert "Who: Bob Stone (bob)" in details and "Action: access.denied" in details
    assert "Permission: export" in details


def test_filters_by_person_action_family_and_dates(qtbot, bob_worked):
    owner, _ = bob_worked
    page = make_page(qtbot, owner)
    everyone = page.entry_count()

    page.set_person("bob")
    reload(qtbot, page)
    people_shown = {row[1] for row in page.entry_rows()}
    assert people_shown == {"Bob Stone"}
    assert page.entry_count() < everyone

    page.set_family("views")
    reload(qtbot, page)
    assert [r[2] for r in page.entry_rows()] == ["Viewed value-added information"] * 2

    page.set_family("denied")
    reload(qtbot, page)
    assert [r[2] for r in page.entry_rows()] == ["Refused access"]

    # Edits are client changes without the views: Bob made none, the owner four.
    page.set_family("edits")
    reload(qtbot, page)
    assert page.entry_count() == 0
    assert page.empty_label.isVisible() and page.empty_label.text() == EMPTY_TEXT
    page.set_person(None)
    reload(qtbot, page)
    assert [r[2] for r in page.entry_rows()] == ["Added client"] * 4

    # A period long before any of it: nothing.
    page.set_family("all")
    page.set_period(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    reload(qtbot, page)
    assert page.entry_count() == 0
    assert page.empty_label.text() == "No activity in this period."
    assert not page.splitter.isVisible()
    # The period moves forward again; From never passes To.
    today = dt.date.today()
    page.set_period(today - dt.timedelta(days=1), today)
    reload(qtbot, page)
    assert page.entry_count() == everyone
    page.to_edit.setDate(page.from_edit.date().addDays(-3))
    assert page.from_edit.date() == page.to_edit.date()


def test_the_default_period_is_the_last_30_days_in_local_time(qtbot, office):
    owner, _ = office
    page = ActivityPage(owner, today=lambda: dt.date(2026, 11, 29), tz=ZoneInfo("Europe/Paris"))
    qtbot.addWidget(page)
    query = page.query()
    assert query.since == dt.datetime(2026, 10, 30, 23, 0, tzinfo=dt.UTC)
    assert query.until == dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC)
    assert page.from_edit.calendarPopup() and page.to_edit.calendarPopup()
    # Summer time: the local day starts at 22:00 UTC.
    assert day_start(dt.date(2026, 7, 1), ZoneInfo("Europe/Paris")) == dt.datetime(
        2026, 6, 30, 22, 0, tzinfo=dt.UTC
    )


def test_per_person_counts(qtbot, bob_worked):
    owner, _ = bob_worked
    page = make_page(qtbot, owner)
    headers = [
        page.people_model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(page.people_model.columnCount())
    ]
    assert headers[:4] == ["Person", "Views", "Edits", "Searches"]
    table = {row[0]: dict(zip(headers, row, strict=True)) for row in page.per_person_rows()}
    bob = table["Bob Stone (bob)"]
    assert (bob["Views"], bob["Edits"], bob["Searches"]) == ("2", "–", "1")
    assert (bob["Sign-ins"], bob["Refused"], bob["Copies"]) == ("1", "1", "–")
    owner_row = table["Zoë Łukasiewicz (zoe)"]
    assert owner_row["Edits"] == "4"
    counts = ActivityService(owner).counts(page.query().period())
    assert bob["All entries"] == str(sum(counts["bob"].values()))


def test_an_alert_appears_and_double_click_shows_its_entries(qtbot, bob_worked, vault):
    owner, _ = bob_worked
    change_settings(
        owner, thresholds=AlertThresholds(egress_clients=2, failed_signins=3, **ALWAYS_WORKING)
    )
    copy_clients(owner, ClientService(owner).list(ClientQuery()))  # 4 clients > 2
    for _ in range(3):
        with pytest.raises(CrmdeskError):
            signin.sign_in(vault.folder, "bob", "not the password")
    page = make_page(qtbot, owner)
    messages = page.alert_messages()
    assert len(messages) == 2
    assert messages[0].startswith("3 failed sign-ins as bob")  # newest first
    assert messages[1].startswith("zoe copied 4 clients to the clipboard")
    assert page.alerts_view.isVisible()
    assert "double-click" in page.alerts_title.text()

    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        index = page.alerts_model.index(1, 0)
        page.alerts_view.doubleClicked.emit(index)
    assert page.entry_rows()[0][1:] == [
        "Zoë Łukasiewicz",
        "Copied clients to the clipboard",
        "Clipboard",
        "4 clients",
    ]
    assert page.entry_count() == 1
    assert page.focus_bar.isVisible()
    assert page.person_combo.currentData() == "zoe"

    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        page.show_all_button.click()  # back to everyone's entries and alerts
    assert not page.focus_bar.isVisible()
    assert page.person_combo.currentData() is None
    assert len(page.alert_messages()) == 2
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        page.show_alert(0)
    assert [r[2] for r in page.entry_rows()] == ["Failed sign-in"] * 3
    assert page.person_combo.currentData() == "bob"


def test_no_alerts_says_so(qtbot, bob_worked):
    owner, _ = bob_worked
    page = make_page(qtbot, owner)
    assert page.alert_messages() == []
    assert page.alerts_title.text() == "Alerts in this period: none"
    assert not page.alerts_view.isVisible()


def test_ctrl_r_and_f5_read_again(qtbot, bob_worked, vault):
    owner, ids = bob_worked
    page = make_page(qtbot, owner)
    before = page.entry_count()
    ClientService(owner).get(ids[3])  # one more entry
    page.entries_table.setFocus()
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        qtbot.keyClick(page.entries_table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert page.entry_count() == before + 1
    ClientService(owner).get(ids[3])
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        qtbot.keyClick(page.entries_table, Qt.Key.Key_F5)
    assert page.entry_count() == before + 2


def test_only_the_owner_sees_activity(qtbot, office, vault):
    bob = bob_signs_in(vault)
    page = make_page(qtbot, bob)
    assert page.entry_count() == 0
    assert "Owner" in page.empty_label.text()


def test_thresholds_dialog_validates_and_saves(qtbot, bob_worked):
    owner, _ = bob_worked
    dialog = ThresholdsDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.egress_spin.value() == 100
    assert [c.isChecked() for c in dialog.day_checks] == [True] * 7

    dialog.start_combo.setCurrentIndex(dialog.start_combo.findData(19))
    dialog.end_combo.setCurrentIndex(dialog.end_combo.findData(7))
    assert dialog.save() is False
    assert dialog.message.isVisible()
    assert dialog.message.text() == (
        "Working hours must end after they start (for example from 07:00 to 19:00)."
    )
    dialog.start_combo.setCurrentIndex(dialog.start_combo.findData(8))
    dialog.end_combo.setCurrentIndex(dialog.end_combo.findData(18))

    for check in dialog.day_checks:
        check.setChecked(False)
    assert dialog.save() is False
    assert dialog.message.text() == "Tick at least one working day."
    for check in dialog.day_checks[:5]:
        check.setChecked(True)

    dialog.views_spin.setValue(0)
    assert dialog.save() is False
    assert dialog.message.text().startswith(
        "Value-added client views per hour must be a whole number from 1 to 100,000"
    )
    assert "value_added" not in dialog.message.text()
    dialog.views_spin.setValue(40)

    dialog.egress_spin.setValue(3)
    assert dialog.save() is True
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = settings(owner).thresholds
    assert saved.egress_clients == 3
    assert saved.value_added_clients_per_hour == 40
    assert saved.working_hours == (8, 18)
    assert saved.working_days == frozenset(range(5))

    # The change is in the trail, in words on the page.
    page = make_page(qtbot, owner)
    change = next(r for r in page.entry_rows() if r[2] == "Changed settings")
    assert "Clients in one print, export or copy: 100 → 3" in change[4]

    dialog = ThresholdsDialog(owner)
    qtbot.addWidget(dialog)
    dialog.defaults_button.click()
    assert dialog.egress_spin.value() == 100


def test_new_thresholds_raise_alerts_on_refresh(qtbot, bob_worked):
    owner, _ = bob_worked
    page = make_page(qtbot, owner)
    copy_clients(owner, ClientService(owner).list(ClientQuery()))
    reload(qtbot, page)
    assert page.alert_messages() == []
    dialog = ThresholdsDialog(owner, page)
    qtbot.addWidget(dialog)
    dialog.egress_spin.setValue(3)
    assert dialog.save()
    reload(qtbot, page)
    assert len(page.alert_messages()) == 1
    assert "copied 4 clients" in page.alert_messages()[0]


# -- words --------------------------------------------------------------------------------


def event(action: str, details: dict, obj: str = "") -> ActivityEvent:
    return ActivityEvent(
        1, dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC), "bob", action, obj, details
    )


def test_details_are_summarised_in_words():
    updated = event(
        "client.updated",
        {
            "fields": ["pricing", "notes"],
            "value_added_changes": {"notes": {"old": "a", "new": "b"}},
        },
        "client:7",
    )
    assert words.detail_summary(updated) == (
        "Changed: pricing, notes · old and new value-added values kept"
    )
    assert words.object_words(updated) == "Client 7"
    lines = words.detail_lines(updated)
    assert "Value-added values changed:" in lines
    assert "        Old: a" in lines
    printed = event(
        "report.printed",
        {"kind": "client-list", "clients": 120, "pages": 3, "sha256": "ab" * 32, "file": ""},
        "report:7K2F",
    )
    assert words.detail_summary(printed) == "Client list · 120 clients · 3 pages"
    assert words.object_words(printed) == "Report 7K2F"
    odd = event("something.new", {"nested": {"a": [1, 2]}, "flag": True})
    assert words.action_words(odd) == "Something: new"
    assert words.detail_summary(odd) == "Nested: A: 1, 2 · Flag: yes"
    viewed = event("client.viewed", {"value_added": True, "sections": ["pricing", "notes"]})
    assert words.detail_summary(viewed) == "pricing, notes"
    assert words.action_words(viewed) == "Viewed value-added information"


def test_families_and_per_person_columns():
    edits = words.family("edits")
    assert edits.matches("client.updated") and not edits.matches("client.viewed")
    assert edits.service_actions(["client.viewed", "client.updated", "report.printed"]) == [
        "client.updated"
    ]
    assert words.family("prints").service_actions([]) == ["report"]
    assert words.EVERYTHING.service_actions([]) == [None]
    row = words.per_person_row({"client.viewed": 3, "report.printed": 1, "report.saved": 1})
    assert row[0] == 3 and row[3] == 1 and row[-1] == 5
    assert VALUE_ADDED_BURST in words.ALERT_KIND_WORDS


def test_activity_filter_reaches_the_service_for_each_family(bob_worked):
    """Each family of the combo asks the service for what it names (no error, no SQL)."""
    owner, _ = bob_worked
    service = ActivityService(owner)
    known = service.actions()
    for fam in words.FAMILIES:
        for action in fam.service_actions(known):
            for e in service.log(ActivityFilter(action=action)):
                assert fam.matches(e.action)
