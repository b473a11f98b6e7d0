"""The owner's Office menu: users, the confidentiality policy, the screen watermark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from crmdesk.gui.main_window import MainWindow
from crmdesk.gui.people import policy_editor
from crmdesk.gui.people.gates import complete_sign_in
from crmdesk.gui.people.policy_dialog import PolicyDialog
from crmdesk.gui.people.policy_editor import PolicyEditor
from crmdesk.gui.people.signin_dialog import SignInDialog
from crmdesk.gui.people.users_dialog import (
    AddUserDialog,
    DisableUserDialog,
    EnableUserDialog,
    UsersDialog,
)
from crmdesk.gui.watermark import WatermarkOverlay
from crmdesk.services import session as sessions
from crmdesk.services import signin, unlocking
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.settings import settings
from tests.gui.conftest import GUI_TODAY
from tests.gui.people_support import OWN, Answers, audit_actions, make_office


@pytest.fixture(autouse=True)
def no_dialog_left_hanging():
    guard = Answers(timeout=60)
    yield
    guard.check()


@pytest.fixture
def office(gui_session, vault_dir, keystore):
    made = make_office(gui_session, vault_dir, keystore)
    yield made
    made.close_all()


@pytest.fixture
def owner_window(qtbot, office):
    window = MainWindow(
        office.owner(), office.folder, keystore=office.keystore, today=lambda: GUI_TODAY
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def test_the_owner_has_the_office_menu(owner_window):
    window = owner_window
    assert window.office_menu.menuAction().isVisible()
    office = window.office
    for action in (
        office.act_users,
        office.act_policy,
        office.act_watermark,
        office.act_measures,
        office.act_offboard,
        office.act_rotate,
    ):
        assert action.isVisible()
    assert office.act_watermark.isCheckable() and office.act_watermark.isChecked()
    assert window.act_copy.isVisible() and window.act_demo.isVisible()
    assert "signed in as Zoë Łukasiewicz (Owner)" in window.security_label.text()


# -- users -----------------------------------------------------------------------------------


def test_users_dialog_adds_a_user_and_disables_one(qtbot, gui_session, vault_dir, keystore):
    signin.set_password(gui_session, "owner password 123")
    dialog = UsersDialog(gui_session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 1  # the owner
    assert not dialog.password_box.isVisible()
    seen: dict[str, object] = {}

    def fill(add: AddUserDialog) -> None:
        add.login_edit.setText("erin")
        add.name_edit.setText("Erin Walsh")
        add.role_combo.setCurrentIndex(add.role_combo.findData("manager"))
        add.password.first.setText("erin initial 1")
        add.password.second.setText("erin initial 2")
        add.submit()  # the two differ: stays open
        assert add.isVisible() and "differ" in add.message.text()
        add.password.second.setText("erin initial 1")
        add.submit()
        # The first colleague: the keyring stops opening the vault; the owner confirms.
        assert add.current_page() is add.owner_page
        seen["intro"] = add.owner_intro.text()
        seen["explained"] = add.owner_explanation.text()
        assert add.confirm_button.text() == "Add Erin Walsh"
        add.owner_password_edit.setText("not my password")
        add.confirm_owner_password()
        seen["wrong"] = add.owner_message.text()
        assert add.current_page() is add.owner_page
        add.owner_password_edit.setText("owner password 123")
        add.confirm_owner_password()
        # Then the owner's new recovery key, shown once, with its kit to print.
        assert add.current_page() is add.key_page
        seen["added"] = add.added_label.text()
        seen["key"] = add.key_panel.shown_key()
        assert not add.finish_button.isEnabled()
        add.reject()  # not before the key is stored
        assert add.isVisible() and "will not be shown again" in add.key_panel.message.text()
        kit = add.key_panel.print_kit()
        assert kit is not None and kit.report.record.kind == "recovery-kit"
        kit.close()
        add.key_panel.stored_checkbox.setChecked(True)
        add.finish_button.click()

    answers = Answers().on(AddUserDialog, fill)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    answers.check()
    assert "Erin Walsh is the first colleague in this vault" in str(seen["intro"])
    assert "new recovery key" in str(seen["explained"])
    assert "That is not your password; the user was not added." in str(seen["wrong"])
    assert "Erin Walsh (erin) was added as Manager" in str(seen["added"])
    key = str(seen["key"]).replace("\n", "-")
    assert len(key.split("-")) >= 10
    logins = [dialog.model.key_at(r) for r in range(dialog.model.rowCount())]
    assert sorted(logins) == ["erin", "zoe"]
    assert dialog.selected_login() == "erin"
    row = dialog.model.row_of("erin")
    assert dialog.model.text_at(row, 2) == "Manager"
    assert dialog.model.text_at(row, 3) == "Active · must choose a password"
    assert dialog.model.text_at(row, 4) == "never"
    assert "Erin Walsh (erin) was added as Manager" in dialog.message.text()
    assert keystore.entries == {}  # the keyring opens this vault no more

    def disable(box: DisableUserDialog) -> None:
        box.reason_edit.setText("left the company")
        box.submit()

    answers = Answers().on(DisableUserDialog, disable)
    qtbot.mouseClick(dialog.disable_button, Qt.MouseButton.LeftButton)
    answers.check()
    assert dialog.model.text_at(dialog.model.row_of("erin"), 3).startswith("Disabled since")
    assert dialog.enable_button.isVisible() and not dialog.disable_button.isVisible()
    assert dialog.message.text() == "Erin Walsh can no longer sign in."
    erin = next(u for u in UserService(gui_session).list() if u.login == "erin")
    assert not erin.enabled
    actions = audit_actions(gui_session)
    assert actions[-2:] == ["user.disabled", "key.rotated"]  # the keys she held changed

    def enable(box: EnableUserDialog) -> None:
        box.submit()  # no password yet
        seen["no password"] = box.message.text()
        box.password.first.setText("erin again 123")
        box.password.second.setText("erin again 123")
        box.submit()

    answers = Answers().on(EnableUserDialog, enable)
    qtbot.mouseClick(dialog.enable_button, Qt.MouseButton.LeftButton)
    answers.check()
    assert "at least 10 characters" in str(seen["no password"])
    assert dialog.model.text_at(dialog.model.row_of("erin"), 3) == "Active · must choose a password"
    assert "Give them the initial password" in dialog.message.text()
    sessions.sign_in_at(vault_dir, "erin", "erin again 123").close()

    # The recovery key shown opens the vault (the owner's account, with a new password).
    gui_session.close()
    recovered = unlocking.recover_for_sign_in(
        vault_dir, key, login="zoe", new_password="owner again 123"
    )
    assert recovered.sole_user().actor == "zoe"
    recovered.close()


def test_adding_a_user_needs_the_owners_password_first(qtbot, gui_session):
    dialog = UsersDialog(gui_session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password_box.isVisible()

    def fill(add: AddUserDialog) -> None:
        add.login_edit.setText("erin")
        add.name_edit.setText("Erin Walsh")
        add.password.first.setText("erin initial 1")
        add.password.second.setText("erin initial 1")
        add.submit()
        assert add.isVisible() and "Set your own sign-in password first" in add.message.text()
        add.reject()

    answers = Answers().on(AddUserDialog, fill)
    dialog.add_user()
    answers.check()
    assert dialog.model.rowCount() == 1


def test_owner_cannot_disable_or_change_their_own_role(qtbot, office, gui_session):
    dialog = UsersDialog(gui_session)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.refresh(select="zoe")
    assert dialog.reset_button.isEnabled()
    assert not dialog.role_button.isEnabled() and not dialog.disable_button.isEnabled()
    dialog.refresh(select="bob")
    assert dialog.role_button.isEnabled() and dialog.disable_button.isEnabled()


# -- the policy --------------------------------------------------------------------------------


def test_publishing_a_policy_makes_bob_accept_it_at_his_next_sign_in(qtbot, office, monkeypatch):
    office.ready("bob")  # bob accepted version 1 and chose his password
    owner = office.owner()
    editor = PolicyEditor(owner)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.version_label.text().startswith("In force: Version 1 · published ")
    assert not editor.publish_button.isEnabled()
    assert editor.model.rowCount() >= 2  # zoe (publisher) and bob
    assert editor.pending_label.text().startswith("Not yet accepted version 1: ")
    assert "Bob Stone" not in editor.pending_label.text()

    asked: list[int] = []
    monkeypatch.setattr(policy_editor, "ask_publish", lambda _p, v: asked.append(v) or True)
    editor.editor.setPlainText("Too short.")
    editor.publish()
    assert "1833" in editor.message.text() or "notice" in editor.message.text().lower()
    assert PolicyService(owner).current().version == 1

    text = PolicyService(owner).current().text + "\n\nNo client lists on personal phones."
    editor.editor.setPlainText(text)
    assert editor.publish_button.isEnabled()
    editor.publish()
    assert asked[-1] == 2
    assert "Version 2 is in force" in editor.message.text()
    assert editor.version_label.text().startswith("In force: Version 2")
    assert "Bob Stone" in editor.pending_label.text()

    unlocked = sessions.open_vault(office.folder, keystore=office.keystore)
    seen: list[str] = []

    def sign_in(dialog: SignInDialog) -> None:
        dialog.login_edit.setText("bob")
        dialog.password_edit.setText(OWN["bob"])
        dialog.sign_in()

    def accept(dialog: PolicyDialog) -> None:
        seen.append(dialog.version_label.text())
        seen.append(dialog.text_view.toPlainText())
        dialog.accept_check.setChecked(True)
        dialog.accept_policy()

    answers = Answers().on(SignInDialog, sign_in).on(PolicyDialog, accept)
    session = complete_sign_in(None, unlocked)
    answers.check()
    assert session is not None
    office.opened.append(session)
    assert seen[0].startswith("Version 2")
    assert "No client lists on personal phones." in seen[1]
    editor.refresh()
    assert editor.pending_label.text().startswith("Not yet accepted version 2")
    assert "Bob Stone" not in editor.pending_label.text()


def test_everyone_can_read_the_policy_from_the_help_menu(qtbot, owner_window):
    seen: list[bool] = []

    def look(dialog: PolicyDialog) -> None:
        seen.append(dialog.accept_check.isVisible())
        dialog.reject()

    answers = Answers().on(PolicyDialog, look)
    owner_window.act_read_policy.trigger()
    answers.check()
    assert seen == [False]


# -- the screen watermark ----------------------------------------------------------------------


def _differs(a: QImage, b: QImage) -> int:
    """How many of a grid of sample points differ between two images of one size."""
    assert a.size() == b.size()
    count = 0
    for x in range(0, a.width(), 7):
        for y in range(0, a.height(), 7):
            if a.pixel(x, y) != b.pixel(x, y):
                count += 1
    return count


def test_screen_watermark_marks_the_editor_and_list_and_is_toggled_live(
    qtbot, owner_window, office
):
    window = owner_window
    window.show_client(office.others_client)
    editor = window.editor
    overlay = next(o for o in window.watermarks.overlays if o.parentWidget() is editor)
    assert isinstance(overlay, WatermarkOverlay)
    assert overlay.isVisible()
    assert overlay.geometry() == editor.rect()
    assert overlay.text() == "Zoë Łukasiewicz · 2026-11-29"
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert {o.parentWidget() for o in window.watermarks.overlays} >= {
        window.list_panel,
        editor,
    }
    with_mark = editor.grab().toImage()

    window.office.act_watermark.trigger()  # off, for everyone
    assert not window.office.act_watermark.isChecked()
    assert not overlay.isVisible()
    assert settings(window.session).screen_watermark is False
    assert audit_actions(window.session)[-1] == "settings.changed"
    without = editor.grab().toImage()

    # The marks cover the whole area: every quarter of the editor changes.
    w, h = with_mark.width(), with_mark.height()
    for x0, y0 in ((0, 0), (w // 2, 0), (0, h // 2), (w // 2, h // 2)):
        quarter_a = with_mark.copy(x0, y0, w // 2, h // 2)
        quarter_b = without.copy(x0, y0, w // 2, h // 2)
        assert _differs(quarter_a, quarter_b) > 20

    window.office.act_watermark.trigger()  # on again
    assert overlay.isVisible() and settings(window.session).screen_watermark is True
    assert _differs(editor.grab().toImage(), with_mark) == 0

    # Resizing the window keeps the overlay over the whole editor.
    window.resize(window.width() - 120, window.height() - 80)
    QApplication.processEvents()
    assert overlay.geometry() == editor.rect()


def test_clicks_and_typing_pass_through_the_watermark(qtbot, owner_window, office):
    window = owner_window
    window.show_client(office.others_client)
    editor = window.editor
    editor.tabs.setCurrentWidget(editor.overview)
    industry = editor.overview.lines["industry"]
    QApplication.processEvents()
    assert window.watermarks.is_on()
    centre = industry.mapTo(window, industry.rect().center())
    # A click at window level finds the widget under the point, as a real click does.
    assert window.childAt(centre) is industry
    QTest.mouseClick(
        window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre
    )
    assert QApplication.focusWidget() is industry
    industry.selectAll()
    QTest.keyClicks(industry, "Seafood")
    assert industry.text() == "Seafood"
    assert editor.is_dirty()
    editor.revert()  # closing the window would ask to save


def test_watermark_is_off_for_everyone_when_the_owner_turns_it_off(qtbot, office, gui_session):
    from crmdesk.services.settings import change_settings

    change_settings(gui_session, screen_watermark=False)
    window = MainWindow(
        office.ready("carol"), office.folder, keystore=office.keystore, today=lambda: GUI_TODAY
    )
    qtbot.addWidget(window)
    window.show()
    assert not window.watermarks.is_on()
    assert not any(o.isVisible() for o in window.watermarks.overlays)
    assert not window.office.act_watermark.isVisible()  # only the owner changes it
    window.close()


def test_watermark_names_the_signed_in_person(qtbot, office):
    window = MainWindow(
        office.ready("bob"), office.folder, keystore=office.keystore, today=lambda: GUI_TODAY
    )
    qtbot.addWidget(window)
    assert all(o.text() == "Bob Stone · 2026-11-29" for o in window.watermarks.overlays)
    window.close()


def test_overlay_follows_the_dark_palette(qtbot):
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QWidget

    target = QWidget()
    qtbot.addWidget(target)
    target.resize(400, 300)
    overlay = WatermarkOverlay(target, "Jane Doe", lambda: GUI_TODAY)
    palette = overlay.palette()
    palette.setColor(QPalette.ColorRole.Text, QColor("white"))
    overlay.setPalette(palette)
    ink = overlay.ink()
    assert (ink.red(), ink.green(), ink.blue()) == (255, 255, 255) and 0 < ink.alpha() < 60
    target.show()
    assert overlay.geometry() == target.rect()
    target.resize(500, 350)
    QApplication.processEvents()
    assert overlay.geometry() == target.rect()
    image = overlay.grab().toImage()
    assert any(
        QColor(image.pixel(x, y)).alpha() > 0 or image.pixel(x, y) != image.pixel(0, 0)
        for x in range(0, 500, 5)
        for y in range(0, 350, 5)
    )
    assert QPoint(0, 0) == overlay.pos()


# -- the other owner screens -------------------------------------------------------------------


def test_the_owner_has_the_activity_page_and_others_do_not(qtbot, owner_window, office):
    from crmdesk.gui.activity.page import ActivityPage

    window = owner_window
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels[-2:] == ["Activity", "Coverage"]  # the owner's pages
    assert isinstance(window.office.activity_page, ActivityPage)
    assert window.pages.indexOf(window.office.activity_page) == len(labels) - 2

    bobs = MainWindow(
        office.ready("bob"), office.folder, keystore=office.keystore, today=lambda: GUI_TODAY
    )
    qtbot.addWidget(bobs)
    assert "Activity" not in [bobs.nav.item(i).text() for i in range(bobs.nav.count())]
    assert bobs.office.activity_page is None
    bobs.close()


def test_offboard_and_rotate_open_their_screens(qtbot, owner_window):
    from crmdesk.gui.offboarding.rotate import RotateKeyDialog
    from crmdesk.gui.offboarding.wizard import OffboardingWizard

    answers = Answers().on(OffboardingWizard, lambda d: d.reject())
    owner_window.office.act_offboard.trigger()
    answers.check()
    answers = Answers().on(RotateKeyDialog, lambda d: d.reject())
    owner_window.office.act_rotate.trigger()
    answers.check()
    assert owner_window.session.is_open


def test_the_reasonable_measures_report_is_previewed(qtbot, owner_window):
    window = owner_window
    window.office.act_measures.trigger()
    with qtbot.waitSignal(window._report_op.finished, timeout=60_000):
        pass
    preview = window._last_preview
    qtbot.addWidget(preview)
    assert preview.report.record.kind == "measures"
    assert preview.page_count() >= 1
    assert audit_actions(window.session)[-1] == "report.printed"


# -- after the upgrade to key slots ------------------------------------------------------------


@pytest.fixture
def upgraded_office(tmp_path):
    """The schema-6 passphrase fixture vault, opened (and so upgraded) by its owner: the
    colleagues' old passwords were dropped and they wait for new ones."""
    import shutil

    from tests.fixtures.vault_fixtures import fixture_vaults

    fixture = next(f for f in fixture_vaults() if f.mode == "passphrase")
    folder = tmp_path / "vault"
    folder.mkdir(mode=0o700)
    for name in ("crmdesk.db", "vault.json"):
        shutil.copyfile(fixture.folder / name, folder / name)
    secrets = fixture.secrets()
    owner = sessions.unlock(
        folder,
        passphrase=secrets["passphrase"],
        login="zoe",
        password=secrets["users"]["zoe"]["password"],
    )
    yield owner, folder
    if owner.is_open:
        owner.close()


def test_colleagues_waiting_for_a_new_password_are_shown_with_the_action_they_need(
    qtbot, upgraded_office
):
    from crmdesk.gui.people.users_dialog import ResetPasswordDialog

    owner, folder = upgraded_office
    dialog = UsersDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()

    def status(login: str) -> str:
        return dialog.model.text_at(dialog.model.row_of(login), 3)

    for login in ("mateusz", "sakura", "chloe"):
        assert status(login) == "Needs a new password"
    assert status("bjorn").startswith("Disabled since")  # disabled before: nothing to do
    assert status("zoe") == "Active"
    note = dialog.awaiting_note.text()
    assert dialog.awaiting_note.isVisible()
    assert "Mateusz Wiśniewski" in note and "田中 さくら" in note and "Björn" not in note
    assert "Reset password…" in note

    dialog.refresh(select="sakura")
    assert dialog.reset_button.isEnabled() and dialog.reset_button.isDefault()
    assert "cannot sign in until you give them a new password" in dialog.reset_button.toolTip()

    def reset(box: ResetPasswordDialog) -> None:
        box.password.first.setText("sakura new pass 1")
        box.password.second.setText("sakura new pass 1")
        box.submit()

    answers = Answers().on(ResetPasswordDialog, reset)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter presses the action she needs
    answers.check()
    assert status("sakura") == "Active · must choose a password"
    assert not dialog.reset_button.isDefault()
    assert "田中 さくら" not in dialog.awaiting_note.text()
    with sessions.sign_in_at(folder, "sakura", "sakura new pass 1") as sakura:
        assert sakura.must_change_password


def test_the_status_bar_says_everyone_has_their_own_key_and_when_keys_wait(
    qtbot, owner_window, office
):
    window = owner_window
    assert window.security_label.text() == (
        "Encrypted · your own key (4 people) · signed in as Zoë Łukasiewicz (Owner)"
    )
    tip = window.security_label.toolTip()
    assert "4 people, each with their own key" in tip
    assert "nothing in this computer's keyring opens the vault" in tip

    # Another window has the vault open: the keys dave held cannot change yet.
    other = office.owner()
    warning = UserService(window.session).disable("dave", reason="left")
    assert warning is not None and "could not be changed yet" in warning
    window.update_security_state()
    assert window.security_label.text() == (
        "⚠ Key change waiting · Encrypted · your own key (3 people) · signed in as "
        "Zoë Łukasiewicz (Owner)"
    )
    assert "Close it there" in window.security_label.toolTip()
    other.close()


def test_the_status_bar_says_who_waits_for_a_new_password(qtbot, upgraded_office):
    owner, folder = upgraded_office
    window = MainWindow(owner, folder, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    assert window.security_label.text() == (
        "⚠ 3 need a new password · Encrypted · your own key (4 people) · signed in as "
        "Zoë Łukasiewicz (Owner)"
    )
    tip = window.security_label.toolTip()
    assert "Waiting for a new password: " in tip and "sakura" in tip
    assert "Office › Users…" in tip
    assert "(1 key slot, 2 books)" in tip  # only the owner's, until the others get one
    UserService(owner).reset_password("sakura", "sakura new pass 1")
    window.update_security_state()
    assert window.security_label.text().startswith("⚠ 2 need a new password · ")
    owner.close()  # closing the window would make the owner's automatic backup
