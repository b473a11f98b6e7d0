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
    session, _ = sessions.create_vault(folder, owner, passphrase="screenshot passphrase 42")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
