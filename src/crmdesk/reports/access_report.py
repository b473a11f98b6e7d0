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
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from crmdesk.domain.alerts import ActivityEvent, client_count
from crmdesk.reports.access_data import (
    SEARCH_ACTIONS,
    AccessReportData,
    AccessUser,
    ChainStatus,
    Companion,
    action_words,
    local,
    object_words,
    when,
    zone,
)
from crmdesk.reports.access_summary import (
    ALERTS_LISTED,
    TOP_CLIENTS,
    alert_sections,
    by_action,
    by_client,
    companion_section,
    tally_sections,
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
__all__ = [
    "ALERTS_LISTED",
    "DETAIL_IN_PDF",
    "SEARCH_ACTIONS",
    "TOP_CLIENTS",
    "AccessReportData",
    "AccessSummary",
    "AccessUser",
    "ChainStatus",
    "Companion",
    "by_action",
    "by_client",
    "render_access_report",
    "summarise",
]
# Details already shown elsewhere in the row, or too long to help on paper.
_HIDDEN_DETAILS = frozenset({"value_added", "clients", "fields", "sha256", "companion_sha256"})


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
        _who_andwhen(data),
        heading("Summary"),
        keep(_summary_table(summary)),
        *_devices(data),
        heading("Alerts raised"),
    ]
    if data.alerts:
        story += alert_sections(data, companion)
    else:
        story.append(empty_note("No alerts were raised for this user in the period."))
    story += tally_sections(events, data)
    detailed = companion is None or len(events) <= DETAIL_IN_PDF
    story += [heading("Audit trail"), *_chain(data, ctx, companion, detailed)]
    if companion is not None:
        story += [heading("Companion file: every entry"), *companion_section(companion)]

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
    shown_zone = zone(tz, data.period_end, names=False)
    pending: list[list[str]] = []
    done = 0
    for event in events:
        pending.append(_row(event, data.object_names, tz))
        done += 1
        if len(pending) == CHUNK:
            if cancelled is not None and cancelled():
                raise ReportCancelled("The report was cancelled.")
            story += [_deferred_table(pending, shown_zone), Checkpoint(done, progress, cancelled)]
            pending = []
    if pending:
        story += [_deferred_table(pending, shown_zone), Checkpoint(done, progress, cancelled)]
    elif not events:
        story.append(Checkpoint(0, progress, cancelled))
    if cancelled is not None and cancelled():
        raise ReportCancelled("The report was cancelled.")
    return build_pdf(story, ctx, wide=True)


# ---------------------------------------------------------------------------- sections


def _devices(data: AccessReportData) -> list[Flowable]:
    """Their laptops in an office: what each could decrypt, and from when until when
    (after its revocation, nothing written is readable to it)."""
    if not data.devices:
        return []

    def when(text: str | None) -> str:
        if text is None:
            return "still syncing"
        moment = datetime.fromisoformat(text).astimezone(data.tz)
        return moment.strftime("%Y-%m-%d %H:%M")

    rows = [
        [d.device[:16], "; ".join(d.held) or "nothing", when(d.joined_at), when(d.revoked_at)]
        for d in data.devices
    ]
    return [
        heading("Laptops and what they held"),
        keep(data_table(["Device", "Could read", "Joined", "Revoked"], rows, [90, 250, 95, 95])),
    ]


def _period(data: AccessReportData) -> str:
    start, end = data.period_start, data.period_end
    return f"last {data.days:,} days: {day(local(start, data.tz))} – {day(local(end, data.tz))}"


def _who_andwhen(data: AccessReportData) -> Table:
    """The user and the period side by side."""
    s = styles()
    user, tz = data.user, data.tz
    half = (WIDTH - 24) / 2
    who = key_values(
        [
            ("Full name", user.full_name),
            ("Login", user.login),
            ("Role", user.role.capitalize()),
            ("Account created", when(user.created_at, tz)),
            ("Last sign-in", when(user.last_signin, tz) if user.last_signin else "never"),
            ("Account disabled", when(user.disabled_at, tz) if user.disabled_at else "no"),
        ],
        half,
    )
    period = key_values(
        [
            ("Covers", f"The last {data.days:,} day{'s' if data.days != 1 else ''}"),
            ("From", when(data.period_start, tz)),
            ("To", when(data.period_end, tz)),
            ("Times shown in", zone(tz, data.period_end)),
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
        f"{data.user.full_name} ({data.user.login}) between {when(data.period_start, data.tz)} "
        f"and {when(data.period_end, data.tz)}, and every failed sign-in to that login, "
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
        f"{local(event.ts, tz):%Y-%m-%d %H:%M:%S}",
        action_words(event),
        object_words(event.object, names),
        _details(event.details),
    )
    return [_cell(v, i) for i, v in enumerate(values)]


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
