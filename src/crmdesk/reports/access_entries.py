"""The Access report's companion file: every audit entry of the period, one CSV row each.

A year of a heavy user is 100,000 entries: thousands of printed pages nobody reads. The
PDF summarises them and names this file by its SHA-256; the file holds each entry as
recorded (its sequence number in the chain, the time in UTC and in the report's zone,
the action as recorded and in words, the object, the details as JSON, and the alerts
that cite it), so a lawyer
can sort, filter and count them, and check the file against the printed hash.

UTF-8 with a byte order mark, commas, CRLF line ends, like the client export; every
cell is defused against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import tzinfo

from crmdesk.domain.action_words import action_words
from crmdesk.domain.alerts import ActivityEvent
from crmdesk.domain.spreadsheet import neutralise_cell

HEADER = (
    "Entry",
    "Time (UTC)",
    "Local time",
    "Action",
    "Action in words",
    "Object",
    "Object name",
    "Details (JSON)",
    "Alerts",
)
BOM = "\ufeff"
# One encoder for every row: json.dumps with options builds a new encoder per call.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def entries_csv(
    events: Sequence[ActivityEvent],
    names: Mapping[str, str],
    tz: tzinfo | None,
    alerts: Mapping[int, Sequence[str]] | None = None,
) -> bytes:
    """The CSV bytes of ``events`` in time order, each action also in the words the
    report and the app use (``alerts``: entry -> the sentences of the alerts that cite
    it)."""
    alerts = alerts or {}
    buffer = io.BytesIO()
    # Encoded as it is written: a str buffer of 100,000 rows holds several times the bytes.
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in sorted(events, key=lambda e: (e.ts, e.seq)):
        local = e.ts.astimezone(tz) if tz is not None else e.ts.astimezone()
        row = (
            str(e.seq),
            e.ts.isoformat(timespec="seconds"),
            local.isoformat(timespec="seconds"),
            e.action,
            action_words(e.action, e.details),
            e.object,
            names.get(e.object, ""),
            _JSON.encode(dict(e.details)),
            " | ".join(alerts.get(e.seq, ())),
        )
        # Entry, times and the JSON cannot start like a formula; the rest could.
        writer.writerow(
            [*row[:3], *(neutralise_cell(c) for c in row[3:7]), row[7], neutralise_cell(row[8])]
        )
    out.flush()
    return buffer.getvalue()
