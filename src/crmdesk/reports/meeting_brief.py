"""The meeting brief: one page to take into a meeting with a client.

The people and what matters to them personally, what the client buys and when, their
pricing and preferences, open tasks and the last three interactions; what is missing
from the record (to ask about). Always one page, on A4 or Letter: the brief is laid out
with as much detail as fits, from generous to terse (:data:`LEVELS`), and whatever does
not fit is summarised ("and 4 more contacts"), never dropped silently; a shortened entry
ends in "…" and the page says so. Value-added parts withheld from the person printing
say so ("Withheld: not your client").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from crmdesk.domain.birthdays import age_turning, next_birthday
from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.coverage import HELD, WITHHELD_REASON
from crmdesk.reports.context import ReportContext
from crmdesk.reports.fonts import SANS, SANS_BOLD, register_fonts
from crmdesk.reports.layout import (
    ACCENT,
    INK,
    MONTHS,
    MUTED,
    RULE,
    WARN,
    build_pdf,
    day,
    frame_height,
    frame_width,
    money,
)

WIDTH = frame_width()
GUTTER = 14.0
LEFT_W = (WIDTH - GUTTER) * 0.5
RIGHT_W = WIDTH - GUTTER - LEFT_W
RECENT = 3  # interactions: always the last three
SHORTENED_NOTE = (
    "Entries ending in “…” are shortened to keep the brief on one page; the client "
    "summary (File › Print client summary) has everything."
)


@dataclass(frozen=True, slots=True)
class Detail:
    """How much of each part a brief shows: the most that fits is chosen."""

    contacts: int  # contacts shown with their details
    contact_lines: int  # lines for one contact's personal details
    orders: int  # last orders
    products: int  # top products
    entries: int  # pricing agreements, preferences, specifications, seasonal needs each
    tasks: int
    lines: int  # lines for one entry


LEVELS: tuple[Detail, ...] = (
    Detail(contacts=6, contact_lines=8, orders=4, products=4, entries=6, tasks=5, lines=3),
    Detail(contacts=6, contact_lines=5, orders=3, products=3, entries=5, tasks=4, lines=2),
    Detail(contacts=5, contact_lines=4, orders=3, products=3, entries=4, tasks=4, lines=2),
    Detail(contacts=4, contact_lines=3, orders=3, products=3, entries=3, tasks=3, lines=2),
    Detail(contacts=3, contact_lines=2, orders=3, products=2, entries=3, tasks=3, lines=1),
    Detail(contacts=3, contact_lines=1, orders=2, products=2, entries=2, tasks=2, lines=1),
    # The floor: every entry one line, a few of each. A test prints the longest names
    # and texts crmdesk accepts at this level and checks the page holds them.
    Detail(contacts=2, contact_lines=1, orders=1, products=1, entries=1, tasks=1, lines=1),
)


# ---------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Styles:
    name: ParagraphStyle
    facts: ParagraphStyle
    heading: ParagraphStyle
    entry: ParagraphStyle
    detail: ParagraphStyle  # under an entry, indented
    more: ParagraphStyle
    withheld: ParagraphStyle
    note: ParagraphStyle


def _styles() -> _Styles:
    register_fonts()

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("fontName", SANS)
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, fontSize=size, leading=kw.pop("leading", size * 1.25), **kw)

    return _Styles(
        name=style("brief-name", 17, fontName=SANS_BOLD, textColor=ACCENT, leading=20),
        facts=style("brief-facts", 8.5, textColor=MUTED, leading=11),
        heading=style(
            "brief-heading", 9, fontName=SANS_BOLD, textColor=ACCENT, spaceBefore=7,
            spaceAfter=2, leading=11,
        ),
        entry=style("brief-entry", 8, leading=10, spaceAfter=1.5),
        detail=style("brief-detail", 8, leading=10, spaceAfter=2.5, leftIndent=8),
        more=style("brief-more", 7.5, textColor=MUTED, leading=9.5, spaceAfter=1.5),
        withheld=style("brief-withheld", 8, textColor=WARN, leading=10, spaceAfter=1.5),
        note=style("brief-note", 7, textColor=MUTED, leading=9),
    )  # fmt: skip


# ---------------------------------------------------------------------------- text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if v)
    return " ".join(str(value).split())  # one line: newlines and runs of spaces folded


def _dec(value: object) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        return Decimal("0")


def _number(value: object) -> str:
    text = f"{_dec(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _months(numbers: Sequence[object]) -> str:
    months = sorted({int(m) for m in numbers if str(m).isdigit() and 1 <= int(m) <= 12})
    return ", ".join(MONTHS[m - 1][:3] for m in months)


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


class _Fitter:
    """Paragraphs held to a number of lines: longer text is cut, ending in "…"."""

    def __init__(self) -> None:
        self.shortened = False

    def para(
        self, lead: str, text: str, style: ParagraphStyle, width: float, lines: int
    ) -> Paragraph:
        """``lead`` in bold, then ``text``, in at most ``lines`` lines of ``width``."""

        def make(size: int) -> Paragraph:
            # The first ``size`` characters of lead and text together, "…" if cut.
            cut = size < len(lead) + len(text)
            head, body = lead[:size], text[: max(0, size - len(lead))]
            if cut:
                if body:
                    body = body.rstrip() + "…"
                else:
                    head = head.rstrip() + "…"
            html = f'<font name="{SANS_BOLD}">{escape(head)}</font>' if head else ""
            if head and body:
                html += " "
            return Paragraph(html + escape(body), style)

        # No line holds more than this many characters (DejaVu's narrowest glyphs are a
        # quarter of an em): a longer text is cut here before any layout, so a 10,000
        # character note costs no more to fit than a line of it.
        most = lines * int(width / (style.fontSize * 0.25)) + 2
        whole = len(lead) + len(text)
        if whole <= most:
            full = make(whole)
            if _lines(full, width) <= lines:
                return full
        self.shortened = True
        low, high = 1, min(whole, most) - 1  # the longest cut that fits
        while low < high:
            mid = (low + high + 1) // 2
            if _lines(make(mid), width) <= lines:
                low = mid
            else:
                high = mid - 1
        return make(low)


def _lines(paragraph: Paragraph, width: float) -> int:
    paragraph.wrap(width, 10_000)
    return len(paragraph.blPara.lines)


# ---------------------------------------------------------------------------- sections


class _Brief:
    """The sections of one client's brief at one level of detail."""

    def __init__(self, client: dict[str, Any], today: dt.date, detail: Detail) -> None:
        self.client = client
        self.today = today
        self.d = detail
        self.s = _styles()
        self.fit = _Fitter()
        self.withheld = bool(client.get("redacted"))
        # Whom to ask, said once (the page has room for one line of it, not five).
        withheld = client.get("withheld") if self.withheld else None
        self.ask = str(withheld.get("ask") or "") if isinstance(withheld, dict) else ""

    # -- helpers

    def heading(self, text: str, *, confidential: bool = False) -> Paragraph:
        html = escape(text.upper())
        if confidential:
            html += '&nbsp;&nbsp;<font size="6" color="#9b1c1c">CONFIDENTIAL</font>'
        return Paragraph(html, self.s.heading)

    def entry(self, lead: str, text: str, width: float, lines: int | None = None) -> Paragraph:
        return self.fit.para(lead, text, self.s.entry, width, lines or self.d.lines)

    def more(self, text: str, width: float) -> Paragraph:
        return self.fit.para("", text, self.s.more, width, 2)

    def withheld_note(self, what: str = "") -> Paragraph:
        text = f"Withheld: {WITHHELD_REASON}" + (f" ({what})" if what else "")
        if self.ask:
            text, self.ask = f"{text}; ask {self.ask}", ""
        return Paragraph(escape(text), self.s.withheld)

    def none(self, text: str) -> Paragraph:
        return Paragraph(escape(text), self.s.more)

    # -- title

    def title(self) -> list[Flowable]:
        c = self.client
        address = ""
        addresses = c.get("addresses") or []
        if addresses and isinstance(addresses[0], dict):
            a = addresses[0]
            address = ", ".join(p for p in (a.get("city"), a.get("region"), a.get("country")) if p)
        facts = [
            (c.get("kind") or "").capitalize(),
            (c.get("status") or "").capitalize(),
            _text(c.get("industry")),
            f"Salesperson: {c['salesperson']}" if c.get("salesperson") else "",
            _text((c.get("phones") or [""])[0]),
            _text((c.get("emails") or [""])[0]),
            address,
        ]
        name = self.fit.para("", _text(c.get("name")) or "Unnamed client", self.s.name, WIDTH, 2)
        line = self.fit.para("", " · ".join(f for f in facts if f), self.s.facts, WIDTH, 2)
        out: list[Flowable] = [name, line]
        coverage = c.get("coverage") or {}
        states = coverage.get("categories") or {}
        if self.withheld or coverage.get("withheld"):
            out.append(self.withheld_note("what is on file"))
        elif states:
            held = [cat.mark for cat in COVERAGE_CATEGORIES if states.get(cat.key) == HELD]
            missing = [cat.noun for cat in COVERAGE_CATEGORIES if states.get(cat.key) != HELD]
            text = "On file: " + (", ".join(held) or "nothing value-added yet")
            if missing:
                text += " · Ask about: " + ", ".join(missing)
            out.append(self.fit.para("", text, self.s.facts, WIDTH, 2))
        out.append(HRFlowable(width="100%", thickness=1, color=ACCENT, spaceBefore=3, spaceAfter=1))
        return out

    # -- left column

    def people(self, width: float) -> list[Flowable]:
        contacts = [c for c in self.client.get("contacts") or [] if isinstance(c, dict)]
        out: list[Flowable] = [self.heading("People", confidential=True)]
        if not contacts:
            return [*out, self.none("No contacts on file.")]
        if self.withheld:
            out.append(self.withheld_note("personal details"))
        shown = contacts[: self.d.contacts]
        for contact in shown:
            reach = _text((contact.get("phones") or [""])[0]) or _text(
                (contact.get("emails") or [""])[0]
            )
            head = " · ".join(p for p in (_text(contact.get("title")), reach) if p)
            out.append(self.entry(_text(contact.get("name")), head, width, 1))
            personal = self._personal(contact)
            if personal:
                out.append(self.fit.para("", personal, self.s.detail, width, self.d.contact_lines))
        rest = contacts[len(shown) :]
        if rest:
            names = ", ".join(_text(c.get("name")) for c in rest)
            out.append(self.more(f"and {_plural(len(rest), 'more contact')}: {names}", width))
        return out

    def _personal(self, contact: dict[str, Any]) -> str:
        parts = []
        born = contact.get("birthday")
        if born:
            try:
                birthday = dt.date.fromisoformat(str(born))
            except ValueError:
                birthday = None
            if birthday is not None:
                coming = next_birthday(birthday, self.today)
                turns = age_turning(birthday, coming)
                text = f"Birthday {coming.day} {MONTHS[coming.month - 1][:3]}"
                days = (coming - self.today).days
                if days <= 30:
                    text += " (today" if days == 0 else f" (in {_plural(days, 'day')}"
                    text += f", turns {turns})" if turns else ")"
                parts.append(text)
        personal = contact.get("personal") or {}
        for label, key in (
            ("Family", "family"), ("Hobbies", "hobbies"), ("Activities", "activities"),
            ("Memberships", "memberships"), ("Education", "education"),
        ):  # fmt: skip
            value = _text(personal.get(key)) if isinstance(personal, dict) else ""
            if value:
                parts.append(f"{label}: {value}")
        if contact.get("notes"):
            parts.append(f"Notes: {_text(contact['notes'])}")
        return " · ".join(parts)

    def entries(
        self,
        title: str,
        items: list[dict[str, Any]],
        line: Callable[[dict[str, Any]], tuple[str, str]],
        noun: str,
        width: float,
        empty: str,
    ) -> list[Flowable]:
        out: list[Flowable] = [self.heading(title, confidential=True)]
        if self.withheld:
            return [*out, self.withheld_note()]
        if not items:
            return [*out, self.none(empty)]
        shown = items[: self.d.entries]
        for item in shown:
            lead, text = line(item)
            out.append(self.entry(f"{lead}:" if text else lead, text, width))
        rest = items[len(shown) :]
        if rest:
            leads = ", ".join(line(i)[0] for i in rest)
            out.append(self.more(f"and {_plural(len(rest), noun)}: {leads}", width))
        return out

    def pricing(self, width: float) -> list[Flowable]:
        def line(p: dict[str, Any]) -> tuple[str, str]:
            terms = []
            if p.get("price") not in (None, ""):
                terms.append(money(p.get("price")))
            if _dec(p.get("discount_percent")):
                terms.append(f"less {_number(p.get('discount_percent'))}%")
            valid = " – ".join(x for x in (day(p.get("valid_from")), day(p.get("valid_to"))) if x)
            if valid:
                terms.append(valid)
            if p.get("terms"):
                terms.append(_text(p.get("terms")))
            return _text(p.get("product")), ", ".join(terms)

        items = [p for p in self.client.get("pricing") or [] if isinstance(p, dict)]
        return self.entries("Pricing", items, line, "more agreement", width, "No pricing on file.")

    def preferences(self, width: float) -> list[Flowable]:
        items = [p for p in self.client.get("preferences") or [] if isinstance(p, dict)]
        return self.entries(
            "Preferences",
            items,
            lambda p: (_text(p.get("topic")), _text(p.get("detail"))),
            "more preference",
            width,
            "No preferences on file.",
        )

    def specifications(self, width: float) -> list[Flowable]:
        items = [p for p in self.client.get("specifications") or [] if isinstance(p, dict)]
        return self.entries(
            "Specifications",
            items,
            lambda p: (_text(p.get("item")), _text(p.get("detail"))),
            "more specification",
            width,
            "No specifications on file.",
        )

    # -- right column

    def buying(self, width: float) -> list[Flowable]:
        out: list[Flowable] = [self.heading("What they buy and when", confidential=True)]
        if self.withheld:
            return [*out, self.withheld_note()]
        p = self.client.get("patterns") or {}
        purchases = [x for x in self.client.get("purchases") or [] if isinstance(x, dict)]
        needs = [x for x in self.client.get("seasonal_needs") or [] if isinstance(x, dict)]
        if not purchases and not needs:
            return [*out, self.none("No purchases or seasonal needs on file.")]
        if purchases:
            interval = p.get("average_interval_days")
            rhythm = [
                f"{money(p.get('last_12_months_spend'))} in the last 12 months",
                f"{_plural(int(p.get('order_count') or 0), 'order')} in all",
            ]
            if interval:
                rhythm.append(f"one every {_number(interval)} days on average")
            out.append(self.entry("Spend:", "; ".join(rhythm), width, 2))
            when = [f"last order {day(p.get('last_purchase'))}"]
            if p.get("expected_next_order"):
                when.append(f"next expected {day(p.get('expected_next_order'))}")
            months = _months(p.get("buying_months") or [])
            if months:
                when.append(f"usually buys in {months}")
            out.append(self.entry("When:", "; ".join(when), width, 2))
            top = [t for t in p.get("top_products") or [] if isinstance(t, dict)]
            if top:
                shown = top[: self.d.products]
                text = ", ".join(
                    f"{_text(t.get('product'))} ({_number(t.get('quantity'))})" for t in shown
                )
                out.append(self.entry("Buys most:", text, width))
            ordered = sorted(purchases, key=lambda x: str(x.get("date") or ""), reverse=True)
            for order in ordered[: self.d.orders]:
                items = [i for i in order.get("items") or [] if isinstance(i, dict)]
                total = sum(
                    (_dec(i.get("quantity")) * _dec(i.get("unit_price"))
                     * (100 - _dec(i.get("discount_percent"))) / 100 for i in items),
                    Decimal("0"),
                )  # fmt: skip
                lines = ", ".join(
                    f"{_number(i.get('quantity'))} × {_text(i.get('product'))}" for i in items
                )
                out.append(self.entry(f"{day(order.get('date'))}:", f"{money(total)} — {lines}",
                                      width))  # fmt: skip
            rest = len(ordered) - min(len(ordered), self.d.orders)
            if rest:
                out.append(self.more(f"and {_plural(rest, 'earlier order')}", width))
        for need in needs[: self.d.entries]:
            out.append(self.entry(f"Seasonal ({_months(need.get('months') or [])}):",
                                  _text(need.get("need")), width))  # fmt: skip
        if len(needs) > self.d.entries:
            rest_needs = needs[self.d.entries :]
            text = ", ".join(_text(n.get("need")) for n in rest_needs)
            out.append(self.more(f"and {_plural(len(rest_needs), 'more seasonal need')}: {text}",
                                 width))  # fmt: skip
        return out

    def tasks(self, width: float) -> list[Flowable]:
        out: list[Flowable] = [self.heading("Open tasks")]
        every = [t for t in self.client.get("tasks") or [] if isinstance(t, dict)]
        tasks = sorted((t for t in every if not t.get("done")), key=lambda t: str(t.get("due")))
        if not tasks:
            return [*out, self.none("No open tasks.")]
        for task in tasks[: self.d.tasks]:
            due = str(task.get("due") or "")
            late = " (overdue)" if due and due < self.today.isoformat() else ""
            text = _text(task.get("title"))
            if task.get("contact"):
                text += f" — {_text(task.get('contact'))}"
            out.append(self.entry(f"{day(due)}{late}:", text, width))
        if len(tasks) > self.d.tasks:
            out.append(self.more(f"and {_plural(len(tasks) - self.d.tasks, 'more open task')}",
                                 width))  # fmt: skip
        return out

    def interactions(self, width: float) -> list[Flowable]:
        out: list[Flowable] = [self.heading("Last three interactions", confidential=True)]
        items = sorted(
            (i for i in self.client.get("interactions") or [] if isinstance(i, dict)),
            key=lambda i: str(i.get("date") or ""),
            reverse=True,
        )
        if not items:
            return [*out, self.none("No interactions on file.")]
        for item in items[:RECENT]:
            who = " · ".join(
                p for p in (_text(item.get("kind")).capitalize(), _text(item.get("contact"))) if p
            )
            if self.withheld:
                text = f"{who} (summary withheld: {WITHHELD_REASON})"
            else:
                text = who + (": " if who else "") + _text(item.get("summary"))
                if item.get("outcome"):
                    text += f" → {_text(item.get('outcome'))}"
            out.append(self.entry(f"{day(item.get('date'))}:", text, width))
        if len(items) > RECENT:
            out.append(self.more(f"and {_plural(len(items) - RECENT, 'earlier interaction')}",
                                 width))  # fmt: skip
        return out

    # -- the page

    def story(self) -> list[Flowable]:
        left = self.people(LEFT_W) + self.preferences(LEFT_W) + self.pricing(LEFT_W)
        right = (
            self.buying(RIGHT_W)
            + self.specifications(RIGHT_W)
            + self.tasks(RIGHT_W)
            + self.interactions(RIGHT_W)
        )
        columns = Table(
            [[left, right]], colWidths=[LEFT_W + GUTTER / 2, RIGHT_W + GUTTER / 2], hAlign="LEFT"
        )
        columns.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (0, 0), 0),
                    ("RIGHTPADDING", (0, 0), (0, 0), GUTTER / 2),
                    ("LEFTPADDING", (1, 0), (1, 0), GUTTER / 2),
                    ("RIGHTPADDING", (1, 0), (1, 0), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ("LINEAFTER", (0, 0), (0, 0), 0.5, RULE),
                ]
            )
        )
        story: list[Flowable] = [*self.title(), columns]
        if self.fit.shortened:
            story.append(HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=6))
            story.append(Paragraph(escape(SHORTENED_NOTE), self.s.note))
        return story


def _height(story: list[Flowable], width: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, 100_000)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def brief_story(
    client: dict[str, Any], today: dt.date, paper: str = "a4"
) -> tuple[list[Flowable], Detail]:
    """The most detailed brief that fits one page of ``paper``, and its level."""
    room = frame_height(paper) - 6  # a little slack for rounding
    for detail in LEVELS:
        story = _Brief(client, today, detail).story()
        if _height(story, WIDTH) <= room:
            return story, detail
    raise ValueError("this client's brief does not fit on one page even at its shortest")


def render_meeting_brief(client: dict[str, Any], ctx: ReportContext, today: dt.date) -> bytes:
    """PDF bytes of one client's meeting brief: one page of ``ctx.paper``.

    ``client`` is ``ClientService.get_json`` output (with ``patterns`` and ``coverage``;
    ``redacted`` when value-added information is withheld from the person printing).
    """
    story, _ = brief_story(client, today, ctx.paper)
    return build_pdf(story, ctx)
