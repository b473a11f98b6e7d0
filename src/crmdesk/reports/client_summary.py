"""The client summary: everything about one client, to take into a meeting."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from crmdesk.domain.classification import FieldClass, classify
from crmdesk.domain.entities import LineItem
from crmdesk.reports.context import ReportContext
from crmdesk.reports.fonts import SANS, SANS_BOLD
from crmdesk.reports.layout import (
    ACCENT,
    MONTHS,
    MUTED,
    RULE,
    build_pdf,
    data_table,
    day,
    empty_note,
    frame_width,
    gap,
    heading,
    keep,
    key_values,
    money,
    para,
    styles,
)

RECENT_INTERACTIONS = 20
WIDTH = frame_width()


def _confidential(*paths: str) -> bool:
    """Whether any of the field paths shown in a section is value-added."""
    return any(classify(p) is FieldClass.VALUE_ADDED for p in paths)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if v)
    return str(value)


def _dec(value: object, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else default))
    except InvalidOperation:
        return Decimal(default)


def _number(value: object) -> str:
    """A quantity without needless zeros: ``10.000`` -> ``10``."""
    d = _dec(value)
    return f"{d:f}".rstrip("0").rstrip(".") if "." in f"{d:f}" else f"{d:f}"


def _address(a: dict[str, Any]) -> str:
    line2 = " ".join(p for p in (a.get("postal_code"), a.get("city")) if p)
    parts = [a.get("street"), line2, a.get("region"), a.get("country")]
    return ", ".join(p for p in parts if p)


def _line_total(item: dict[str, Any]) -> Decimal:
    return LineItem(
        product=str(item.get("product", "")),
        quantity=_dec(item.get("quantity")),
        unit_price=_dec(item.get("unit_price")),
        discount_percent=_dec(item.get("discount_percent")),
    ).total


def _line_text(item: dict[str, Any]) -> str:
    quantity, price = _number(item.get("quantity")), money(item.get("unit_price"))
    text = f"{quantity} × {item.get('product', '')} at {price}"
    discount = _dec(item.get("discount_percent"))
    if discount:
        text += f" less {_number(discount)}%"
    return text


# ---------------------------------------------------------------------------- sections


def _title(client: dict[str, Any]) -> list[Flowable]:
    s = styles()
    facts = [
        (client.get("kind") or "").capitalize(),
        (client.get("status") or "").capitalize(),
        client.get("industry") or "",
    ]
    out: list[Flowable] = [
        Paragraph(escape(client.get("name") or "Unnamed client"), s.title),
        para(" · ".join(f for f in facts if f), s.subtitle),
        gap(4),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=2),
    ]
    return out


def _basic(client: dict[str, Any]) -> list[Flowable]:
    addresses = client.get("addresses") or ([client["address"]] if client.get("address") else [])
    pairs = [
        ("Salesperson", _text(client.get("salesperson"))),
        ("Email", "\n".join(client.get("emails") or [client.get("email") or ""])),
        ("Phone", "\n".join(client.get("phones") or [client.get("phone") or ""])),
        ("Website", _text(client.get("website"))),
        ("Address", "\n".join(_address(a) for a in addresses if isinstance(a, dict))),
        ("Tags", _text(client.get("tags"))),
        ("Source", _text(client.get("source"))),
    ]
    out: list[Flowable] = [heading("Basic information"), key_values(pairs, WIDTH)]
    if client.get("notes"):
        out += [
            heading("Notes", confidential=_confidential("client.notes")),
            para(client["notes"]),
        ]
    return out


def _contacts(contacts: list[dict[str, Any]]) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [
        heading(
            "Contacts",
            confidential=_confidential("contact.personal", "contact.birthday", "contact.notes"),
        )
    ]
    if not contacts:
        return [*out, empty_note()]
    for contact in contacts:
        personal = contact.get("personal") or {}
        name = escape(contact.get("name") or "")
        if contact.get("title"):
            name += f'<font name="{SANS}" color="#5b6573">  ·  {escape(contact["title"])}</font>'
        pairs = [
            ("Email", "\n".join(contact.get("emails") or [contact.get("email") or ""])),
            ("Phone", "\n".join(contact.get("phones") or [contact.get("phone") or ""])),
            ("Birthday", day(contact.get("birthday"))),
            ("Hobbies", _text(personal.get("hobbies"))),
            ("Activities", _text(personal.get("activities"))),
            ("Education", _text(personal.get("education"))),
            ("Memberships", _text(personal.get("memberships"))),
            ("Family", _text(personal.get("family"))),
            ("Notes", _text(contact.get("notes"))),
        ]
        out.append(keep(Paragraph(name, s.subheading), key_values(pairs, WIDTH), gap(4)))
    return out


def _chart(spend_by_month: dict[str, Any], width: float) -> Drawing:
    values = [float(_dec(spend_by_month.get(str(m)))) for m in range(1, 13)]
    drawing = Drawing(width, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 20, width - 44, 108
    chart.data = [values]
    chart.bars[0].fillColor = HexColor("#3f6ea5")
    chart.bars[0].strokeColor = None
    chart.barSpacing = 2
    chart.groupSpacing = 8
    chart.categoryAxis.categoryNames = [m[:3] for m in MONTHS]
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.fillColor = MUTED
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    top = max(values) if any(values) else 1.0
    chart.valueAxis.valueMax = top * 1.1
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = HexColor("#e6e9ee")
    chart.valueAxis.gridStrokeWidth = 0.5
    drawing.add(chart)
    drawing.add(
        String(
            0, 138, "Spend by month (all years)", fontName=SANS_BOLD, fontSize=8.5, fillColor=ACCENT
        )
    )
    return drawing


def _patterns(patterns: dict[str, Any] | None) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Purchasing patterns", confidential=_confidential("client.patterns"))
    ]
    if not patterns or not patterns.get("order_count"):
        return [*out, empty_note("No purchases recorded yet.")]
    interval = patterns.get("average_interval_days")
    pairs = [
        ("Lifetime spend", money(patterns.get("lifetime_spend"))),
        ("Last 12 months", money(patterns.get("last_12_months_spend"))),
        ("Orders", str(patterns.get("order_count") or 0)),
        ("Average order", money(patterns.get("average_order_value"))),
        ("Average interval", f"{interval} days" if interval else ""),
        ("Last purchase", day(patterns.get("last_purchase"))),
        ("Expected next order", day(patterns.get("expected_next_order"))),
    ]
    figures_w = 200.0
    side_by_side = Table(
        [
            [
                key_values(pairs, figures_w, 105),
                _chart(patterns.get("spend_by_month") or {}, WIDTH - figures_w - 16),
            ]
        ],
        colWidths=[figures_w + 16, WIDTH - figures_w - 16],
        hAlign="LEFT",
    )
    side_by_side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    out.append(side_by_side)
    top = patterns.get("top_products") or []
    if top:
        rows = [
            [p.get("product", ""), _number(p.get("quantity")), money(p.get("spend"))] for p in top
        ]
        out += [
            Paragraph("Top products", styles().subheading),
            data_table(
                ["Product", "Quantity", "Spend"], rows, [WIDTH - 180, 80, 100], right_columns=(1, 2)
            ),
        ]
    return out


def _purchases(purchases: list[dict[str, Any]]) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Purchase history", confidential=_confidential("client.purchases"))
    ]
    if not purchases:
        return [*out, empty_note()]
    ordered = sorted(purchases, key=lambda p: str(p.get("date") or ""), reverse=True)
    rows = []
    for purchase in ordered:
        items = purchase.get("items") or []
        lines = "\n".join(_line_text(i) for i in items)
        if purchase.get("notes"):
            lines += f"\nNote: {purchase['notes']}"
        total = sum((_line_total(i) for i in items), Decimal("0.00"))
        rows.append([day(purchase.get("date")), lines, money(total)])
    out.append(
        data_table(["Date", "Items", "Total"], rows, [78, WIDTH - 168, 90], right_columns=(2,))
    )
    return out


def _pricing(pricing: list[dict[str, Any]]) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Pricing agreements", confidential=_confidential("client.pricing"))
    ]
    if not pricing:
        return [*out, empty_note()]
    rows = []
    for p in pricing:
        discount = _dec(p.get("discount_percent"))
        valid = " – ".join(x for x in (day(p.get("valid_from")), day(p.get("valid_to"))) if x)
        percent = f"{_number(discount)}%" if discount else ""
        rows.append(
            [_text(p.get("product")), money(p.get("price")), percent, valid, _text(p.get("terms"))]
        )
    widths = [WIDTH - 350, 62, 56, 132, 100]
    out.append(
        data_table(
            ["Product", "Price", "Discount", "Valid", "Terms"], rows, widths, right_columns=(1, 2)
        )
    )
    return out


def _pairs_section(
    title: str,
    path: str,
    entries: list[dict[str, Any]],
    key: str,
    value: str,
    head: tuple[str, str],
) -> list[Flowable]:
    out: list[Flowable] = [heading(title, confidential=_confidential(path))]
    if not entries:
        return [*out, empty_note()]
    rows = [[_text(e.get(key)), _text(e.get(value))] for e in entries]
    out.append(data_table(list(head), rows, [150, WIDTH - 150]))
    return out


def _seasonal(needs: list[dict[str, Any]]) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Seasonal needs", confidential=_confidential("client.seasonal_needs"))
    ]
    if not needs:
        return [*out, empty_note()]
    rows = []
    for need in needs:
        months = [
            int(m) for m in need.get("months") or [] if str(m).isdigit() and 1 <= int(m) <= 12
        ]
        rows.append(
            [", ".join(MONTHS[m - 1] for m in sorted(set(months))), _text(need.get("need"))]
        )
    out.append(data_table(["Months", "Need"], rows, [150, WIDTH - 150]))
    return out


def _interactions(interactions: list[dict[str, Any]]) -> list[Flowable]:
    confidential = _confidential("interaction.summary", "interaction.outcome")
    out: list[Flowable] = [heading("Recent interactions", confidential=confidential)]
    if not interactions:
        return [*out, empty_note()]
    ordered = sorted(interactions, key=lambda i: str(i.get("date") or ""), reverse=True)
    rows = []
    for i in ordered[:RECENT_INTERACTIONS]:
        text = _text(i.get("summary"))
        if i.get("outcome"):
            text += f"\nOutcome: {i['outcome']}"
        rows.append(
            [day(i.get("date")), _text(i.get("kind")).capitalize(), _text(i.get("contact")), text]
        )
    out.append(data_table(["Date", "Kind", "Contact", "Summary"], rows, [72, 58, 110, WIDTH - 240]))
    if len(interactions) > RECENT_INTERACTIONS:
        out.append(
            empty_note(f"The latest {RECENT_INTERACTIONS} of {len(interactions)} interactions.")
        )
    return out


def _tasks(tasks: list[dict[str, Any]]) -> list[Flowable]:
    out: list[Flowable] = [heading("Open tasks")]
    open_tasks = sorted(
        (t for t in tasks if not t.get("done")), key=lambda t: str(t.get("due") or "")
    )
    if not open_tasks:
        return [*out, empty_note("No open tasks.")]
    rows = [[day(t.get("due")), _text(t.get("title")), _text(t.get("contact"))] for t in open_tasks]
    out.append(data_table(["Due", "Task", "Contact"], rows, [78, WIDTH - 218, 140]))
    return out


def _withheld(note: str) -> list[Flowable]:
    """The value-added sections of a client the reader may not see in full: each says
    so, never "none recorded" (the information may well exist)."""
    out: list[Flowable] = []
    for title, path in (
        ("Purchasing patterns", "client.patterns"),
        ("Purchase history", "client.purchases"),
        ("Pricing agreements", "client.pricing"),
        ("Preferences", "client.preferences"),
        ("Seasonal needs", "client.seasonal_needs"),
        ("Specifications", "client.specifications"),
    ):
        out += [heading(title, confidential=_confidential(path)), empty_note(note)]
    return out


def render_client_summary(client: dict[str, Any], ctx: ReportContext) -> bytes:
    """PDF bytes of one client's summary (``client_to_json`` plus ``"patterns"``)."""
    story: list[Flowable] = []
    story += _title(client)
    story += _basic(client)
    story += _contacts(client.get("contacts") or [])
    withheld = client.get("withheld") if client.get("redacted") else None
    if withheld:
        story += _withheld(str(withheld.get("note") or "Withheld"))
    else:
        story += _patterns(client.get("patterns"))
        story += _purchases(client.get("purchases") or [])
        story += _pricing(client.get("pricing") or [])
        story += _pairs_section(
            "Preferences", "client.preferences", client.get("preferences") or [],
            "topic", "detail", ("Topic", "Preference"),
        )  # fmt: skip
        story += _seasonal(client.get("seasonal_needs") or [])
        story += _pairs_section(
            "Specifications", "client.specifications", client.get("specifications") or [],
            "item", "detail", ("Item", "Specification"),
        )  # fmt: skip
    story += _interactions(client.get("interactions") or [])
    story += _tasks(client.get("tasks") or [])
    return build_pdf(story, ctx)
