"""Fixtures for GUI tests: real widgets (offscreen) over a real encrypted vault."""

from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from crmdesk.services.clients import ClientService  # noqa: E402
from crmdesk.services.demo import create_demo_clients  # noqa: E402
from crmdesk.services.session import Session  # noqa: E402

GUI_TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def gui_session(vault):
    """An unlocked vault (in-memory test keyring) with no clients yet."""
    return Session(vault, "zoe", "Zoë Łukasiewicz")


@pytest.fixture
def gui_clients(gui_session):
    return ClientService(gui_session, today=lambda: GUI_TODAY)


@pytest.fixture
def demo_session(gui_session):
    """The same vault filled with 300 realistic demo clients."""
    create_demo_clients(gui_session, 300, today=GUI_TODAY)
    return gui_session
