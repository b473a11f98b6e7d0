"""The Access report's summary: per action and per client, the entries, the first and
last time and the alerts they are evidence of; the alerts by kind; the companion file.

A few pages whatever the period: actions are few, clients beyond :data:`TOP_CLIENTS` are
added up in one row, and alerts beyond :data:`ALERTS_LISTED` are counted by kind (each
is in the companion file, on the entries it cites).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable

from crmdesk.domain.alerts import (
    AFTER_HOURS_EGRESS,
    BULK_READING,
    FAILED_SIGNINS,
    LARGE_EGRESS,
    REFUSED_BURST,
    VALUE_ADDED_BURST,
    ActivityEvent,
)
from crmdesk.reports.access_data import (
    AccessReportData,
    Companion,
    action_words,
    local,
    object_words,
    zone,
)
from crmdesk.reports.layout import (
    data_table,
    empty_note,
    frame_width,
    gap,
    heading,
    key_values,
    para,
    styles,
)

WIDTH = frame_width(wide=True)
TOP_CLIENTS = 40  # clients listed by name in the summary; the rest are added up in a row
ALERTS_LISTED = 50  # alerts printed as sentences when a companion file holds them all
ALERT_WORDS: dict[str, str] = {
    VALUE_ADDED_BURST: "Many value-added records viewed",
    LARGE_EGRESS: "Large print, export or copy",
    AFTER_HOURS_EGRESS: "Print or export outside working hours",
    FAILED_SIGNINS: "Repeated failed sign-ins",
    REFUSED_BURST: "Many refused actions",
    BULK_READING: "Client list read out page by page",
}


# Audit actions in words. An action not listed is shown as recorded.
@dataclass(frozen=True)
class Tally:
    """The entries of one action or one client: how many, first and last, alerts."""

    label: str
    entries: int
    first: datetime
    last: datetime
    alert_ids: frozenset[int]  # the alerts (by index) citing at least one of these entries
    value_added: int = 0  # views of value-added information (clients)
    basic: int = 0  # views of basic contact information (clients)
    changes: int = 0  # added, changed or deleted (clients)

    @property
    def alerts(self) -> int:
        return len(self.alert_ids)


def _added(label: str, tallies: Sequence[Tally]) -> Tally:
    """Several tallies as one."""
    return Tally(
        label,
        sum(t.entries for t in tallies),
        min(t.first for t in tallies),
        max(t.last for t in tallies),
        frozenset().union(*(t.alert_ids for t in tallies)),
        sum(t.value_added for t in tallies),
        sum(t.basic for t in tallies),
        sum(t.changes for t in tallies),
    )


_CHANGES = frozenset({"client.created", "client.updated", "client.deleted", "clients.created"})


def by_action(events: Sequence[ActivityEvent], data: AccessReportData) -> list[Tally]:
    """One tally per action (views split into value-added and basic), most entries first."""

    def key(e: ActivityEvent) -> Any:
        if e.action == "client.viewed":
            return (e.action, e.details.get("value_added") is True)
        return e.action

    def label(k: Any, e: ActivityEvent) -> str:
        return action_words(e)

    return _tallies(events, data, key, label)


def by_client(events: Sequence[ActivityEvent], data: AccessReportData) -> list[Tally]:
    """One tally per client the entries name, most entries first."""
    clients = [e for e in events if e.object.startswith("client:")]
    return _tallies(
        clients, data, lambda e: e.object, lambda k, e: object_words(k, data.object_names)
    )


def _tallies(
    events: Sequence[ActivityEvent],
    data: AccessReportData,
    key: Callable[[ActivityEvent], Any],
    label: Callable[[Any, ActivityEvent], str],
) -> list[Tally]:
    """Entries grouped by ``key``; each group named by ``label(key, one of its entries)``.
    (Keys, not labels, per entry: this runs over 100,000 entries.)"""
    cited: dict[int, list[int]] = {}  # entry -> the alerts citing it
    for index, seqs in enumerate(data.alert_entries):
        for seq in seqs:
            cited.setdefault(seq, []).append(index)
    groups: dict[Any, list[Any]] = {}
    for e in events:
        k = key(e)
        g = groups.get(k)
        if g is None:
            g = groups[k] = [0, e.ts, e.ts, set(), 0, 0, 0, e]
        g[0] += 1
        if e.ts < g[1]:
            g[1] = e.ts
        if e.ts > g[2]:
            g[2] = e.ts
        if e.seq in cited:
            g[3].update(cited[e.seq])
        if e.action == "client.viewed":
            if e.details.get("value_added") is True:
                g[4] += 1
            else:
                g[5] += 1
        elif e.action in _CHANGES:
            g[6] += 1
    tallies = [
        Tally(label(k, g[7]), g[0], g[1], g[2], frozenset(g[3]), g[4], g[5], g[6])
        for k, g in groups.items()
    ]
    return sorted(tallies, key=lambda t: (-t.entries, t.label))


def tally_sections(events: Sequence[ActivityEvent], data: AccessReportData) -> list[Flowable]:
    """Per action and per client: entries, first and last time, alerts. A few pages at
    most whatever the period: actions are few, and clients beyond the first
    :data:`TOP_CLIENTS` are added up in one row."""
    tz = data.tz
    shown_zone = zone(tz, data.period_end, names=False)
    s = styles()

    def when(ts: datetime) -> str:
        return f"{local(ts, tz):%Y-%m-%d %H:%M}"

    actions = by_action(events, data)
    story: list[Flowable] = [heading("By action")]
    if actions:
        rows = [[t.label, f"{t.entries:,}", when(t.first), when(t.last), f"{t.alerts:,}"]
                for t in actions]  # fmt: skip
        every = _added("", actions)
        rows.append(
            [f"All actions ({len(actions):,})", f"{every.entries:,}", when(every.first),
             when(every.last), f"{every.alerts:,}"]
        )  # fmt: skip
        head = ["Action", "Entries", f"First ({shown_zone})", f"Last ({shown_zone})", "Alerts"]
        story.append(data_table(head, rows, [300, 80, 130, 130, WIDTH - 640], right_columns=(1, 4)))
    else:
        story.append(empty_note("Nothing was recorded for this user in the period."))

    clients = by_client(events, data)
    story.append(heading("By client"))
    if not clients:
        story.append(empty_note("No entry in the period names a client."))
        return story
    shown, rest = clients[:TOP_CLIENTS], clients[TOP_CLIENTS:]

    def row(t: Tally, label: str) -> list[str]:
        counts = (t.entries, t.value_added, t.basic, t.changes, t.alerts)
        return [label, *(f"{n:,}" for n in counts), when(t.first), when(t.last)]

    rows = [row(t, t.label) for t in shown]
    if rest:
        rows.append(row(_added("", rest), f"{len(rest):,} other clients"))
    all_clients = _added("", clients)
    rows.append(row(all_clients, f"All clients ({len(clients):,})"))
    head = ["Client", "Entries", "Value-added views", "Basic views", "Changes", "Alerts",
            f"First ({shown_zone})", f"Last ({shown_zone})"]  # fmt: skip
    fixed = [60.0, 70.0, 60.0, 55.0, 45.0, 95.0, 95.0]
    note = (
        f"The {TOP_CLIENTS} clients with the most entries are named; the companion file "
        "holds every entry of every client."
        if rest
        else "Every client named by an entry of the period."
    )
    story += [
        para(note, s.small),
        gap(4),
        data_table(head, rows, [WIDTH - sum(fixed), *fixed], right_columns=(1, 2, 3, 4, 5)),
    ]
    return story


def alert_sections(data: AccessReportData, companion: Companion | None) -> list[Flowable]:
    """Every alert as a sentence; with a companion file holding them, the first
    :data:`ALERTS_LISTED` and a count per kind (a busy year raises thousands)."""
    alerts = list(data.alerts)
    if companion is None or len(alerts) <= ALERTS_LISTED:
        return [data_table(["Alert"], [[a] for a in alerts], [WIDTH])]
    s = styles()
    tz = data.tz
    shown_zone = zone(tz, data.period_end, names=False)
    kinds: dict[str, list[Any]] = {}
    for kind, ts in zip(data.alert_kinds, data.alert_times, strict=False):
        k = kinds.setdefault(kind, [0, ts, ts])
        k[0] += 1
        k[1], k[2] = min(k[1], ts), max(k[2], ts)
    rows = [
        [ALERT_WORDS.get(kind, kind), f"{n:,}", f"{local(first, tz):%Y-%m-%d %H:%M}",
         f"{local(last, tz):%Y-%m-%d %H:%M}"]
        for kind, (n, first, last) in sorted(kinds.items(), key=lambda kv: -kv[1][0])
    ]  # fmt: skip
    rows.append(["All alerts", f"{len(alerts):,}", "", ""])
    head = ["Kind of alert", "Alerts", f"First ({shown_zone})", f"Last ({shown_zone})"]
    return [
        data_table(head, rows, [300, 80, 130, WIDTH - 510], right_columns=(1,)),
        gap(6),
        para(
            f"The first {ALERTS_LISTED} of the {len(alerts):,} alerts, oldest first. Every "
            f"alert is in the companion file {companion.file_name}, in the “Alerts” column "
            "of each entry it cites.",
            s.small,
        ),
        gap(4),
        data_table(["Alert"], [[a] for a in alerts[:ALERTS_LISTED]], [WIDTH]),
    ]


def companion_section(companion: Companion) -> list[Flowable]:
    s = styles()
    pairs = [
        ("File", companion.file_name),
        ("Entries", f"{companion.entries:,}, one row each, oldest first"),
        ("SHA-256", companion.sha256),
        ("Registered as", f"Report {companion.report_id}"),
    ]
    text = (
        "A CSV file (UTF-8, one row per audit entry: its sequence number in the chain, the "
        "time in UTC and in local time, the action as recorded and in words, the object, "
        "the details as recorded, and the alerts that cite the entry). Anyone can check "
        "that a copy is the file made with this report: its SHA-256 must equal the one "
        "printed here (for example “sha256sum” on Linux, “Get-FileHash” in Windows "
        "PowerShell, “shasum -a 256” on a Mac)."
    )
    return [key_values(pairs, WIDTH), gap(6), para(text, s.body)]
