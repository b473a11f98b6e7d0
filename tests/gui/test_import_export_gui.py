"""The import wizard, the export dialog and the backup settings, over a real vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmdesk.gui.data_io import (
    BackupSettingsDialog,
    ExportDialog,
    ImportWizard,
    PhoneRegionDialog,
)
from crmdesk.gui.data_io import import_wizard as wizard_module
from crmdesk.gui.main_window import MainWindow
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.exports import ExportService
from crmdesk.services.imports import Choice
from crmdesk.services.settings import settings
from tests.gui.conftest import GUI_TODAY
from tests.gui.people_support import Answers, audit_actions

CSV = (
    "Name,Email,Phone\n"
    "Northwind Traders,orders@northwind.example,+1 202 555 0150\n"
    "Harbour Fish,buyer@harbour.example,+1 202 555 0151\n"
    "Zoe's Bakery Ltd,orders@zoes-bakery.example,\n"
)


@pytest.fixture(autouse=True)
def no_dialog_left_hanging():
    guard = Answers(timeout=60)
    yield
    guard.check()


@pytest.fixture
def existing(gui_session):
    clients = ClientService(gui_session)
    clients.add({"name": "Zoe's Bakery", "emails": ["orders@zoes-bakery.example"]})
    return clients


@pytest.fixture
def csv_file(tmp_path) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def planned_wizard(qtbot, session, path: Path) -> ImportWizard:
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.path_edit.setText(str(path))
    wizard.go_next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=10_000)
    assert wizard.pages.currentIndex() == wizard_module.PAGE_MAPPING
    return wizard


def test_the_wizard_merges_a_duplicate_and_adds_the_rest(qtbot, gui_session, existing, csv_file):
    wizard = planned_wizard(qtbot, gui_session, csv_file)
    assert "comma" in wizard.found_label.text()
    assert wizard.mapping_table.rowCount() == 3
    assert wizard.edited_mapping()["Email"] == "email"
    assert wizard.preview_table.rowCount() == 3

    wizard.go_next()
    assert wizard.pages.currentIndex() == wizard_module.PAGE_PROBLEMS
    table = wizard.problems_table
    rows = [table.item(i, 0).text() for i in range(table.rowCount())]
    assert "4" in rows  # the header is row 1
    i = rows.index("4")
    assert table.item(i, 1).text() == "likely duplicate"
    assert table.item(i, 3).text() == "Zoe's Bakery"
    # The defaults keep the contact: a likely duplicate is merged, not dropped.
    assert wizard.decisions()[4] is Choice.MERGE
    assert wizard.step_label.text() == "Step 3 of 3: Decide about the rows with problems"
    # Counted in words a person reads: one duplicate is "1 likely duplicate".
    assert wizard.counts_label.text().startswith("3 rows: ")
    assert "1 likely duplicate, 0 possible duplicates)" in wizard.counts_label.text()

    wizard.commit()
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=10_000)
    assert wizard.result.added == 2
    assert wizard.result.merged == 1
    assert wizard.pages.currentIndex() == wizard_module.PAGE_DONE
    assert "2 clients added" in wizard.result_label.text()
    assert existing.count(ClientQuery()) == 3
    assert "clients.imported" in audit_actions(gui_session)


def test_columns_are_named_in_words_and_one_choice_applies_to_all(
    qtbot, gui_session, existing, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text(
        "First Name,Last Name,Company,E-mail\n"
        "Ada,Lovelace,Engines,not-an-email\n"
        "Alan,Turing,Bletchley,also-not-an-email\n"
        "Grace,Hopper,Cobol,grace@cobol.example\n",
        encoding="utf-8",
    )
    wizard = planned_wizard(qtbot, gui_session, path)
    assert wizard.step_label.text() == "Step 2 of 3: Check the columns"
    first = wizard.mapping_boxes["First Name"]
    assert first.currentText() == "The person's first name"  # not "contact.given_name"
    assert not wizard.preview_table.verticalHeader().isVisible()  # one row numbering only
    wizard.go_next()
    # A bad email is left out; the person is kept.
    assert set(wizard.decisions().values()) == {Choice.IMPORT}
    assert wizard.kind_combo.count() == 1
    assert wizard.apply_to_all("invalid email", Choice.SKIP) == 2
    assert set(wizard.decisions().values()) == {Choice.SKIP}
    wizard.all_choice_combo.setCurrentIndex(wizard.all_choice_combo.findData(Choice.IMPORT))
    wizard.apply_all_button.click()
    assert set(wizard.decisions().values()) == {Choice.IMPORT}
    wizard.commit()
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=10_000)
    assert wizard.result.added == 3


def test_merge_is_offered_only_for_duplicates(qtbot, gui_session, existing, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Name,Email\nAcme,not-an-email\n", encoding="utf-8")
    wizard = planned_wizard(qtbot, gui_session, path)
    wizard.go_next()
    box = wizard.decision_boxes[2]
    assert box.findData(Choice.MERGE) < 0
    with pytest.raises(ValueError):
        wizard.set_decision(2, Choice.MERGE)


def test_closing_the_wizard_imports_nothing(qtbot, gui_session, existing, csv_file):
    wizard = planned_wizard(qtbot, gui_session, csv_file)
    wizard.go_next()
    wizard.reject()
    assert existing.count(ClientQuery()) == 1
    assert "clients.imported" not in audit_actions(gui_session)


def test_a_cancelled_import_imports_nothing(qtbot, monkeypatch, gui_session, existing, csv_file):
    wizard = planned_wizard(qtbot, gui_session, csv_file)
    wizard.go_next()
    real = wizard.service.commit

    def cancelled_at_once(plan, decisions, *, progress, cancelled):
        # As if the progress dialog's Cancel was pressed before the first row.
        return real(plan, decisions, progress=progress, cancelled=lambda: True)

    monkeypatch.setattr(wizard.service, "commit", cancelled_at_once)
    wizard.commit()
    qtbot.waitUntil(lambda: not wizard.op.is_running(), timeout=10_000)
    qtbot.waitUntil(lambda: "cancelled" in wizard.counts_label.text(), timeout=10_000)
    assert wizard.result is None
    assert existing.count(ClientQuery()) == 1
    assert "clients.imported" not in audit_actions(gui_session)


def test_the_export_dialog_writes_a_registered_csv(qtbot, gui_session, existing, tmp_path):
    dialog = ExportDialog(gui_session, ClientQuery())
    qtbot.addWidget(dialog)
    dialog.set_format("csv")
    dialog.path_edit.setText(str(tmp_path / "out"))  # the extension is added
    dialog.export()
    qtbot.waitUntil(lambda: dialog.record is not None, timeout=10_000)
    out = tmp_path / "out.csv"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    record = dialog.record
    assert f"Export ID: {record.export_id}" in dialog.message.text()
    assert str(out) in dialog.message.text()
    assert record.export_id in [r.export_id for r in ExportService(gui_session).recent()]


def test_the_export_follows_the_format_and_scope(qtbot, gui_session, existing, tmp_path):
    query = ClientQuery(text="nothing matches this")
    dialog = ExportDialog(gui_session, query)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "clients.csv"))
    dialog.set_format("vcf")
    assert dialog.path_edit.text().endswith("clients.vcf")
    assert dialog.query() == ClientQuery()
    dialog.matching_button.setChecked(True)
    assert dialog.query() is query


def test_backup_settings_are_saved(qtbot, gui_session, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    dialog = BackupSettingsDialog(gui_session)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(folder))
    dialog.kept_spin.setValue(7)
    dialog.save()
    saved = settings(gui_session)
    assert saved.backup_folder == str(folder)
    assert saved.backups_kept == 7


def test_a_bad_backup_folder_is_explained_in_the_dialog(qtbot, gui_session, tmp_path):
    dialog = BackupSettingsDialog(gui_session)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(tmp_path / "missing"))
    dialog.save()
    assert "does not exist" in dialog.message.text()
    assert settings(gui_session).backup_folder == ""


def test_the_owner_menu_has_the_new_actions(qtbot, gui_session, vault_dir, keystore):
    window = MainWindow(gui_session, vault_dir, keystore=keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    office = window.office
    for action in (office.act_import, office.act_export, office.act_backup):
        assert action.isVisible()
    assert office.act_import.shortcut().toString() == "Ctrl+Shift+I"
    assert office.act_export.shortcut().toString() == "Ctrl+Shift+E"
    window.close()


SAMPLES = Path(__file__).parent.parent / "fixtures" / "contacts"


def test_the_wizard_offers_region_encoding_and_what_to_do_with_unreadable_values(
    qtbot, gui_session, existing
):
    # Issue 15: the choices of `crmdesk import --region --encoding --on-invalid`.
    wizard = ImportWizard(gui_session)
    qtbot.addWidget(wizard)
    assert wizard.region_box.currentData() == wizard.vault_region
    assert wizard.encoding_box.currentData() is None  # found from the file
    assert wizard.invalid_box.currentData() == Choice.IMPORT
    wizard.path_edit.setText(str(SAMPLES / "gmail-de.vcf"))
    wizard.region_box.setCurrentIndex(wizard.region_box.findData("DE"))
    wizard.go_next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=10_000)
    assert wizard.plan.phone_region == "DE" and wizard.plan.problems == ()
    assert "read as numbers of DE" in wizard.found_label.text()
    wizard.go_next()
    wizard.commit()
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=10_000)
    karl = next(r for r in existing.list(ClientQuery(limit=10)) if r.name == "Karl Müller")
    assert existing.get_json(karl.id, record_view=False)["phones"][0] == "+4915123456789"


def test_the_wizard_reads_in_the_encoding_chosen_and_skips_unreadable_rows(
    qtbot, gui_session, existing, tmp_path
):
    path = tmp_path / "list.csv"
    path.write_bytes("Name,Phone\nCafé Zoë,12\nAcme,+1 202 555 0173\n".encode("cp1252"))
    wizard = ImportWizard(gui_session)
    qtbot.addWidget(wizard)
    wizard.path_edit.setText(str(path))
    wizard.encoding_box.setCurrentIndex(wizard.encoding_box.findData("Windows-1252"))
    wizard.invalid_box.setCurrentIndex(wizard.invalid_box.findData(Choice.SKIP))
    wizard.go_next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=10_000)
    assert wizard.plan.encoding.label == "Windows-1252"
    wizard.go_next()
    assert wizard.decisions()[2] is Choice.SKIP  # the bad phone number: skipped as chosen
    assert "cannot be read" in wizard.counts_label.text()


def test_the_owner_sets_the_vaults_phone_region(qtbot, gui_session, vault_dir, keystore):
    # Issue 15 part 1: the region is shown and changeable in the app.
    window = MainWindow(gui_session, vault_dir, keystore=keystore, today=lambda: GUI_TODAY)
    qtbot.addWidget(window)
    assert window.office.act_region.isVisible()
    dialog = PhoneRegionDialog(gui_session)
    qtbot.addWidget(dialog)
    dialog.region_box.setCurrentIndex(dialog.region_box.findData("IN"))
    dialog.save()
    assert dialog.saved is not None and settings(gui_session).phone_region == "IN"
    assert "settings.changed" in audit_actions(gui_session)
    again = PhoneRegionDialog(gui_session)
    qtbot.addWidget(again)
    assert again.region_box.currentData() == "IN" and again.region_box.currentText() == "IN (+91)"
    window.close()
