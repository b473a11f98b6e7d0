"""The Activity page names the laptop an entry was copied from (issue 14, part 5)."""

from __future__ import annotations

import datetime as dt

from crmdesk.domain.alerts import ActivityEvent
from crmdesk.gui.activity.reading import _entry_row

WHEN = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)


def test_an_entry_from_a_laptop_names_the_laptop():
    copied = ActivityEvent(
        7, WHEN, "sam", "client.viewed", "client:3", {"copied_from": "5a92e32cac4d6559aa"}
    )
    row = _entry_row(copied, {"sam": "Sam Reed"}, dt.UTC, {3: "Reed Supplies"})
    assert row.cells[1].text == "Sam Reed (on laptop 5a92e32c)"
    assert "Where: on laptop 5a92e32c, copied into this trail when it synced" in row.tooltip


def test_an_entry_made_here_names_no_device():
    here = ActivityEvent(8, WHEN, "sam", "client.viewed", "client:3", {})
    row = _entry_row(here, {"sam": "Sam Reed"}, dt.UTC, {3: "Reed Supplies"})
    assert row.cells[1].text == "Sam Reed"
    assert "Where:" not in row.tooltip
