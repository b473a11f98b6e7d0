"""Purchases tab: orders and their line items, purchasing patterns and spend by month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QEvent, QMargins, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFormLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from crmdesk.domain import Section
from crmdesk.gui.widgets.formats import format_date, format_money

from .cell_text import MONTHS
from .child_table import ChildTable, Column
from .field_marks import PathPart
from .tab_base import DetailTab, mark_table_error, section_title, tab_layout

_CENT = Decimal("0.01")
NARROW_BELOW = 760  # the tab's width under which the patterns go below the orders


def _dec(text: object) -> Decimal | None:
    try:
        return Decimal(str(text).strip()) if text not in (None, "") else None
    except InvalidOperation:
        return None


def line_total(item: dict[str, Any]) -> Decimal | None:
    """For display only: quantity x price less discount, to the cent (None if unreadable)."""
    quantity = _dec(item.get("quantity") or "1")
    price = _dec(item.get("unit_price"))
    discount = _dec(item.get("discount_percent") or "0")
    if quantity is None or price is None or discount is None:
        return None
    return (quantity * price * (100 - discount) / 100).quantize(_CENT, rounding=ROUND_HALF_UP)


def order_total(order: dict[str, Any]) -> Decimal | None:
    totals = [line_total(i) for i in order.get("items") or []]
    if any(t is None for t in totals):
        return None
    return sum((t for t in totals if t is not None), Decimal("0.00"))


def money(value: object) -> str:
    """``"1234.5"`` -> ``"$1,234.50"`` (the vault's currency, the locale's separators);
    empty or unreadable -> an em dash."""
    number = _dec(value) if not isinstance(value, Decimal) else value
    return "—" if number is None else format_money(number)


def _items_summary(order: dict[str, Any]) -> str:
    items = order.get("items") or []
    parts = [f"{i.get('product') or '?'} × {i.get('quantity') or '1'}" for i in items[:3]]
    more = f" (+{len(items) - 3} more)" if len(items) > 3 else ""
    return ", ".join(parts) + more if parts else "(no items)"


def _order_total_text(order: dict[str, Any]) -> str:
    total = order_total(order)
    return "—" if total is None else money(total)


# The date and the total first: they are what a narrow editor must never cut off.
ORDER_COLUMNS = (
    Column("date", "Date", "date", width=90),
    Column("total", "Total", "computed", display=_order_total_text, width=100, right=True),
    Column("items", "Items", "computed", display=_items_summary, width=230),
    Column("notes", "Notes", stretch=True),
)
ITEM_COLUMNS = (
    Column("product", "Product", stretch=True),
    Column("quantity", "Qty", "int", width=50, tooltip='A quantity, e.g. "2" or "2.5"'),
    Column("unit_price", "Unit price", "money", width=90),
    Column("discount_percent", "Discount", "percent", width=70),
    Column(
        "line_total", "Line total", "computed", display=lambda i: money(line_total(i)), right=True
    ),
)
_FIGURES = (
    ("lifetime_spend", "Lifetime spend"),
    ("last_12_months_spend", "Last 12 months"),
    ("order_count", "Orders"),
    ("average_order_value", "Average order"),
    ("average_interval_days", "Average interval"),
    ("expected_next_order", "Expected next order"),
    ("top_products", "Top products"),
)


class SpendChart(QChartView):
    """Bars of spend by month of year (Jan…Dec), following the palette (light/dark)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.bar_set = QBarSet("Spend")
        self.series = QBarSeries()
        self.series.append(self.bar_set)
        self.chart_.addSeries(self.series)
        self.month_axis = QBarCategoryAxis()
        self.month_axis.append(list(MONTHS))
        # Month names at a readable size; turned upright when the chart is too narrow
        # for them side by side (a laptop), instead of being cut to "J…".
        self.month_axis.setLabelsFont(self.font())
        self.month_axis.setTruncateLabels(False)
        self.value_axis = QValueAxis()
        self.value_axis.setLabelFormat("%.0f")
        self.chart_.addAxis(self.month_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(self.value_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.month_axis)
        self.series.attachAxis(self.value_axis)
        self.chart_.legend().hide()
        self.chart_.setTitle("Spend by month of year")
        self.chart_.setMargins(QMargins(2, 2, 2, 2))
        self.chart_.layout().setContentsMargins(0, 0, 0, 0)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(170)
        self.setMinimumWidth(220)
        self.set_values([0.0] * 12)
        self.apply_palette()

    def set_values(self, values: list[float]) -> None:
        self.bar_set.remove(0, self.bar_set.count())
        self.bar_set.append(values)
        top = max(values, default=0.0)
        self.value_axis.setRange(0, top * 1.1 if top > 0 else 1)
        self.value_axis.applyNiceNumbers()

    def apply_palette(self) -> None:
        pal = self.palette()
        dark = pal.color(QPalette.ColorRole.Window).lightness() < 128
        theme = QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        self.chart_.setTheme(theme)
        self.chart_.setBackgroundBrush(pal.color(QPalette.ColorRole.Base))
        text = pal.color(QPalette.ColorRole.Text)
        self.chart_.setTitleBrush(text)
        for axis in (self.month_axis, self.value_axis):
            axis.setLabelsBrush(text)
            grid = QColor(text)
            grid.setAlpha(40)
            axis.setGridLineColor(grid)
        self.bar_set.setColor(pal.color(QPalette.ColorRole.Highlight))
        self.bar_set.setBorderColor(pal.color(QPalette.ColorRole.Highlight))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        room = self.chart_.plotArea().width() or event.size().width() * 0.8
        needed = QFontMetrics(self.font()).horizontalAdvance("May") + 8
        upright = room / 12 < needed
        font = self.font()
        if upright:  # twelve upright names side by side: a little smaller, all shown
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        self.month_axis.setLabelsFont(font)
        self.month_axis.setLabelsAngle(-90 if upright else 0)

    def months_upright(self) -> bool:
        return self.month_axis.labelsAngle() != 0

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()


class PurchasesTab(DetailTab):
    """Orders (with line items below the selected one) and the purchasing patterns."""

    TITLE = "Purchases"
    KEYS = ("purchases",)
    SECTIONS = (Section.PURCHASES,)
    WITHHELD_DETAIL = "Orders, line items and purchasing patterns are withheld."

    def __init__(
        self, today: Callable[[], dt.date] = dt.date.today, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._item_errors: dict[int, list[tuple[list[PathPart], str]]] = {}
        self.orders = ChildTable(
            ORDER_COLUMNS,
            new_row=self._new_order,
            noun="order",
            sort_key=lambda order: str(order.get("date") or ""),
            sort_descending=True,
        )
        self.items = ChildTable(ITEM_COLUMNS, new_row=_new_item, noun="line item")
        self.items_title = section_title("Line items")

        self.figures: dict[str, QLabel] = {}
        figures = QFormLayout()
        for key, label in _FIGURES:
            value = QLabel("—")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.figures[key] = value
            figures.addRow(f"{label}:", value)
        self.chart = SpendChart()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(section_title("Orders"))
        left_layout.addWidget(self.orders, 3)
        left_layout.addWidget(self.items_title)
        left_layout.addWidget(self.items, 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(section_title("Purchasing patterns"))
        # Figures above the chart when the patterns have a column of their own; beside
        # it when they are below the orders (a narrow editor: see resizeEvent).
        self.patterns_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.patterns_layout.addLayout(figures)
        self.patterns_layout.addWidget(self.chart, 1)
        right_layout.addLayout(self.patterns_layout, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])
        self.splitter = splitter
        layout = tab_layout(self, self.confidential())
        layout.addWidget(splitter)

        self.orders.changed.connect(self.changed)
        self.orders.current_row_changed.connect(self._show_items)
        self.items.changed.connect(self._items_edited)
        self._show_items(-1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Side by side on a wide editor; the patterns below the orders on a narrow one
        (a laptop), so that no order total or price is cut off."""
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW_BELOW
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            self.patterns_layout.setDirection(
                QBoxLayout.Direction.LeftToRight if narrow else QBoxLayout.Direction.TopToBottom
            )
            total = sum(self.splitter.sizes()) or 1
            self.splitter.setSizes([total * 3 // 5, total * 2 // 5])

    # -- DetailTab

    def set_withheld(self, withheld: bool) -> None:
        super().set_withheld(withheld)
        self.orders.set_read_only(withheld)
        self.items.set_read_only(withheld)

    def load(self, data: dict[str, Any]) -> None:
        keep = self.orders.current_index()
        self._item_errors.clear()
        self.orders.set_rows(data.get("purchases") or [])
        if 0 <= keep < self.orders.row_count():
            self.orders.select(keep)
        elif self.orders.row_count():
            self.orders.table.selectRow(0)  # the newest order
        self._show_items(self.orders.current_index())

    def forget_selection(self) -> None:
        self.orders.set_rows([])

    def values(self) -> dict[str, Any]:
        return {"purchases": self.orders.rows()}

    def mark_error(self, parts: list[PathPart], message: str) -> bool:
        index = parts[0][1]
        if len(parts) > 1 and parts[1][0] == "items" and index is not None:
            self._item_errors.setdefault(index, []).append((parts[1:], message))
            self.orders.mark(index, None, message)
            self.orders.select(index)
            self._show_items(index)
            return True
        return mark_table_error(self.orders, parts, message)

    def clear_errors(self) -> None:
        self._item_errors.clear()
        self.orders.clear_marks()
        self.items.clear_marks()

    # -- patterns

    def set_patterns(self, patterns: dict[str, Any] | None) -> None:
        """Show the service's figures; None (a client not saved yet) shows dashes."""
        p = patterns or {}
        f = self.figures
        f["lifetime_spend"].setText(money(p.get("lifetime_spend")))
        f["last_12_months_spend"].setText(money(p.get("last_12_months_spend")))
        f["order_count"].setText(str(p.get("order_count", "—")))
        f["average_order_value"].setText(money(p.get("average_order_value")))
        interval = p.get("average_interval_days")
        f["average_interval_days"].setText(f"{interval} days" if interval else "—")
        f["expected_next_order"].setText(format_date(p.get("expected_next_order")) or "—")
        top = p.get("top_products") or []
        f["top_products"].setText(
            "\n".join(f"{t['product']} — {money(t['spend'])}" for t in top[:3]) or "—"
        )
        by_month = p.get("spend_by_month") or {}
        self.chart.set_values([float(Decimal(by_month.get(str(m), "0"))) for m in range(1, 13)])

    # -- internals

    def _new_order(self) -> dict[str, Any]:
        return {"date": self._today().isoformat(), "items": [], "notes": ""}

    def _show_items(self, index: int) -> None:
        has = index >= 0
        self.items.setEnabled(has)
        self.items.set_rows(self.orders.row_data(index).get("items") or [] if has else [])
        day = format_date(self.orders.row_data(index).get("date")) if has else ""
        self.items_title.setText(
            f"Line items of the order of {day or '?'}" if has else "Line items (select an order)"
        )
        for parts, message in self._item_errors.get(index, []) if has else []:
            mark_table_error(self.items, parts, message)

    def _items_edited(self) -> None:
        index = self.orders.current_index()
        if index < 0:
            return
        self.orders.row_data(index)["items"] = self.items.rows()
        self.orders.refresh_row(index)
        self.changed.emit()


def _new_item() -> dict[str, Any]:
    return {"product": "", "quantity": "1", "unit_price": None, "discount_percent": "0"}


__all__ = ["PurchasesTab", "SpendChart", "line_total", "money", "order_total"]
