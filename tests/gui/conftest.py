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

from crmdesk.services.clients import ClientService  # noqa: E402
from crmdesk.services.demo import create_demo_clients  # noqa: E402
from crmdesk.services.session import owner_session  # noqa: E402

GUI_TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def gui_session(vault):
    """An unlocked vault (in-memory test keyring) with no clients yet."""
    return owner_session(vault)


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
