"""The client screens show phone numbers as people of the vault's region write them
(issue 15 part 1): national for the vault's country, international for the others, as
`crmdesk client show` prints them; the vault keeps E.164."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from crmdesk.gui.clients.detail import editor as editor_mod
from crmdesk.gui.clients.detail.editor import ClientEditor
from crmdesk.gui.clients.list_model import NAME, ClientListModel
from crmdesk.gui.today.views import BirthdaysView, FollowUpsView
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.settings import change_phone_region
from tests.gui.conftest import GUI_TODAY

DRESDEN = "0351 223344"  # typed the way a German writes it
WASHINGTON = "+1 202 555 0173 ext. 102"


@pytest.fixture
def service(gui_session):
    change_phone_region(gui_session, "DE")
    return ClientService(gui_session, today=lambda: GUI_TODAY)


@pytest.fixture
def bakery(service):
    return service.add(
        {
            "name": "Bäckerei Ludwig",
            "kind": "company",
            "phones": [DRESDEN, WASHINGTON],
            "contacts": [{"name": "Zoë Ludwig", "phones": ["0151 12345678"],
                          "birthday": "1980-12-01"}],
            "tasks": [{"due": "2026-11-25", "title": "Call about rye", "done": False}],
        }
    )  # fmt: skip


@pytest.fixture
def editor(qtbot, service, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"unexpected dialog: {args[1:] if len(args) > 1 else kwargs}")

    monkeypatch.setattr(editor_mod, "show_error", refuse)
    w = ClientEditor(service, today=lambda: GUI_TODAY)
    qtbot.addWidget(w)
    w.resize(1000, 720)
    w.show()
    return w


def load(qtbot, editor, client_id: int) -> None:
    """Open a client and wait until the editor shows it (it is read on the worker)."""
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        editor.load(client_id)


def shown(qtbot, view):
    """A day's view shown, and its list read (on the worker)."""
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.show()
    return view


def test_the_vault_keeps_e164(service, bakery):
    data = service.get_json(bakery)
    assert data["phones"] == ["+49351223344", "+12025550173;ext=102"]
    assert data["contacts"][0]["phones"] == ["+4915112345678"]


def test_the_editor_shows_national_numbers_and_saves_them_unchanged(qtbot, editor, service, bakery):
    load(qtbot, editor, bakery)
    assert editor.overview.lines["phones"].text() == "0351 223344, +1 202-555-0173 ext. 102"
    editor.contacts.list.setCurrentRow(0)
    assert editor.contacts.edits["phones"].text() == "01511 2345678"
    assert not editor.is_dirty()
    version = service.get_json(bakery)["version"]
    editor.overview.lines["name"].setText("Bäckerei Ludwig GmbH")
    assert editor.save()
    data = service.get_json(bakery)
    assert data["version"] == version + 1
    assert data["phones"] == ["+49351223344", "+12025550173;ext=102"]
    assert data["contacts"][0]["phones"] == ["+4915112345678"]


def test_a_number_typed_in_the_editor_is_read_in_the_vault_region(qtbot, editor, service, bakery):
    load(qtbot, editor, bakery)
    line = editor.overview.lines["phones"]
    line.add_line()  # typed as a person does: "Add another phone", then the number
    qtbot.keyClicks(line.line_edits()[-1], "030 1234567")
    editor.contacts.list.setCurrentRow(0)
    contact_phones = editor.contacts.edits["phones"]
    contact_phones.add_line()
    qtbot.keyClicks(contact_phones.line_edits()[-1], "089 123456")
    assert editor.is_dirty()
    with qtbot.waitSignal(editor.loaded, timeout=10_000):  # saved, then read back
        assert editor.save()
    data = service.get_json(bakery)
    assert data["phones"] == ["+49351223344", "+12025550173;ext=102", "+49301234567"]
    assert data["contacts"][0]["phones"] == ["+4915112345678", "+4989123456"]
    assert editor.overview.lines["phones"].text().endswith(", 030 1234567")


def test_another_region_shows_the_same_numbers_internationally(qtbot, editor, gui_session, bakery):
    change_phone_region(gui_session, "US")
    load(qtbot, editor, bakery)
    assert editor.overview.lines["phones"].text() == "+49 351 223344, (202) 555-0173 ext. 102"


def test_the_list_and_day_views_show_national_numbers(qtbot, service, bakery):
    model = ClientListModel(service)
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=10_000)
    row = model.row_of(bakery)
    assert row is not None
    tip = model.index(row, NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[-1] == "0351 223344"
    assert service.list(ClientQuery())[0].phone == "+49351223344"

    followups = shown(qtbot, FollowUpsView(service, today=lambda: GUI_TODAY))
    assert followups.row_count() == 1
    assert followups.text_at(0, 5) == "0351 223344"

    birthdays = shown(qtbot, BirthdaysView(service, today=lambda: GUI_TODAY))
    assert birthdays.row_count() == 1
    assert birthdays.text_at(0, 4) == "01511 2345678"


def test_a_number_shown_in_one_region_is_read_in_the_next():
    """After the owner changes the region, a national number typed as one was shown
    before is read in the new region, not taken for the old one's number."""
    from crmdesk.gui.phone_text import PhoneText

    text = PhoneText("DE")
    assert text.show(["+49351223344"]) == "0351 223344"
    assert text.read(["0351 223344"]) == ["+49351223344"]
    text.region = "AT"
    assert text.read(["0351 223344"]) == ["0351 223344"]  # the service reads it in AT
