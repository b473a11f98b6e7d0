"""The app's side of an office of laptops: making the office, inviting a laptop, joining
it from the first-run screen, syncing from the File menu (on the database worker), the
Sync page, the status bar's indicator, and settling a conflict.

Real vaults on disk (an office vault and a laptop vault, as tests/sync does) exchanging
change files through a plain shared folder; real widgets, offscreen.
"""

from __future__ import annotations

import os
import re
import stat
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.ops import settle
from crmdesk.gui.sync import runner as sync_runner
from crmdesk.gui.sync.conflicts import ConflictsDialog
from crmdesk.gui.sync.office_dialogs import InviteDialog, MakeOfficeDialog
from crmdesk.gui.vault_flows import WelcomeDialog
from crmdesk.services.clients import ClientService
from crmdesk.services.replication import conflicts, joining, status
from tests.gui.conftest import GUI_TODAY, open_client
from tests.gui.test_fit_and_look import dark  # noqa: F401  (fixture)
from tests.services.office import (
    OWNER_PASSWORD,
    fast_passwords,  # noqa: F401  (fixture)
    make_office,
)
from tests.support import MemoryKeyStore
from tests.sync.office_vaults import client_id, join_laptop, office_with_folder

pytestmark = pytest.mark.filterwarnings(
    "ignore:Function. 'QApplication.setActiveWindow:DeprecationWarning"
)
SHOTS = os.environ.get("CRMDESK_SHOTS")  # a folder: screenshots are saved there too


def shot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


@pytest.fixture(autouse=True)
def no_timed_sync(monkeypatch):
    """Exchanges happen when a test asks (File › Sync now), not on the timer."""
    monkeypatch.setattr(sync_runner, "FIRST_SYNC_MS", 3_600_000)
    monkeypatch.setattr(sync_runner, "INTERVAL_MS", 3_600_000)


@pytest.fixture
def shared(tmp_path):
    return tmp_path / "shared"


@pytest.fixture
def office(vault, shared, fast_passwords):  # noqa: F811
    return office_with_folder(vault, shared)


def window_over(qtbot, session, folder, keystore=None) -> MainWindow:
    window = MainWindow(session, folder, keystore=keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()  # its first reads, the sync state among them
    return window


def sync_in(qtbot, window: MainWindow):
    """File › Sync now (its shortcut), until the exchange is back on the GUI thread."""
    # Shortcuts go to the active window (the offscreen platform activates none itself).
    QApplication.setActiveWindow(window)
    qtbot.waitActive(window)
    runner = window.office.sync.runner
    with qtbot.waitSignal(runner.synced, timeout=30_000) as got:
        qtbot.keyClick(
            window, Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )  # fmt: skip
    synced = got.args[0]
    assert synced.report is not None, synced.failure
    settle()
    return synced.report


def indicator(window: MainWindow) -> str:
    return window.office.sync.indicator.text()


# -- making an office and inviting a laptop ----------------------------------------------


def test_the_owner_makes_the_vault_an_office(qtbot, vault, keystore, tmp_path, fast_passwords):  # noqa: F811
    made = make_office(vault)
    window = window_over(qtbot, made.owner, vault.folder, keystore)
    sync = window.office.sync
    assert sync.act_make.isVisible() and not sync.act_invite.isVisible()
    assert not sync.act_sync.isVisible() and not sync.indicator.isVisible()
    pages = window.pages.count()

    dialog = MakeOfficeDialog(made.owner, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert "Choose the folder" in dialog.message.text()
    dialog.folder_row.edit.setText(str(tmp_path / "shared"))
    shot(dialog, "make-office")
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.office is not None, timeout=10_000)
    window.office.sync.runner.read_status()
    qtbot.waitUntil(lambda: sync.runner.is_office(), timeout=10_000)

    assert sync.act_invite.isVisible() and not sync.act_make.isVisible()
    assert sync.act_sync.isVisible() and sync.act_sync.shortcut().toString() == "Ctrl+Shift+S"
    assert window.pages.count() == pages + 1 and window.nav.item(pages).text() == "Sync"
    # Every client on file waits for the office's first sync.
    (on_file,) = made.owner.vault.connection.execute("SELECT count(*) FROM clients").fetchone()
    assert indicator(window) == f"Not synced yet · {on_file:,} waiting"
    window.close()


def test_the_invitation_dialog_writes_a_file_a_laptop_joins_with(qtbot, office, shared, tmp_path):
    window = window_over(qtbot, office.owner, office.vault.folder)
    assert window.office.sync.act_invite.isVisible()
    dialog = InviteDialog(office.owner, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
    logins = [dialog.user_box.itemData(i) for i in range(dialog.user_box.count())]
    assert "zoe" not in logins and {"sam", "kim"} <= set(logins)
    dialog.user_box.setCurrentIndex(logins.index("sam"))
    assert "holds a secret" in dialog.secret_note.text()
    assert "in person or on a USB stick" in dialog.secret_note.text()
    target = tmp_path / "for-sam"
    dialog.file_row.edit.setText(str(target))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=10_000)
    shot(dialog, "invite")

    saved = target.with_name("for-sam.crmdesk-invite")
    assert dialog.saved.path == saved and saved.is_file()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # it holds the secret
    assert re.search(r"expires on \S", dialog.message.text())
    invitation = joining.read_invitation(saved.read_bytes())
    assert invitation.login == "sam" and invitation.office == office.vault.meta.vault_id
    window.close()


# -- joining on the first-run screen -------------------------------------------------------


def test_the_join_flow_makes_a_laptop_vault(qtbot, office, shared, tmp_path):
    invitation = tmp_path / "sam.crmdesk-invite"
    invitation.write_bytes(joining.invite(office.owner, "sam"))
    welcome = WelcomeDialog(tmp_path / "laptop", keystore=MemoryKeyStore(), keyring_usable=True)
    qtbot.addWidget(welcome)
    welcome.show()
    shot(welcome, "welcome-choice")
    qtbot.mouseClick(welcome.join_office_button, Qt.MouseButton.LeftButton)
    assert welcome.current_page() is welcome.join_page

    welcome.invitation_row.edit.setText(str(tmp_path / "missing"))
    qtbot.mouseClick(welcome.join_button, Qt.MouseButton.LeftButton)
    assert "There is no file" in welcome.join_page.message.text()

    welcome.invitation_row.edit.setText(str(invitation))
    welcome.read_invitation()
    assert "for sam" in welcome.invitation_label.text()
    welcome.shared_row.edit.setText(str(shared))
    qtbot.keyClicks(welcome.join_name_edit, "Sam Reed")
    shot(welcome, "welcome-join")
    qtbot.mouseClick(welcome.join_button, Qt.MouseButton.LeftButton)

    assert welcome.current_page() is welcome.key_page
    assert welcome.joined_note.isVisible() and "owner" in welcome.joined_note.text()
    assert welcome.recovery_key_label.text()  # shown once, as for a new vault
    shot(welcome, "welcome-joined")
    qtbot.mouseClick(welcome.stored_checkbox, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(welcome.finish_button, Qt.MouseButton.LeftButton)
    session = welcome.session()
    assert session is not None and session.actor == "sam"
    found = status.sync_status(session)
    assert found is not None and found.kind == "member" and found.waiting_for_grant
    # The join request is in the shared folder, for the owner's next sync.
    assert list(shared.rglob("*.request"))
    session.close()


# -- syncing through the app ---------------------------------------------------------------


@pytest.fixture
def windows(qtbot, office, shared, tmp_path, keystore):
    laptop = join_laptop(office, "sam", "Sam Reed", tmp_path / "sam-laptop", shared)
    at_office = window_over(qtbot, office.owner, office.vault.folder, keystore)
    on_laptop = window_over(qtbot, laptop.session, laptop.folder)
    yield at_office, on_laptop, laptop
    on_laptop.close()
    at_office.close()
    laptop.session.close()


def test_sync_now_moves_an_edit_across_and_the_client_view_shows_it(
    qtbot, office, windows, monkeypatch
):
    at_office, on_laptop, laptop = windows
    threads = []
    real = sync_runner.exchange.sync_now

    def recorded(session):
        threads.append(threading.current_thread())
        return real(session)

    monkeypatch.setattr(sync_runner.exchange, "sync_now", recorded)
    assert on_laptop.office.sync.act_sync.isVisible()
    assert not on_laptop.office.sync.act_invite.isVisible()  # a laptop invites nobody
    assert indicator(on_laptop) == "Waiting for the owner"

    assert sync_in(qtbot, on_laptop).waiting_for_grant
    assert sync_in(qtbot, at_office).joined == ["sam"]
    received = sync_in(qtbot, on_laptop)
    assert not received.waiting_for_grant and received.created == 3
    assert re.fullmatch(r"Synced \d{1,2}:\d\d( [AP]M)?", indicator(on_laptop))
    # The laptop's client list read the clients it received (the change notice).
    qtbot.waitUntil(lambda: on_laptop.list_panel.model.total_count() == 3, timeout=10_000)

    open_client(qtbot, at_office, office.sams_client)
    on_laptop_id = client_id(laptop.vault, "Reed Supplies")
    open_client(qtbot, on_laptop, on_laptop_id)
    on_laptop.editor.overview.notes.setPlainText("Moved budget to Q2.")
    with qtbot.waitSignal(on_laptop.editor.saved, timeout=10_000):
        on_laptop.editor.save()
    settle()
    shot(on_laptop, "laptop-edited")

    assert sync_in(qtbot, on_laptop).sent_changes >= 1
    with qtbot.waitSignal(at_office.editor.loaded, timeout=20_000):
        assert sync_in(qtbot, at_office).received_changes >= 1
    assert at_office.editor.overview.notes.toPlainText() == "Moved budget to Q2."
    assert threads and threading.main_thread() not in threads  # on the database worker

    # The Sync page: this device, the peer, when its files were taken.
    page = at_office.office.sync.page
    at_office.office.sync.show_page()
    assert at_office.pages.currentWidget() is page
    assert page.fields["office"].text().endswith("(the office's own vault)")
    peers = page.peers.rows()
    assert [p.cells[0].text for p in peers] == ["sam"]
    assert peers[0].cells[2].text == "1" and peers[0].cells[3].text != "never"
    shot(at_office, "office-sync-page")


def test_a_conflict_is_listed_and_settling_it_removes_it_on_both(qtbot, office, windows):
    at_office, on_laptop, laptop = windows
    for window in (on_laptop, at_office, on_laptop):
        sync_in(qtbot, window)
    on_laptop_id = client_id(laptop.vault, "Reed Supplies")
    ClientService(laptop.session).update(on_laptop_id, {"status": "active"})
    ClientService(office.owner).update(office.sams_client, {"status": "former"})
    for window in (on_laptop, at_office, on_laptop):
        sync_in(qtbot, window)
    assert indicator(at_office).endswith("1 conflict")
    assert indicator(on_laptop).endswith("1 conflict")
    shot(at_office.statusBar(), "status-bar-conflict")

    dialog = ConflictsDialog(office.owner, at_office.notices, at_office)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.view.refreshed, timeout=10_000):
        dialog.show()
    view = dialog.view
    assert view.list_model.rowCount() == 1
    shown = view.list_model.row(0)
    assert [c.text for c in shown.cells[:3]] == ["Reed Supplies", "client", "status"]
    versions = view.versions_model.rows()
    values = {r.cells[0].text for r in versions}
    assert values == {"active", "former"}
    assert versions[0].cells[4].text == "shown now" and versions[1].cells[4].text == "not shown"
    assert {r.cells[1].text for r in versions} == {"zoe", "sam"}
    shot(dialog, "conflicts")

    lost = versions[1].cells[0].text
    view.versions.selectRow(1)
    with qtbot.waitSignal(view.settled, timeout=10_000):
        qtbot.mouseClick(view.settle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.list_model.rowCount() == 0, timeout=10_000)
    assert lost in view.message.text()
    assert ClientService(office.owner).get(office.sams_client).status == lost
    dialog.close()

    sync_in(qtbot, at_office)
    sync_in(qtbot, on_laptop)
    assert conflicts.list_conflicts(laptop.session) == []
    assert ClientService(laptop.session).get(on_laptop_id).status == lost
    assert "conflict" not in indicator(on_laptop)
    page = on_laptop.office.sync.page
    on_laptop.office.sync.show_page()
    page.tabs.setCurrentWidget(page.conflicts)
    qtbot.waitUntil(lambda: "No conflicts" in page.conflicts.summary.text(), timeout=10_000)


def test_a_failed_sync_is_said_in_the_status_bar(qtbot, windows, shared):
    at_office, _on_laptop, _laptop = windows
    runner = at_office.office.sync.runner
    shared.rename(shared.with_name("gone"))
    shared.write_text("not a folder any more")  # the share is gone: its name is a file
    with qtbot.waitSignal(runner.synced, timeout=30_000) as got:
        at_office.office.sync.act_sync.trigger()
    assert got.args[0].report is None
    assert indicator(at_office).startswith("Sync failed")
    assert "shared folder" in at_office.statusBar().currentMessage()
    assert QApplication.activeModalWidget() is None  # no dialog


def test_the_sync_page_follows_a_dark_palette(qtbot, dark, windows):  # noqa: F811
    at_office, on_laptop, _laptop = windows
    for window in (on_laptop, at_office, on_laptop):
        sync_in(qtbot, window)
    on_laptop.office.sync.show_page()
    page = on_laptop.office.sync.page
    image = page.grab().toImage()
    shot(on_laptop, "laptop-sync-page-dark")
    middle = image.pixelColor(image.width() // 2, image.height() - 20)
    assert middle.lightness() < 100  # the devices table's dark base, not a white box
    label = page.fields["office"]
    assert label.palette().color(label.foregroundRole()).lightness() > 150
    assert page.fields["office"].text().endswith("(a laptop of the office)")


def test_no_sync_runs_while_locked_or_after_closing(qtbot, windows):
    at_office, _on_laptop, _laptop = windows
    runner = at_office.office.sync.runner
    assert runner.timer.isActive() and runner.timer.interval() == sync_runner.INTERVAL_MS
    at_office.lock(ask=False)
    runner.tick()
    assert not runner.busy() and not runner.sync_now()
    at_office.lock_screen.password_edit.setText(OWNER_PASSWORD)
    at_office.lock_screen.unlock_requested.emit()
    assert at_office.session.is_open
    runner.tick()  # unlocked again: the timer's sync runs
    assert runner.busy()
    settle()
    at_office.close()
    runner.tick()
    assert not runner.busy()


def test_a_laptop_shows_what_its_persons_office_role_allows_after_a_sync(qtbot, windows):
    at_office, on_laptop, _laptop = windows
    assert on_laptop.session.role.value == "owner"  # its own new vault, before the office
    assert "(Owner)" in on_laptop.security_label.text()
    for window in (on_laptop, at_office, on_laptop):
        sync_in(qtbot, window)
    assert on_laptop.session.role.value == "salesperson"
    assert "signed in as Sam Reed (Salesperson)" in on_laptop.security_label.text()
    assert not on_laptop.act_delete.isVisible()  # a Salesperson deletes no client
