"""``crmdesk --self-test``: check an installation (or a frozen bundle) without a screen.

It makes a throw-away vault in a fresh temporary folder, with its key in the OS keyring
when one is usable (else wrapped by a random passphrase), writes a client and reads it
back, prints a watermarked client summary and reads the PDF's text, verifies the audit
trail, and imports every Qt module the desktop app needs without opening a window. One
line per step, then a summary that says where the vault key was kept; exit code 0 only
if every step passed. The temporary folder and the keyring entry are always removed. No
key or passphrase is ever printed.

``CRMDESK_SELFTEST_NO_KEYRING=1`` forces passphrase mode (for tests and headless checks).
``--expect-keyring`` (``expect_keyring=True``) makes the keyring step fail when the key
could not be kept in the OS keyring, instead of falling back to a passphrase: a build
that checks "the key in a Secret Service" then cannot pass without one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import pkgutil
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from pypdf import PdfReader

from crmdesk.errors import CrmdeskError
from crmdesk.resources import resources_dir
from crmdesk.services.clients import ClientService
from crmdesk.services.reports import ReportService
from crmdesk.services.session import (
    KeyStore,
    Owner,
    Session,
    VaultKey,
    create_vault,
    keyring_state,
    open_vault,
    system_keystore,
    verify_audit,
)

NO_KEYRING_ENV = "CRMDESK_SELFTEST_NO_KEYRING"
OWNER = Owner(full_name="crmdesk self-test", login="selftest", business="Self-test Ltd")

# The Qt modules the desktop app imports (build.spec must bundle each; a test checks
# both lists against src/crmdesk/gui). QtSvg is not imported by name: Qt's SVG icon and
# image plugins need it to draw the icons. Imported by name, not by an import
# statement, because only gui/ may depend on Qt; nothing here makes a window.
QT_MODULES = (
    "QtCore",
    "QtGui",
    "QtWidgets",
    "QtSvg",
    "QtPdf",
    "QtPdfWidgets",
    "QtPrintSupport",
    "QtCharts",
)
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
ICONS = ("crmdesk.svg", "lock.svg", "clients.svg")
DEMO_TABLES = ("people.json", "places.json", "industries.json", "records.json")

CLIENT = {
    "name": "Zoë's Self-Test Bakery",
    "status": "active",
    "email": "orders@self-test.example",
    "phone": "+1 202 555 0173",
    "tags": ["self-test"],
    "contacts": [{"name": "Nguyễn Thị Minh", "birthday": "1975-12-02"}],
    "purchases": [
        {
            "date": "2025-12-01",
            "items": [{"product": "Flour", "quantity": "10", "unit_price": "19.90"}],
        }
    ],
}


class _TrackingKeyStore:
    """The OS keyring, remembering the entries it wrote so the self-test can delete them."""

    def __init__(self, inner: KeyStore) -> None:
        self._inner = inner
        self.written: set[str] = set()

    def describe(self) -> str:
        return self._inner.describe()

    def get(self, vault_id: str) -> VaultKey | None:
        return self._inner.get(vault_id)

    def put(self, vault_id: str, key: VaultKey) -> None:
        self.written.add(vault_id)
        self._inner.put(vault_id, key)

    def delete(self, vault_id: str) -> None:
        self._inner.delete(vault_id)
        self.written.discard(vault_id)


@dataclass
class _State:
    folder: Path
    use_keyring: bool
    expect_keyring: bool = False
    keystore: _TrackingKeyStore | None = None
    key_storage: str = "no vault was made"  # where the vault key was kept, for the summary
    session: Session | None = None
    client_id: int | None = None

    def need_session(self) -> Session:
        if self.session is None:
            raise RuntimeError("not run: there is no vault (an earlier step failed)")
        return self.session


# -- the steps: each returns what it found, or raises ---------------------------------


def _check_qt(state: _State) -> str:
    qt = importlib.import_module("PySide6")
    for name in QT_MODULES:
        importlib.import_module(f"PySide6.{name}")
    # Plugins that a bundle could lack while every module imports: the platform that
    # opens windows on a screen, and the SVG image format that draws the icons.
    core, gui = qt.QtCore, qt.QtGui
    plugins = Path(core.QLibraryInfo.path(core.QLibraryInfo.LibraryPath.PluginsPath))
    platforms = {p.stem.removeprefix("lib").removeprefix("q") for p in plugins.glob("platforms/*")}
    screens = sorted(platforms & {"xcb", "wayland", "windows", "cocoa"})
    if not screens:
        raise RuntimeError(f"no Qt platform plugin for a screen in {plugins / 'platforms'}")
    if b"svg" not in [bytes(f) for f in gui.QImageReader.supportedImageFormats()]:
        raise RuntimeError("Qt cannot read SVG images (its imageformats plugin is missing)")
    return f"PySide6 {qt.__version__}: {', '.join(QT_MODULES)}; screens: {', '.join(screens)}"


def _check_gui(state: _State) -> str:
    gui = importlib.import_module("crmdesk.gui")
    modules = [m.name for m in pkgutil.walk_packages(gui.__path__, "crmdesk.gui.")]
    for name in modules:
        importlib.import_module(name)
    return f"all {len(modules)} modules of the desktop app import"


def _check_resources(state: _State) -> str:
    folder = resources_dir()
    wanted = [folder / "fonts" / f for f in FONTS] + [folder / "icons" / i for i in ICONS]
    wanted += [folder / "demo" / t for t in DEMO_TABLES]
    missing = [str(p.relative_to(folder)) for p in wanted if not p.is_file()]
    if missing:
        raise RuntimeError(f"missing in {folder}: {', '.join(missing)}")
    return f"fonts, icons and demo tables in {folder}"


def _check_keyring(state: _State) -> str:
    if not state.use_keyring:
        if state.expect_keyring:
            # The other steps still run, with a passphrase, to say what else works.
            raise RuntimeError(
                f"{NO_KEYRING_ENV} is set, but --expect-keyring asks for the key in the OS "
                "keyring; the vault uses a passphrase instead"
            )
        return f"not used ({NO_KEYRING_ENV} is set); the vault uses a passphrase"
    found = keyring_state()
    if not found.usable:
        state.use_keyring = False
        why = found.problem.split(". ")[0].rstrip(".")
        if state.expect_keyring:
            raise RuntimeError(
                f"none usable here ({why}), but --expect-keyring asks for the key in the OS "
                "keyring; the vault uses a passphrase instead"
            )
        return f"none usable here ({why}); the vault uses a passphrase"
    state.keystore = _TrackingKeyStore(system_keystore())
    return found.name


def _create_vault(state: _State) -> str:
    if state.keystore is not None:
        state.session, _recovery = create_vault(state.folder, OWNER, keystore=state.keystore)
        where = f"the {state.keystore.describe()}"
        state.key_storage = f"the vault key was kept in {where}"
        # The round trip the keyring is for: a second open finds the key there.
        open_vault(state.folder, keystore=state.keystore).close()
        return f"created in a temporary folder, key in {where} and opened again with it"
    passphrase = secrets.token_urlsafe(24)
    state.session, _recovery = create_vault(state.folder, OWNER, passphrase=passphrase)
    state.key_storage = "the vault key was wrapped by a passphrase (no OS keyring was used)"
    return "created in a temporary folder, key wrapped by a random passphrase"


def _check_record(state: _State) -> str:
    clients = ClientService(state.need_session())
    state.client_id = clients.add(CLIENT)
    client = clients.get(state.client_id)
    found = {
        "name": client.name,
        "emails": client.emails,
        "phones": client.phones,
        "tags": client.tags,
        "contact": client.contacts[0].name if client.contacts else None,
        "birthday": client.contacts[0].birthday if client.contacts else None,
        "unit_price": client.purchases[0].items[0].unit_price if client.purchases else None,
    }
    expected = {
        "name": CLIENT["name"],
        "emails": [CLIENT["email"]],
        "phones": ["+12025550173"],
        "tags": CLIENT["tags"],
        "contact": "Nguyễn Thị Minh",
        "birthday": dt.date(1975, 12, 2),
        "unit_price": Decimal("19.90"),
    }
    wrong = [key for key in expected if found[key] != expected[key]]
    if wrong:
        raise RuntimeError(f"read back differently: {', '.join(wrong)}")
    return f"client {state.client_id} written and read back ({len(expected)} fields compared)"


def _check_report(state: _State) -> str:
    session = state.need_session()
    if state.client_id is None:
        raise RuntimeError("not run: there is no client (an earlier step failed)")
    report = ReportService(session).client_summary(state.client_id)
    report_id = report.record.report_id
    pages = PdfReader(io.BytesIO(report.data)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        for wanted, what in ((session.full_name, "the watermark name"), (report_id, "the ID")):
            if wanted not in text:
                raise RuntimeError(f"page {number} of {len(pages)} lacks {what}")
    return f"client summary {report_id}: {len(pages)} page(s), each with name and ID"


def _check_audit(state: _State) -> str:
    chain = verify_audit(state.need_session())
    return f"{chain.length} entries, hash chain verified"


def _clean_up(state: _State) -> str:
    """Close the vault, delete the keyring entry and the folder; confirm both are gone."""
    problems = []
    if state.session is not None:
        try:
            state.session.close()
        except Exception as exc:  # noqa: BLE001 - still delete the key and the folder
            problems.append(f"closing the vault failed ({type(exc).__name__})")
        state.session = None
    removed = ["temporary vault"]
    store = state.keystore
    for vault_id in sorted(store.written) if store else []:
        try:
            store.delete(vault_id)
            gone = store.get(vault_id) is None
        except CrmdeskError as exc:
            gone = False
            problems.append(exc.message)
        if gone:
            removed.append("keyring entry")
        else:
            problems.append(f"the keyring entry crmdesk/vault-{vault_id} is still there")
    shutil.rmtree(state.folder, ignore_errors=True)
    if state.folder.exists():
        problems.append(f"cannot remove {state.folder}")
    if problems:
        raise RuntimeError("; ".join(problems))
    return " and ".join(removed) + " removed"


# -- running them ----------------------------------------------------------------------


def _run_step(name: str, step: Callable[[_State], str], state: _State, out: TextIO | None) -> bool:
    try:
        detail = step(state)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a FAIL line
        message = exc.message if isinstance(exc, CrmdeskError) else str(exc)
        message = " ".join(message.split())[:300] or "no details"
        print(f"FAIL {name}: {type(exc).__name__}: {message}", file=out)
        return False
    print(f"ok   {name}: {detail}", file=out)
    return True


def run_self_test(
    *,
    use_keyring: bool | None = None,
    expect_keyring: bool = False,
    out: TextIO | None = None,
) -> int:
    """Run every check, print one line each and a summary; 0 if all passed, else 1.

    With ``expect_keyring`` the keyring check fails unless the vault key can be kept in
    the OS keyring (no silent fallback to a passphrase)."""
    if use_keyring is None:
        use_keyring = os.environ.get(NO_KEYRING_ENV, "") in ("", "0")
    steps = [
        ("Qt", _check_qt),
        ("desktop app", _check_gui),
        ("resources", _check_resources),
        ("keyring", _check_keyring),
        ("vault", _create_vault),
        ("record", _check_record),
        ("report", _check_report),
        ("audit", _check_audit),
    ]
    state = _State(Path(tempfile.mkdtemp(prefix="crmdesk-selftest-")), use_keyring, expect_keyring)
    results = []
    try:
        for name, step in steps:
            results.append(_run_step(name, step, state, out))
    finally:
        results.append(_run_step("clean-up", _clean_up, state, out))
    failed = results.count(False)
    if failed:
        print(
            f"self-test FAILED: {failed} of {len(results)} checks failed; {state.key_storage}",
            file=out,
        )
        return 1
    print(f"self-test passed: all {len(results)} checks ok; {state.key_storage}", file=out)
    return 0
