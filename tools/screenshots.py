"""Screenshots of crmdesk's main screens against demo data, into docs/screenshots/.

    .venv/bin/python tools/screenshots.py                 every screen, light and dark
    .venv/bin/python tools/screenshots.py --one 1366x768 dark      one size and theme

Runs without a display (Qt's offscreen platform on a virtual screen of the size asked
for: 1366x768, a common laptop, for every screen; 1920x1080 for the main window too).
Dark is the palette Qt's Fusion style uses on a dark desktop, set here because the
offscreen platform has no desktop theme. Each window is shown at the size it opens at
on that screen; one taller or wider than the screen is reported and fails the run.
The vault is a throw-away one in a temporary folder, protected by a passphrase so
that no keyring entry is left behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 29)
OUT = ROOT / "docs" / "screenshots"
PASSPHRASE = "screenshot passphrase 42"
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
TASKBAR = 40  # what a desktop's panel leaves of the screen's height


def dark_palette():  # type: ignore[no-untyped-def]
    """Fusion's palette on a dark desktop (Qt 6's QFusionStyle dark colours)."""
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for r, c in {
        role.Window: "#323232", role.WindowText: "#f0f0f0", role.Base: "#1e1e1e",
        role.AlternateBase: "#2c2c2c", role.ToolTipBase: "#3c3c3c", role.ToolTipText: "#f0f0f0",
        role.PlaceholderText: "#a0a0a0", role.Text: "#f0f0f0", role.Button: "#3c3c3c",
        role.ButtonText: "#f0f0f0", role.BrightText: "#ff5555", role.Light: "#505050",
        role.Midlight: "#424242", role.Mid: "#5a5a5a", role.Dark: "#1a1a1a",
        role.Shadow: "#0a0a0a", role.Highlight: "#3d8ee0", role.HighlightedText: "#ffffff",
        role.Link: "#6cb4ff", role.LinkVisited: "#b38cff",
    }.items():  # fmt: skip
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7a7a"))
    return p


class Shooter:
    def __init__(self, app, size: str, theme: str) -> None:  # type: ignore[no-untyped-def]
        self.app, self.size, self.theme = app, size, theme
        self.too_big: list[str] = []

    def name(self, base: str) -> str:
        suffix = "" if self.size == "1366x768" else f"-{self.size.split('x')[0]}"
        return f"{base}{suffix}{'-dark' if self.theme == 'dark' else ''}.png"

    def shot(self, widget, base: str) -> None:  # type: ignore[no-untyped-def]
        for _ in range(5):
            self.app.processEvents()
        screen = widget.screen().availableGeometry()
        frame = widget.frameGeometry()
        if frame.height() > screen.height() or frame.width() > screen.width():
            self.too_big.append(f"{base}: {frame.width()}x{frame.height()}")
        path = OUT / self.name(base)
        widget.grab().save(str(path))
        print(f"wrote {path} ({widget.width()}x{widget.height()})")


def wait_for(app, done, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    import time

    until = time.monotonic() + seconds
    while not done() and time.monotonic() < until:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(5):
        app.processEvents()


def one(size: str, theme: str) -> int:
    width, height = SIZES[size]
    work = Path(tempfile.mkdtemp(prefix="crmdesk-shots-"))
    screen = work / "screen.json"
    screen.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "shots",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height - TASKBAR,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }  # fmt: skip
        ),
        encoding="utf-8",
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    from PySide6.QtCore import QLocale, QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(work))
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    from crmdesk.gui.app import application

    app = application()
    if theme == "dark":
        app.setPalette(dark_palette())
    from crmdesk.gui.main_window import MainWindow
    from crmdesk.services import session as sessions
    from crmdesk.services.client_query import ClientQuery, SortKey
    from crmdesk.services.demo import create_demo_clients
    from crmdesk.services.session import Owner

    OUT.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(app, size, theme)
    folder = work / "vault"
    owner = Owner("Jane Doe", "jane", "Doe Restaurant Supply")
    session, _ = sessions.create_vault(folder, owner, passphrase=PASSPHRASE)
    create_demo_clients(session, 400, seed=3, today=TODAY)
    window = MainWindow(session, folder, today=lambda: TODAY)
    window.show()
    wait_for(app, lambda: not window.list_panel.model.is_loading())
    rich = window.service.list(ClientQuery(sort=SortKey.SPEND_12M, descending=True, limit=1))[0]
    window.show_client(rich.id)
    wait_for(app, lambda: window.editor.client_id() == rich.id)
    wait_for(app, lambda: window.list_panel.current_client_id() == rich.id)
    shooter.shot(window, "main-window")
    if size != "1366x768":
        window.close()
        return _report(shooter)
    editor = window.editor
    for part, base in (
        (editor.contacts, "contacts"),
        (editor.purchases, "purchases"),
        (editor.pricing, "pricing-and-needs"),
        (editor.timeline, "timeline-and-tasks"),
    ):
        editor.show_tab(part)
        shooter.shot(window, base)
    editor.show_tab(editor.overview)
    window.list_panel.search_edit.setText("bakery")
    window.list_panel._apply_filters()
    wait_for(app, lambda: not window.list_panel.model.is_loading())
    shooter.shot(window, "search")
    window.list_panel.clear_filters()
    activity = window.office.activity_page
    if activity is not None:  # the trail is stamped with the real time, not TODAY's
        real = dt.date.today()
        activity.set_period(real - dt.timedelta(days=29), real)
    for row, base in (
        (1, "follow-ups"),
        (2, "seasonal-outlook"),
        (3, "birthdays"),
        (4, "activity"),
    ):
        window.nav.setCurrentRow(row)
        view = window.pages.currentWidget()
        if view is activity:
            activity.refresh()
        wait_for(app, lambda v=view: not getattr(v, "is_reading", lambda: False)())
        wait_for(app, lambda v=view: not getattr(v, "is_busy", lambda: False)())
        shooter.shot(window, base)
    window.nav.setCurrentRow(0)
    preview_shot(app, shooter, window, rich.id)
    import_shot(app, shooter, window)
    window.lock()
    shooter.shot(window, "lock-screen")
    window.close()

    from crmdesk.gui.vault_flows import WelcomeDialog

    welcome = WelcomeDialog(work / "new-vault", keyring_usable=True)
    welcome.show()
    shooter.shot(welcome, "welcome")
    welcome.go_to_create()
    shooter.shot(welcome, "first-start")
    welcome.close()
    people_shots(app, shooter, folder)
    return _report(shooter)


def preview_shot(app, shooter: Shooter, window, client_id: int) -> None:  # type: ignore[no-untyped-def]
    from crmdesk.gui.reports.preview import ReportPreview

    report = window.reports.client_summary(client_id)
    preview = ReportPreview(window.reports, report, window)
    preview.show()
    shooter.shot(preview, "print-preview")
    preview.close()


def import_shot(app, shooter: Shooter, window) -> None:  # type: ignore[no-untyped-def]
    from crmdesk.gui.data_io import ImportWizard

    source = Path(tempfile.mkdtemp(prefix="crmdesk-import-")) / "contacts.csv"
    source.write_text(
        "First Name,Last Name,Company,E-mail Address,Business Phone,Birthday\n"
        "Ada,Lovelace,Analytical Engines,ada@engines.example,+44 20 7946 0001,1815-12-10\n"
        "Alan,Turing,Bletchley Supplies,not an email,+44 20 7946 0002,1912-06-23\n"
        "Grace,Hopper,Cobol Bakery,grace@cobol.example,+1 202 555 0147,12/09/1906\n",
        encoding="utf-8",
    )
    wizard = ImportWizard(window.session, window)
    wizard.show()
    wizard.path_edit.setText(str(source))
    shooter.shot(wizard, "import-1-file")
    wizard.plan_file()
    wait_for(app, lambda: wizard.plan is not None)
    shooter.shot(wizard, "import-2-columns")
    wizard.go_next()
    shooter.shot(wizard, "import-3-problems")
    wizard.reject()


def people_shots(app, shooter: Shooter, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """A second user: signing in, the policy, the owner's users, a withheld record."""
    from crmdesk.gui.main_window import MainWindow
    from crmdesk.gui.people.policy_dialog import PolicyDialog
    from crmdesk.gui.people.signin_dialog import SignInDialog
    from crmdesk.gui.people.users_dialog import UsersDialog
    from crmdesk.services import session as sessions
    from crmdesk.services import signin
    from crmdesk.services.client_query import ClientQuery, SortKey
    from crmdesk.services.people import UserService
    from crmdesk.services.policy import PolicyService

    owner = sessions.open_vault(folder, passphrase=PASSPHRASE).sole_user()
    signin.set_password(owner, "jane's own password")
    UserService(owner).add("sam", "Sam Porter", "salesperson", "initial password 1")

    unlocked = sessions.open_vault(folder, passphrase=PASSPHRASE)
    dialog = SignInDialog(unlocked)
    dialog.login_edit.setText("sam")
    dialog.show()
    shooter.shot(dialog, "sign-in")
    dialog.close()
    sam = unlocked.sign_in("sam", "initial password 1")
    signin.change_password(sam, "initial password 1", "sam's own password")
    policy = PolicyDialog(sam)
    policy.show()
    shooter.shot(policy, "policy")
    policy.close()
    PolicyService(sam).accept()

    from crmdesk.gui.people.policy_editor import PolicyEditor

    policy_editor = PolicyEditor(owner)
    policy_editor.show()
    shooter.shot(policy_editor, "policy-editor")
    policy_editor.close()

    users = UsersDialog(owner)
    users.show()
    users.refresh(select="sam")
    shooter.shot(users, "users")
    users.close()

    window = MainWindow(sam, folder, today=lambda: TODAY)
    window.show()
    wait_for(app, lambda: not window.list_panel.model.is_loading())
    first = window.service.list(ClientQuery(sort=SortKey.NAME, limit=1))[0]
    window.show_client(first.id)
    wait_for(app, lambda: window.editor.client_id() == first.id)
    window.editor.show_tab(window.editor.contacts)
    shooter.shot(window, "withheld")
    window.close()


def _report(shooter: Shooter) -> int:
    if shooter.too_big:
        print("larger than the screen: " + "; ".join(shooter.too_big), file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "THEME"))
    args = parser.parse_args()
    if args.one:
        return one(*args.one)
    failed = 0
    for size in SIZES:
        for theme in ("light", "dark"):
            command = [sys.executable, __file__, "--one", size, theme]
            failed |= subprocess.run(command, check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
