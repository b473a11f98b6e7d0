"""The coverage report: how much of the client list is value-added information.

The evidence that the list is more than a directory: the share of clients holding each
kind of value-added information and since when, by salesperson and month by month, and
the clients with the most business and the least on file (where to gather next).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, HRFlowable, Paragraph

from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.coverage import BookCoverage, GroupCoverage, month_end
from crmdesk.reports.context import ReportContext
from crmdesk.reports.layout import (
    ACCENT,
    build_pdf,
    data_table,
    day,
    empty_note,
    frame_width,
    gap,
    heading,
    money,
    para,
    styles,
)

WIDTH = frame_width()
KINDS = len(COVERAGE_CATEGORIES)

HOW = (
    "A client holds a kind of information when its record has something in it: a contact "
    "with a birthday, notes or a personal profile; a purchase; a pricing agreement; a "
    "preference; a seasonal need; a specification; an interaction with a summary or "
    "outcome. “Since” is the earlier of two dates: the record's own date where it has one "
    "(an order's date, the start of a pricing agreement, the date of an interaction) and "
    "when crmdesk's audit trail shows it was first written (the client created with it, "
    "by hand, by an import or as demo data, or a later change that added it). The month "
    "by month figures are those of the clients and information on file today; clients "
    "deleted and information removed since are not counted."
)


def summary_lines(book: BookCoverage, business: str = "") -> list[str]:
    """The figures in sentences (also the measures report's section)."""
    whose = f"{business}'s client list" if business else "The client list"
    total = book.book.clients
    if not total:
        return [f"{whose} holds no clients yet."]
    anything = book.book.any_value_added
    kinds = ", ".join(c.noun for c in COVERAGE_CATEGORIES)
    whose_part = "" if book.scope == "every client" else f" ({book.scope})"
    lines = [
        f"{whose} holds {total:,} clients{whose_part}. {anything.count:,} of them "
        f"({anything.percent}%) hold value-added information beyond a directory entry "
        f"— at least one of: {kinds} — on average {book.book.average_held} of the "
        f"{KINDS} kinds.",
    ]
    dated = [d for d in book.since.values() if d is not None]
    if dated and book.first_client is not None:
        lines.append(
            f"The earliest of it dates from {day(min(dated))}; the list holds clients "
            f"since {day(book.first_client)}."
        )
    return lines


def kinds_table(book: BookCoverage) -> Flowable:
    rows = []
    for c in COVERAGE_CATEGORIES:
        share = book.book.shares[c.key]
        rows.append([c.label, f"{share.count:,}", f"{share.percent}%", day(book.since[c.key])])
    rows.append(
        [
            "Any of these",
            f"{book.book.any_value_added.count:,}",
            f"{book.book.any_value_added.percent}%",
            day(min((d for d in book.since.values() if d), default=None)),
        ]
    )
    return data_table(
        ["Kind of information", "Clients", "Share", "On file since"],
        rows,
        [WIDTH - 270, 80, 80, 110],
        right_columns=(1, 2),
    )


COLUMN = 49.0  # a kind's column: "Seasons" in bold fits


def _people(groups: Sequence[GroupCoverage]) -> Flowable:
    col = COLUMN
    head = ["Salesperson", "Clients", *(c.mark for c in COVERAGE_CATEGORIES)]
    rows = [
        [
            g.name or "(unassigned)",
            f"{g.clients:,}",
            *(f"{g.shares[c.key].percent}%" for c in COVERAGE_CATEGORIES),
        ]
        for g in groups
    ]
    widths = [WIDTH - 52 - col * KINDS, 52, *([col] * KINDS)]
    return data_table(head, rows, widths, right_columns=range(1, KINDS + 2))


def _months(book: BookCoverage) -> Flowable:
    col = COLUMN
    head = ["At", "Clients", *(c.mark for c in COVERAGE_CATEGORIES)]
    rows = [
        [
            day(min(month_end(m.month), book.as_of)),
            f"{m.clients:,}",
            *(f"{m.share(c.key).percent}%" for c in COVERAGE_CATEGORIES),
        ]
        for m in reversed(book.months)
    ]
    widths = [WIDTH - 52 - col * KINDS, 52, *([col] * KINDS)]
    return data_table(head, rows, widths, right_columns=range(1, KINDS + 2))


def _gaps(book: BookCoverage) -> Flowable:
    rows = [
        [
            f.name,
            f.salesperson,
            money(f.spend_12m),
            f"{len(f.coverage.held)} of {KINDS}",
            ", ".join(c.noun for c in f.coverage.missing()),
        ]
        for f in book.gaps
    ]
    return data_table(
        ["Client", "Salesperson", "12-month spend", "On file", "Missing"],
        rows,
        [140, 80, 80, 50, WIDTH - 350],
        right_columns=(2,),
    )


def render_coverage(ctx: ReportContext, book: BookCoverage) -> bytes:
    """PDF bytes of the coverage report: the summary and kinds on the first page."""
    s = styles()
    story: list[Flowable] = [
        Paragraph("Value-added coverage of the client list", s.title),
        para(
            f"{ctx.business or 'The business'} · as of {day(book.as_of)} · {book.scope}", s.subtitle
        ),  # fmt: skip
        gap(4),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=6),
    ]
    story += [para(line) for line in summary_lines(book, ctx.business)]
    story += [heading("By kind of information", confidential=True), kinds_table(book)]
    story += [heading("By salesperson", confidential=True)]
    story.append(_people(book.by_salesperson) if book.by_salesperson else empty_note())
    story += [
        heading("Most business, least on file", confidential=True),
        para(
            "The clients with purchases in the last 12 months that hold the fewest kinds of "
            "information: where gathering more is worth most.",
            s.small,
        ),
        gap(3),
    ]
    no_gaps = empty_note("No client bought in the last 12 months.")
    story.append(_gaps(book) if book.gaps else no_gaps)
    story += [heading("Month by month", confidential=True)]
    if book.months:
        story += [
            para(
                "The share of the clients on file at the end of each month that held each "
                "kind by then, newest first.",
                s.small,
            ),  # fmt: skip
            gap(3),
            _months(book),
        ]
    else:
        story.append(empty_note())
    story += [heading("How these figures are worked out"), para(HOW, s.small)]
    return build_pdf(story, ctx)
