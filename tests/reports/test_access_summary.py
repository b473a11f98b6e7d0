"""The Access report over many entries: a summary of a few pages whose counts are the
entries', every entry in the companion CSV, and the CSV's hash printed in the PDF."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter

from crmdesk.domain.action_words import action_words
from crmdesk.domain.alerts import AFTER_HOURS_EGRESS, VALUE_ADDED_BURST
from crmdesk.reports.access_entries import HEADER, entries_csv
from crmdesk.reports.access_report import (
    ALERTS_LISTED,
    DETAIL_IN_PDF,
    Companion,
    render_access_report,
)
from tests.reports.test_access_report import (
    _assert_every_page_marked,
    _ctx,
    _data,
    _event,
    _flat,
    _many,
)

COUNT = 12_345  # more than DETAIL_IN_PDF: the entries go to the companion file only


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _report(events, **changes):
    data = _data(events=events, **changes)
    entries = entries_csv(data.events, data.object_names, data.tz, data.alerts_by_entry())
    companion = Companion(
        "access-entries.csv", "7K3M-Q2ZD-AB7", hashlib.sha256(entries).hexdigest(), len(events)
    )
    ctx = _ctx()
    pdf = render_access_report(ctx, data, companion=companion)
    return ctx, pdf, entries, companion


def test_the_summary_counts_every_entry_and_fits_a_few_pages():
    events = _many(COUNT)
    assert COUNT > DETAIL_IN_PDF
    ctx, pdf, _, companion = _report(events)
    pages = _assert_every_page_marked(pdf, ctx)  # "page N of M" with the true M
    assert 2 <= len(pages) <= 6
    flat = _flat("\n".join(pages))
    # Per action: the printed count is the number of entries of that action.
    by_action = Counter(action_words(e.action, e.details) for e in events)
    assert len(by_action) == 5
    for words, n in by_action.items():
        assert f"{words} {n:,} " in flat, words
    assert f"All actions (5) {COUNT:,} " in flat
    assert f"All recorded actions {COUNT:,}" in flat
    # Per client: 40 named, the rest added up, the total the entries naming a client.
    clients = Counter(e.object for e in events if e.object.startswith("client:"))
    top = clients.most_common(1)[0]
    assert f"Client {top[0].split(':')[1]} {top[1]:,} " in flat
    assert f"{len(clients) - 40:,} other clients" in flat
    assert f"All clients ({len(clients):,}) {sum(clients.values()):,} " in flat
    # Not printed one by one; the companion file named with its hash.
    assert f"Every recorded action ({COUNT:,})" in flat
    assert "are not printed one by one" in flat
    assert companion.sha256 in flat and companion.file_name in flat
    assert "19999" not in flat.replace(",", "")  # no entry's own row (seq 10000..22344)


def test_the_companion_file_holds_every_entry_as_recorded():
    events = [
        *_many(30),
        _event(99_001, 10_000, "client.viewed", "client:5", value_added=True),
        _event(99_002, 10_001, "client.updated", "client:6", fields=["name"]),
    ]
    ctx, pdf, entries, companion = _report(
        events,
        object_names={"client:5": '=HYPERLINK("x")', "client:6": "Zoë's Bakery"},
        alerts=["zoe viewed 57 clients.", "zoe printed at night."],
        alert_entries=[[99_001, 10_003], [99_001]],
    )
    rows = _csv_rows(entries)
    assert tuple(rows[0]) == HEADER
    body = rows[1:]
    assert len(body) == len(events) == companion.entries
    assert [r[0] for r in body] == [str(e.seq) for e in sorted(events, key=lambda e: e.ts)]
    named = {r[0]: r for r in body}
    assert named["99001"][6] == '\'=HYPERLINK("x")'  # a formula is defused
    assert named["99001"][7] == '{"value_added": true}'
    assert named["99001"][8] == "zoe viewed 57 clients. | zoe printed at night."
    assert named["10003"][8] == "zoe viewed 57 clients."
    assert named["99002"][4] == "Changed client" and named["99002"][6] == "Zoë's Bakery"
    assert named["99002"][1].endswith("+00:00") and named["99002"][2].endswith("-05:00")
    # A few entries: printed one by one too, and the file named with its hash.
    text = _flat("\n".join(_assert_every_page_marked(pdf, ctx)))
    assert f"Every recorded action ({len(events)})" in text and " 99001 " in text
    assert hashlib.sha256(entries).hexdigest() == companion.sha256
    assert companion.sha256 in text


def test_many_alerts_are_counted_by_kind_and_all_kept_in_the_companion():
    events = _many(400)
    seqs = [e.seq for e in events]
    alerts = [f"Alert number {i}." for i in range(120)]
    ctx, pdf, entries, _ = _report(
        events,
        alerts=alerts,
        alert_entries=[[seqs[i]] for i in range(120)],
        alert_times=[events[i].ts for i in range(120)],
        alert_kinds=[AFTER_HOURS_EGRESS if i % 3 else VALUE_ADDED_BURST for i in range(120)],
    )
    text = _flat("\n".join(_assert_every_page_marked(pdf, ctx)))
    assert "Print or export outside working hours 80 " in text
    assert "Many value-added records viewed 40 " in text
    assert "All alerts 120" in text
    assert f"Alert number {ALERTS_LISTED - 1}." in text
    assert f"Alert number {ALERTS_LISTED}." not in text
    cited = [r[8] for r in _csv_rows(entries)[1:] if r[8]]
    assert cited == alerts  # every alert, on the entry it cites
