"""``crmdesk --self-test`` (what the bundled app runs to check itself) and build.spec."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import keyring
import pytest

from crmdesk import selftest
from crmdesk.cli import main
from crmdesk.services.session import KeyringState
from crmdesk.vault.keys.keystore import TRUSTED_BACKENDS
from tests.support import MemoryKeyStore

ROOT = Path(__file__).resolve().parents[1]
STEPS = [
    "Qt",
    "desktop app",
    "resources",
    "keyring",
    "vault",
    "record",
    "report",
    "audit",
    "clean-up",
]
PASSPHRASE = "not-a-real-passphrase-0123456789"


@pytest.fixture(autouse=True)
def private_temp(monkeypatch, tmp_path):
    """The self-test's temporary folders go under tmp_path, to check they are removed."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(selftest.secrets, "token_urlsafe", lambda n: PASSPHRASE)
    return tmp_path


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_self_test_passes_in_passphrase_mode(monkeypatch, capsys, private_temp):
    monkeypatch.setenv(selftest.NO_KEYRING_ENV, "1")
    assert main(["--self-test"]) == 0
    lines = _lines(capsys)
    assert [line.split(":")[0] for line in lines[:-1]] == [f"ok   {step}" for step in STEPS]
    assert "passphrase" in lines[STEPS.index("keyring")]
    assert lines[-1] == (
        f"self-test passed: all {len(STEPS)} checks ok; the vault key was wrapped by a "
        "passphrase (no OS keyring was used)"
    )
    assert PASSPHRASE not in "\n".join(lines)  # the passphrase is never printed
    assert list(private_temp.iterdir()) == []  # the temporary vault is gone


def test_a_failing_step_fails_the_self_test_and_still_cleans_up(monkeypatch, capsys, private_temp):
    def broken(state):
        raise RuntimeError("no PDF\ntoday")

    monkeypatch.setenv(selftest.NO_KEYRING_ENV, "1")
    monkeypatch.setattr(selftest, "_check_report", broken)
    assert main(["--self-test"]) == 1
    lines = _lines(capsys)
    assert "FAIL report: RuntimeError: no PDF today" in lines
    assert lines[STEPS.index("audit")].startswith("ok   audit:")
    assert lines[STEPS.index("clean-up")].startswith("ok   clean-up:")
    assert lines[-1].startswith(f"self-test FAILED: 1 of {len(STEPS)} checks failed; ")
    assert list(private_temp.iterdir()) == []


def test_steps_after_a_failed_vault_are_failed_not_skipped(monkeypatch, capsys):
    def no_vault(state):
        raise OSError("disk full")

    monkeypatch.setenv(selftest.NO_KEYRING_ENV, "1")
    monkeypatch.setattr(selftest, "_create_vault", no_vault)
    assert selftest.run_self_test() == 1
    out = "\n".join(_lines(capsys))
    assert "FAIL vault: OSError: disk full" in out
    for step in ("record", "report", "audit"):
        assert f"FAIL {step}: RuntimeError: not run" in out


def test_the_keyring_entry_is_deleted_even_when_a_step_fails(monkeypatch, capsys):
    store = MemoryKeyStore()
    monkeypatch.setattr(selftest, "keyring_state", lambda: KeyringState(True, "test keyring"))
    monkeypatch.setattr(selftest, "system_keystore", lambda: store)
    monkeypatch.setattr(selftest, "verify_audit", lambda session: 1 / 0)
    assert selftest.run_self_test(use_keyring=True) == 1
    lines = _lines(capsys)
    assert lines[STEPS.index("keyring")] == "ok   keyring: test keyring"
    assert "key in the test keyring and opened again with it" in lines[STEPS.index("vault")]
    assert lines[STEPS.index("audit")].startswith("FAIL audit: ZeroDivisionError")
    assert lines[STEPS.index("clean-up")] == (
        "ok   clean-up: temporary vault and keyring entry removed"
    )
    assert store.entries == {}


def test_a_keyring_entry_that_stays_fails_the_clean_up(monkeypatch, capsys):
    class StickyKeyStore(MemoryKeyStore):
        def delete(self, vault_id):
            pass

    store = StickyKeyStore()
    monkeypatch.setattr(selftest, "keyring_state", lambda: KeyringState(True, "test keyring"))
    monkeypatch.setattr(selftest, "system_keystore", lambda: store)
    assert selftest.run_self_test(use_keyring=True) == 1
    lines = _lines(capsys)
    assert lines[STEPS.index("clean-up")].startswith("FAIL clean-up: RuntimeError: the keyring")
    assert lines[-1] == (
        f"self-test FAILED: 1 of {len(STEPS)} checks failed; the vault key was kept in the "
        "test keyring"
    )


def test_a_missing_qt_module_fails_the_qt_step(monkeypatch, capsys):
    monkeypatch.setenv(selftest.NO_KEYRING_ENV, "1")
    monkeypatch.setattr(selftest, "QT_MODULES", (*selftest.QT_MODULES, "QtNoSuchThing"))
    assert selftest.run_self_test() == 1
    assert "FAIL Qt: ModuleNotFoundError: No module named 'PySide6.QtNoSuchThing'" in _lines(capsys)


# -- --expect-keyring: the keyring run of a build cannot pass on a passphrase --------------


def test_expect_keyring_fails_when_no_keyring_is_usable(monkeypatch, capsys, private_temp):
    problem = "No OS keyring is available on this computer. Use a passphrase."
    monkeypatch.delenv(selftest.NO_KEYRING_ENV, raising=False)
    monkeypatch.setattr(selftest, "keyring_state", lambda: KeyringState(False, "", problem))
    assert selftest.run_self_test(expect_keyring=True) == 1
    lines = _lines(capsys)
    assert lines[STEPS.index("keyring")] == (
        "FAIL keyring: RuntimeError: none usable here (No OS keyring is available on this "
        "computer), but --expect-keyring asks for the key in the OS keyring; the vault uses "
        "a passphrase instead"
    )
    # The other checks still ran (with a passphrase) and say so.
    assert lines[STEPS.index("record")].startswith("ok   record:")
    assert lines[-1] == (
        f"self-test FAILED: 1 of {len(STEPS)} checks failed; the vault key was wrapped by a "
        "passphrase (no OS keyring was used)"
    )
    assert list(private_temp.iterdir()) == []


def test_without_expect_keyring_the_same_machine_passes_on_a_passphrase(monkeypatch, capsys):
    problem = "No OS keyring is available on this computer. Use a passphrase."
    monkeypatch.delenv(selftest.NO_KEYRING_ENV, raising=False)
    monkeypatch.setattr(selftest, "keyring_state", lambda: KeyringState(False, "", problem))
    assert selftest.run_self_test() == 0
    lines = _lines(capsys)
    assert lines[STEPS.index("keyring")].startswith("ok   keyring: none usable here")
    assert lines[-1].endswith(
        "; the vault key was wrapped by a passphrase (no OS keyring was used)"
    )


def test_expect_keyring_contradicts_the_no_keyring_switch(monkeypatch, capsys):
    monkeypatch.setenv(selftest.NO_KEYRING_ENV, "1")
    assert main(["--self-test", "--expect-keyring"]) == 1
    lines = _lines(capsys)
    assert lines[STEPS.index("keyring")].startswith(
        "FAIL keyring: RuntimeError: CRMDESK_SELFTEST_NO_KEYRING is set, but --expect-keyring"
    )


def test_expect_keyring_goes_with_the_self_test(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--expect-keyring"])
    assert stopped.value.code == 2
    assert "--expect-keyring goes with --self-test" in capsys.readouterr().err


@pytest.mark.keyring
def test_self_test_with_the_secret_service(monkeypatch, capsys):
    monkeypatch.delenv(selftest.NO_KEYRING_ENV, raising=False)
    vault_ids = []
    create = selftest.create_vault

    def remembering(*args, **kwargs):
        session, recovery_key = create(*args, **kwargs)
        vault_ids.append(session.vault.meta.vault_id)
        return session, recovery_key

    monkeypatch.setattr(selftest, "create_vault", remembering)
    assert main(["--self-test", "--expect-keyring"]) == 0
    lines = _lines(capsys)
    assert lines[STEPS.index("keyring")] == "ok   keyring: Secret Service"
    assert "keyring entry removed" in lines[STEPS.index("clean-up")]
    assert lines[-1].endswith("; the vault key was kept in the Secret Service")
    assert len(vault_ids) == 1
    assert keyring.get_password("crmdesk", f"vault-{vault_ids[0]}") is None


# -- build.spec ----------------------------------------------------------------------------


def _spec() -> ast.Module:
    return ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec")


def _spec_list(name: str) -> list[str]:
    for node in _spec().body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"build.spec does not assign {name}")


def _gui_qt_modules() -> set[str]:
    """Every PySide6 module imported anywhere under src/crmdesk/gui."""
    found = set()
    for path in (ROOT / "src" / "crmdesk" / "gui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found |= {n.split(".")[1] for n in names if n.startswith("PySide6.Qt")}
    return found


def test_build_spec_bundles_every_qt_module_the_gui_imports():
    used = _gui_qt_modules()
    assert {"QtCore", "QtGui", "QtWidgets", "QtCharts", "QtPdf"} <= used  # the scan works
    bundled = set(_spec_list("QT_MODULES"))
    assert used - bundled == set(), "add these Qt modules to QT_MODULES in build.spec"
    assert "QtSvg" in bundled  # the SVG icons need it though nothing imports it
    assert bundled & set(_spec_list("QT_EXCLUDED")) == set()
    # The self-test imports the same modules, so a bundle missing one fails it.
    assert set(selftest.QT_MODULES) == bundled


def test_build_spec_names_every_trusted_keyring_backend():
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    for backend in TRUSTED_BACKENDS:
        module = backend.rsplit(".", 1)[0]
        assert f'"{module}"' in spec, f"build.spec's hiddenimports lack {module}"


def test_build_spec_bundles_every_resource_folder():
    destinations: set[str] = set()
    for node in _spec().body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "datas" for t in node.targets
        ):
            destinations = {ast.literal_eval(entry.elts[1]) for entry in node.value.elts}
    folders = {f"resources/{p.name}" for p in (ROOT / "resources").iterdir() if p.is_dir()}
    assert "resources/demo" in folders
    assert folders - destinations == set(), "add these folders to datas in build.spec"
    # The self-test looks for every demo table, so a bundle missing one fails it.
    tables = {p.name for p in (ROOT / "resources" / "demo").glob("*.json")}
    assert set(selftest.DEMO_TABLES) == tables
