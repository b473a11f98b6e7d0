"""The access report: everything one user did with client information, for offboarding.

Made for the owner's lawyer, and readable whatever the period: it opens with who the user
is, the period, a summary that fits a few pages (counts of what they did; per action and
per client the number of entries, the first and last time and the alerts they are
evidence of), the alerts raised, and the state of the audit chain the entries were read
from. Every entry follows in time order when there are at most :data:`DETAIL_IN_PDF`;
every entry is always in the companion CSV (:mod:`crmdesk.reports.access_entries`),
whose SHA-256 the report prints. The caller reads the vault; this module only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from crmdesk.domain.alerts import (
    AFTER_HOURS_EGRESS,
    BULK_READING,
    FAILED_SIGNINS,
    LARGE_EGRESS,
    REFUSED_BURST,
    VALUE_ADDED_BURST,
    ActivityEvent,
    client_count,
)
from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.fonts import SANS
from crmdesk.reports.layout import (
    ACCENT,
    Checkpoint,
    Deferred,
    build_pdf,
    data_table,
    day,
    empty_note,
    frame_width,
    gap,
    heading,
    keep,
    key_values,
    para,
    styles,
    table_style,
)

# Landscape: an audit entry stays on one line, which keeps 10,000 of them to fewer pages.
WIDTH = frame_width(wide=True)
CHUNK = 500  # rows per table: a cancellation and progress point between tables
HEADER = ("Entry", "Time", "Action", "Client / object", "Details")
WIDTHS = (48.0, 104.0, 150.0, 180.0, WIDTH - 482.0)
_SIZE = 8.5
_PAD = 10.0
_DETAIL_CHARS = 300  # one detail value longer than this is cut: the table is a summary
# Entries printed one by one at most (about 400 pages); more are in the companion file
# only: a year of a heavy user is 100,000 entries, 4,000 pages nobody can read.
DETAIL_IN_PDF = 10_000
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
ACTION_WORDS: dict[str, str] = {
    "client.viewed": "Viewed client",
    "client.created": "Added client",
    "client.updated": "Changed client",
    "client.deleted": "Deleted client",
    "clients.created": "Added clients",
    "clients.searched": "Searched clients",
    "clients.exported": "Exported clients",
    "clients.copied": "Copied clients to clipboard",
    "report.printed": "Printed report",
    "report.printer": "Sent report to printer",
    "report.saved": "Saved report as file",
    "report.traced": "Traced a report",
    "signin.ok": "Signed in",
    "signin.failed": "Failed sign-in",
    "signin.throttled": "Sign-in refused (too many failures)",
    "signin.password_set": "Set own password",
    "session.locked": "Locked the screen",
    "session.unlocked": "Unlocked the screen",
    "policy.accepted": "Accepted confidentiality policy",
    "policy.published": "Published confidentiality policy",
    "access.denied": "Refused access",
    "user.added": "Added user",
    "user.disabled": "Disabled user",
    "user.enabled": "Enabled user",
    "user.role_changed": "Changed user's role",
    "user.password_changed": "Changed password",
    "user.password_reset": "Reset user's password",
}
SEARCH_ACTIONS = frozenset({"clients.searched", "client.searched", "search"})
# Details already shown elsewhere in the row, or too long to help on paper.
_HIDDEN_DETAILS = frozenset({"value_added", "clients", "fields", "sha256", "companion_sha256"})


@dataclass(frozen=True)
class AccessUser:
    """The person the report is about."""

    login: str
    full_name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None = None
    last_signin: datetime | None = None


@dataclass(frozen=True)
class ChainStatus:
    """The audit chain as checked when the report was made."""

    ok: bool
    length: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""


@dataclass(frozen=True)
class AccessReportData:
    """Everything the access report shows; times are aware (UTC)."""

    user: AccessUser
    period_start: datetime
    period_end: datetime
    events: Sequence[ActivityEvent]  # the user's audit entries in the period, any order
    chain: ChainStatus
    alerts: Sequence[str] = ()  # the alerts raised for the user, as sentences
    # "client:42" -> "Zoë's Bakery": names for the object column (optional)
    object_names: Mapping[str, str] = field(default_factory=dict)
    tz: tzinfo | None = None  # the zone times are shown in; None: this computer's
    # For each alert (same order), the sequence numbers of the entries that show it,
    # when it was raised and its kind (crmdesk.domain.alerts.ALERT_KINDS).
    alert_entries: Sequence[Sequence[int]] = ()
    alert_times: Sequence[datetime] = ()
    alert_kinds: Sequence[str] = ()

    def alerts_by_entry(self) -> dict[int, list[str]]:
        """Entry -> the sentences of the alerts that cite it."""
        cited: dict[int, list[str]] = {}
        for message, seqs in zip(self.alerts, self.alert_entries, strict=False):
            for seq in seqs:
                cited.setdefault(seq, []).append(message)
        return cited

    @property
    def days(self) -> int:
        """The length of the period in whole days (at least 1)."""
        return max(1, round((self.period_end - self.period_start).total_seconds() / 86_400))


@dataclass(frozen=True)
class Companion:
    """The CSV of every entry that goes with the report, registered with its hash."""

    file_name: str
    report_id: str
    sha256: str
    entries: int


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


@dataclass(frozen=True)
class AccessSummary:
    """Counts of what a user did, for the report's summary table."""

    events: int = 0
    value_added_views: int = 0
    value_added_clients: int = 0
    basic_views: int = 0
    changes: int = 0  # clients added, changed or deleted
    prints: int = 0
    printed_clients: int = 0
    exports: int = 0
    exported_clients: int = 0
    copies: int = 0
    copied_clients: int = 0
    searches: int = 0
    signins_ok: int = 0
    signins_failed: int = 0


def summarise(events: Sequence[ActivityEvent]) -> AccessSummary:
    """The counts of :class:`AccessSummary` over ``events``."""
    counts: dict[str, int] = dict.fromkeys(AccessSummary.__dataclass_fields__, 0)
    clients: set[str] = set()
    for e in events:
        counts["events"] += 1
        action = e.action
        if action == "client.viewed":
            if e.details.get("value_added") is True:
                counts["value_added_views"] += 1
                clients.add(e.object)
            else:
                counts["basic_views"] += 1
        elif action in ("client.created", "client.updated", "client.deleted", "clients.created"):
            counts["changes"] += 1
        elif action == "report.printed":
            counts["prints"] += 1
            counts["printed_clients"] += client_count(e.details) or 0
        elif action == "clients.exported":
            counts["exports"] += 1
            counts["exported_clients"] += client_count(e.details) or 0
        elif action == "clients.copied":
            counts["copies"] += 1
            counts["copied_clients"] += client_count(e.details) or 0
        elif action in SEARCH_ACTIONS:
            counts["searches"] += 1
        elif action == "signin.ok":
            counts["signins_ok"] += 1
        elif action == "signin.failed":
            counts["signins_failed"] += 1
    counts["value_added_clients"] = len(clients)
    return AccessSummary(**counts)


_CHANGES = frozenset({"client.created", "client.updated", "client.deleted", "clients.created"})


def by_action(events: Sequence[ActivityEvent], data: AccessReportData) -> list[Tally]:
    """One tally per action (views split into value-added and basic), most entries first."""

    def key(e: ActivityEvent) -> Any:
        if e.action == "client.viewed":
            return (e.action, e.details.get("value_added") is True)
        return e.action

    def label(k: Any, e: ActivityEvent) -> str:
        return _action(e)

    return _tallies(events, data, key, label)


def by_client(events: Sequence[ActivityEvent], data: AccessReportData) -> list[Tally]:
    """One tally per client the entries name, most entries first."""
    clients = [e for e in events if e.object.startswith("client:")]
    return _tallies(clients, data, lambda e: e.object, lambda k, e: _object(k, data.object_names))


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


def render_access_report(
    ctx: ReportContext,
    data: AccessReportData,
    *,
    companion: Companion | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """PDF bytes of the access report (A4 landscape).

    ``companion``: the CSV of every entry made with it, named with its hash; the entries
    are then printed one by one only if there are at most :data:`DETAIL_IN_PDF`.
    ``progress(n)`` is called with the number of audit entries laid out so far, every
    500 and at the end; ``cancelled()`` returning True raises ReportCancelled.
    """
    s = styles()
    tz = data.tz
    user = data.user
    events = sorted(data.events, key=lambda e: (e.ts, e.seq))
    summary = summarise(events)

    story: list[Flowable] = [
        Paragraph("Access report", s.title),
        para(f"{user.full_name} ({user.login}) · {_period(data)}", s.subtitle),
        gap(4),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=2),
        gap(12),
        _who_and_when(data),
        heading("Summary"),
        keep(_summary_table(summary)),
        heading("Alerts raised"),
    ]
    if data.alerts:
        story += _alerts(data, companion)
    else:
        story.append(empty_note("No alerts were raised for this user in the period."))
    story += _tally_sections(events, data)
    detailed = companion is None or len(events) <= DETAIL_IN_PDF
    story += [heading("Audit trail"), *_chain(data, ctx, companion, detailed)]
    if companion is not None:
        story += [heading("Companion file: every entry"), *_companion(companion)]

    story += [heading(f"Every recorded action ({len(events):,})")]
    if not detailed:
        assert companion is not None
        story += [
            para(
                f"The {len(events):,} entries are not printed one by one (more than "
                f"{DETAIL_IN_PDF:,}): every one of them is in the companion file "
                f"{companion.file_name}, SHA-256 {companion.sha256}, registered as "
                f"report {companion.report_id}. The summary above counts them all.",
                s.body,
            ),
            Checkpoint(len(events), progress, cancelled),
        ]
        if cancelled is not None and cancelled():
            raise ReportCancelled("The report was cancelled.")
        return build_pdf(story, ctx, wide=True)
    story += [
        para(
            "Each row is one entry of the audit trail, oldest first; “Entry” is its "
            "sequence number in the chain.",
            s.small,
        ),
        gap(4),
    ]
    if not events:
        story.append(empty_note("Nothing was recorded for this user in the period."))
    zone = _zone(tz, data.period_end, names=False)
    pending: list[list[str]] = []
    done = 0
    for event in events:
        pending.append(_row(event, data.object_names, tz))
        done += 1
        if len(pending) == CHUNK:
            if cancelled is not None and cancelled():
                raise ReportCancelled("The report was cancelled.")
            story += [_deferred_table(pending, zone), Checkpoint(done, progress, cancelled)]
            pending = []
    if pending:
        story += [_deferred_table(pending, zone), Checkpoint(done, progress, cancelled)]
    elif not events:
        story.append(Checkpoint(0, progress, cancelled))
    if cancelled is not None and cancelled():
        raise ReportCancelled("The report was cancelled.")
    return build_pdf(story, ctx, wide=True)


# ---------------------------------------------------------------------------- sections


def _period(data: AccessReportData) -> str:
    start, end = data.period_start, data.period_end
    return f"last {data.days:,} days: {day(_local(start, data.tz))} – {day(_local(end, data.tz))}"


def _who_and_when(data: AccessReportData) -> Table:
    """The user and the period side by side."""
    s = styles()
    user, tz = data.user, data.tz
    half = (WIDTH - 24) / 2
    who = key_values(
        [
            ("Full name", user.full_name),
            ("Login", user.login),
            ("Role", user.role.capitalize()),
            ("Account created", _when(user.created_at, tz)),
            ("Last sign-in", _when(user.last_signin, tz) if user.last_signin else "never"),
            ("Account disabled", _when(user.disabled_at, tz) if user.disabled_at else "no"),
        ],
        half,
    )
    period = key_values(
        [
            ("Covers", f"The last {data.days:,} day{'s' if data.days != 1 else ''}"),
            ("From", _when(data.period_start, tz)),
            ("To", _when(data.period_end, tz)),
            ("Times shown in", _zone(tz, data.period_end)),
        ],
        half,
    )
    table = Table(
        [
            [para("The user", s.heading), para("Period", s.heading)],
            [who, period],
        ],
        colWidths=[half + 24, half],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _summary_table(summary: AccessSummary) -> Table:
    def n(value: int) -> str:
        return f"{value:,}"

    def of(clients: int) -> str:
        return f"{clients:,} clients in all"

    rows = [
        ["Views of value-added information", n(summary.value_added_views),
         f"{summary.value_added_clients:,} different clients"],
        ["Views of basic contact information", n(summary.basic_views), ""],
        ["Clients added, changed or deleted", n(summary.changes), ""],
        ["Reports printed", n(summary.prints), of(summary.printed_clients)],
        ["Exports", n(summary.exports), of(summary.exported_clients)],
        ["Copies to the clipboard", n(summary.copies), of(summary.copied_clients)],
        ["Searches", n(summary.searches), ""],
        ["Sign-ins", n(summary.signins_ok), ""],
        ["Failed sign-ins", n(summary.signins_failed), ""],
        ["All recorded actions", n(summary.events), ""],
    ]  # fmt: skip
    return data_table(
        ["What", "Count", "Details"], rows, [260, 80, WIDTH - 340], right_columns=(1,)
    )


def _tally_sections(events: Sequence[ActivityEvent], data: AccessReportData) -> list[Flowable]:
    """Per action and per client: entries, first and last time, alerts. A few pages at
    most whatever the period: actions are few, and clients beyond the first
    :data:`TOP_CLIENTS` are added up in one row."""
    tz = data.tz
    zone = _zone(tz, data.period_end, names=False)
    s = styles()

    def when(ts: datetime) -> str:
        return f"{_local(ts, tz):%Y-%m-%d %H:%M}"

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
        head = ["Action", "Entries", f"First ({zone})", f"Last ({zone})", "Alerts"]
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
            f"First ({zone})", f"Last ({zone})"]  # fmt: skip
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


def _alerts(data: AccessReportData, companion: Companion | None) -> list[Flowable]:
    """Every alert as a sentence; with a companion file holding them, the first
    :data:`ALERTS_LISTED` and a count per kind (a busy year raises thousands)."""
    alerts = list(data.alerts)
    if companion is None or len(alerts) <= ALERTS_LISTED:
        return [data_table(["Alert"], [[a] for a in alerts], [WIDTH])]
    s = styles()
    tz = data.tz
    zone = _zone(tz, data.period_end, names=False)
    kinds: dict[str, list[Any]] = {}
    for kind, ts in zip(data.alert_kinds, data.alert_times, strict=False):
        k = kinds.setdefault(kind, [0, ts, ts])
        k[0] += 1
        k[1], k[2] = min(k[1], ts), max(k[2], ts)
    rows = [
        [ALERT_WORDS.get(kind, kind), f"{n:,}", f"{_local(first, tz):%Y-%m-%d %H:%M}",
         f"{_local(last, tz):%Y-%m-%d %H:%M}"]
        for kind, (n, first, last) in sorted(kinds.items(), key=lambda kv: -kv[1][0])
    ]  # fmt: skip
    rows.append(["All alerts", f"{len(alerts):,}", "", ""])
    head = ["Kind of alert", "Alerts", f"First ({zone})", f"Last ({zone})"]
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


def _companion(companion: Companion) -> list[Flowable]:
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


def _chain(
    data: AccessReportData,
    ctx: ReportContext,
    companion: Companion | None = None,
    detailed: bool = True,
) -> list[Flowable]:
    chain = data.chain
    if chain.ok:
        result = "Verified: every entry's hash matches its content and the entry before it."
    else:
        where = f" at entry {chain.first_bad_seq}" if chain.first_bad_seq is not None else ""
        result = f"BROKEN{where}: {chain.problem or 'the chain does not verify'}."
    pairs = [
        ("Integrity check", result),
        ("Entries in the chain", f"{chain.length:,}"),
        ("Head hash", chain.head),
    ]
    s = styles()
    statement = (
        f"This report was produced by crmdesk on {ctx.printed_text} for {ctx.printed_by} "
        f"({ctx.login}). It accounts for every entry of the vault's audit trail recorded for "
        f"{data.user.full_name} ({data.user.login}) between {_when(data.period_start, data.tz)} "
        f"and {_when(data.period_end, data.tz)}, and every failed sign-in to that login, "
        f"{_where_listed(companion, detailed)}, "
        "copied without change except that times are shown in local time and actions in "
        "words. The audit trail is a hash chain: each entry holds the SHA-256 of its own "
        "content and of the entry before it, so an entry that was edited, deleted, "
        "inserted or moved breaks the chain from that point, and each entry is signed by "
        "the person who made it, so recomputing the chain does not hide the change. The "
        "chain and every signature were checked when this report was made, with the "
        "result above. Someone holding the vault key could drop the newest entries; the "
        "head hash printed here and in the footer of every page lets a later copy of the "
        f"vault be compared with this report. The report is registered in the vault under "
        f"report ID {ctx.report_id}, with the SHA-256 of this PDF"
        + (
            f"; the companion file under report ID {companion.report_id}, with its SHA-256."
            if companion is not None
            else "."
        )
    )
    return [key_values(pairs, WIDTH), gap(6), para(statement, s.body)]


def _where_listed(companion: Companion | None, detailed: bool) -> str:
    if companion is None:
        return "listed below"
    if detailed:
        return f"listed below and in the companion file {companion.file_name}"
    return f"counted in the summary above and listed in the companion file {companion.file_name}"


def _row(event: ActivityEvent, names: Mapping[str, str], tz: tzinfo | None) -> list[str]:
    values = (
        f"{event.seq}",
        f"{_local(event.ts, tz):%Y-%m-%d %H:%M:%S}",
        _action(event),
        _object(event.object, names),
        _details(event.details),
    )
    return [_cell(v, i) for i, v in enumerate(values)]


def _action(event: ActivityEvent) -> str:
    words = ACTION_WORDS.get(event.action, event.action)
    if event.action == "client.viewed":
        words += " (value-added)" if event.details.get("value_added") is True else " (basic)"
    return words


def _object(obj: str, names: Mapping[str, str]) -> str:
    kind, _, ident = obj.partition(":")
    name = names.get(obj, "")
    if kind == "client" and ident:
        return f"{name} (client {ident})" if name else f"Client {ident}"
    if kind == "report" and ident:
        return f"Report {ident}" + (f"\n{name}" if name else "")
    if kind == "policy" and ident:
        return f"Policy version {ident}"
    return name or obj


def _details(details: Mapping[str, Any]) -> str:
    parts: list[str] = []
    count = client_count(details)
    if count is not None:
        parts.append(f"{count:,} client{'s' if count != 1 else ''}")
    fields = details.get("fields")
    if isinstance(fields, list | tuple) and fields:
        parts.append("fields: " + ", ".join(str(f) for f in fields))
    elif isinstance(fields, str) and fields:
        parts.append(f"fields: {fields}")
    for key in sorted(details):
        if key in _HIDDEN_DETAILS:
            continue
        value = details[key]
        if value in (None, "", [], {}):
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        if len(text) > _DETAIL_CHARS:
            text = text[:_DETAIL_CHARS] + "…"
        parts.append(f"{key.replace('_', ' ')}: {text}")
    return "; ".join(parts)


def _cell(text: str, column: int) -> str:
    """Plain text (much faster to lay out than a Paragraph), wrapped to its column."""
    room = WIDTHS[column] - _PAD
    if len(text) * _SIZE * 1.05 < room:  # no DejaVu Sans glyph is wider than 1.05 em
        return text
    if "\n" not in text and stringWidth(text, SANS, _SIZE) <= room:
        return text
    lines = [
        piece
        for line in text.split("\n")
        for part in simpleSplit(line, SANS, _SIZE, room) or [""]
        for piece in _broken(part, room)
    ]
    return "\n".join(lines)


def _broken(part: str, room: float) -> list[str]:
    """A line that is still too wide (one long word: a path, a hash) cut to fit."""
    if stringWidth(part, SANS, _SIZE) <= room:
        return [part]
    pieces, current = [], ""
    for char in part:
        if current and stringWidth(current + char, SANS, _SIZE) > room:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current]


def _deferred_table(rows: list[list[str]], zone: str) -> Deferred:
    return Deferred(lambda: [_chunk_table(rows, zone)])


def _chunk_table(rows: list[list[str]], zone: str) -> Table:
    s = styles()
    head = [para(h, s.cell_head) for h in HEADER]
    head[1] = para(f"Time ({zone})", s.cell_head)
    table = Table([head, *rows], colWidths=list(WIDTHS), repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style())
    return table


# ---------------------------------------------------------------------------- time


def _local(ts: datetime, tz: tzinfo | None) -> datetime:
    return ts.astimezone(tz) if tz is not None else ts.astimezone()


def _when(ts: datetime | None, tz: tzinfo | None) -> str:
    """``3 Mar 2026 14:02`` in the report's zone; empty for None."""
    if ts is None:
        return ""
    local = _local(ts, tz)
    return f"{day(local)} {local:%H:%M}"


def _zone(tz: tzinfo | None, at: datetime, *, names: bool = True) -> str:
    """``UTC-05:00 (EST)``: the zone times are shown in, as of ``at``."""
    local = _local(at, tz)
    offset = local.strftime("%z")
    label = f"UTC{offset[:3]}:{offset[3:]}"
    name = local.tzname() or ""
    if names and name and name not in (label, "UTC"):
        return f"{label} ({name})"
    return label
