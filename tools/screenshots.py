"""Screenshots of crmdesk's main screens against demo data, into docs/screenshots/.

    .venv/bin/python tools/screenshots.py

Runs without a display (Qt's offscreen platform on a 1600x1000 virtual screen). The
vault is a throw-away one in a temporary folder, protected by a passphrase so that no
keyring entry is left behind.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREEN = ROOT / "tests" / "gui" / "offscreen-screen.json"
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN}")

from PySide6.QtCore import QSettings  # noqa: E402

TODAY = dt.date(2026, 11, 29)
OUT = ROOT / "docs" / "screenshots"
PASSPHRASE = "screenshot passphrase 42"


def save_report_pages(data: bytes, name: str, pages: int) -> None:
    """Render a report's first pages with QtPdf, as the app's preview shows them."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument

    raw = QByteArray(data)
    buffer = QBuffer(raw)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    for index in range(min(pages, document.pageCount())):
        points = document.pagePointSize(index)
        image = document.render(index, QSize(int(points.width() * 1.4), int(points.height() * 1.4)))
        image.save(str(OUT / f"{name}-{index + 1}.png"))
        print(f"wrote {OUT / name}-{index + 1}.png")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="crmdesk-shots-"))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(work))
    from crmdesk.gui.app import application

    app = application()
    from crmdesk.gui.main_window import MainWindow
    from crmdesk.gui.vault_flows import WelcomeDialog
    from crmdesk.services import session as sessions
    from crmdesk.services.client_query import ClientQuery, SortKey
    from crmdesk.services.demo import create_demo_clients
    from crmdesk.services.session import Owner

    OUT.mkdir(parents=True, exist_ok=True)
    folder = work / "vault"
    owner = Owner("Jane Doe", "jane", "Doe Restaurant Supply")
    session, _ = sessions.create_vault(folder, owner, passphrase=PASSPHRASE)
    create_demo_clients(session, 400, seed=3, today=TODAY)

    def shot(widget, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(OUT / f"{name}.png"))
        print(f"wrote {OUT / name}.png")

    window = MainWindow(session, folder, today=lambda: TODAY)
    window.resize(1500, 900)
    window.show()
    rich = window.service.list(ClientQuery(sort=SortKey.SPEND_12M, descending=True, limit=1))[0]
    window.list_panel.select_client(rich.id)
    window.editor.load(rich.id)
    shot(window, "main-window")
    for tab, name in ((window.editor.purchases, "purchases"), (window.editor.contacts, "contacts")):
        window.editor.tabs.setCurrentWidget(tab)
        shot(window, name)
    window.list_panel.search_edit.setText("bakery")
    window.list_panel._apply_filters()
    shot(window, "search")
    for row, name in ((1, "follow-ups"), (2, "seasonal-outlook")):
        window.nav.setCurrentRow(row)
        shot(window, name)
    window.nav.setCurrentRow(0)
    save_report_pages(window.reports.client_summary(rich.id).data, "report-summary", pages=2)
    window.lock()
    shot(window, "lock-screen")
    window.close()

    welcome = WelcomeDialog(work / "new-vault", keyring_usable=True)
    welcome.go_to_create()
    welcome.show()
    shot(welcome, "welcome")
    welcome.close()
    people_shots(folder, shot)
    return 0


def people_shots(folder: Path, shot) -> None:  # type: ignore[no-untyped-def]
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
    shot(dialog, "sign-in")
    dialog.close()
    sam = unlocked.sign_in("sam", "initial password 1")
    signin.change_password(sam, "initial password 1", "sam's own password")
    policy = PolicyDialog(sam)
    policy.show()
    shot(policy, "policy")
    policy.close()
    PolicyService(sam).accept()

    users = UsersDialog(owner)
    users.show()
    users.refresh(select="sam")
    shot(users, "users")
    users.close()

    window = MainWindow(sam, folder, today=lambda: TODAY)
    window.resize(1500, 900)
    window.show()
    rich = window.service.list(ClientQuery(sort=SortKey.NAME, limit=1))[0]
    window.list_panel.select_client(rich.id)
    window.editor.load(rich.id)
    window.editor.tabs.setCurrentWidget(window.editor.contacts)
    shot(window, "withheld")
    window.close()


if __name__ == "__main__":
    sys.exit(main())
