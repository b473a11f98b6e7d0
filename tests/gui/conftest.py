"""Fixtures for GUI tests: real widgets (offscreen) over a real encrypted vault."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

# Real widgets without a display, on a laptop-sized virtual screen (the offscreen
# platform's default screen is only 800 px wide).
_SCREEN = Path(__file__).with_name("offscreen-screen.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

from crmdesk.gui.ops import settle  # noqa: E402
from crmdesk.services.clients import ClientService  # noqa: E402
from crmdesk.services.demo import create_demo_clients  # noqa: E402
from crmdesk.services.session import owner_session  # noqa: E402

GUI_TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def gui_session(vault):
    """An unlocked vault (in-memory test keyring) with no clients yet. Database work the
    test left running on the worker finishes before the vault closes."""
    yield owner_session(vault)
    settle()


@pytest.fixture(autouse=True)
def settled_worker(qapp):
    """No test leaves database work queued for the next one."""
    yield
    settle()


@pytest.fixture
def gui_clients(gui_session):
    return ClientService(gui_session, today=lambda: GUI_TODAY)


@pytest.fixture
def demo_session(gui_session):
    """The same vault filled with 300 realistic demo clients."""
    create_demo_clients(gui_session, 300, today=GUI_TODAY)
    return gui_session


@pytest.fixture(autouse=True)
def private_settings(tmp_path):
    """Each test gets its own QSettings folder: no layout leaks between tests or into
    the developer's own settings."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


def open_client(qtbot, window, client_id: int) -> None:
    """Open a client as the day's views do, and wait until the editor shows it (it is
    read on the database worker)."""
    with qtbot.waitSignal(window.editor.loaded, timeout=10_000):
        window.show_client(client_id)


def wait_for_list(qtbot, window) -> None:
    """Until the client list on show has been read (on the database worker)."""
    qtbot.waitUntil(lambda: not window.list_panel.model.is_loading(), timeout=10_000)
