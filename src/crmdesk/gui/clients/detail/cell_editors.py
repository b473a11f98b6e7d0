"""How the client editor's table cells show and take dates, money, percentages and
words of a list, the same way as everywhere in the app (:mod:`crmdesk.gui.widgets.formats`).

A cell shows a date in the locale's short format and is edited with a calendar; money
shows with the vault's currency and separators and takes what a person types ("$1,250"
or "1250.5"); a kind of interaction shows as a word ("Meeting") and stores its code.
Text that is no date or amount is passed on as typed: the domain names the problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDate, QLocale, QModelIndex
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from crmdesk.gui.widgets.formats import (
    format_date,
    format_money,
    full_year_date_format,
    parse_money,
    value_words,
)


def parse_date(text: str) -> str | None:
    """A date typed or shown ("11/29/26", "2026-11-29") as ISO text; None when empty;
    anything else as typed."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    locale = QLocale()
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    for fmt in (pattern, pattern.replace("yy", "yyyy") if "yyyy" not in pattern else pattern):
        date = locale.toDate(text, fmt)
        if date.isValid():
            if "yyyy" not in fmt and date.year() < 1950:
                date = date.addYears(100)  # "11/29/26" is 2026, not 1926
            return date.toString("yyyy-MM-dd")
    return text


def shown(kind: str, value: Any) -> str:
    """A stored value as its cell shows it."""
    if value is None:
        return ""
    if kind == "date":
        return format_date(str(value)) if value else ""
    if kind == "money":
        try:
            return format_money(Decimal(str(value))) if str(value).strip() else ""
        except InvalidOperation:
            return str(value)
    if kind == "percent":
        return f"{value} %" if str(value).strip() else ""
    if kind == "choice":
        return value_words(str(value))
    return str(value)


def taken(kind: str, text: str, choices: Sequence[str] = ()) -> Any:
    """What a person typed into a cell, as the value the record keeps."""
    if kind == "date":
        return parse_date(text)
    if kind == "money":
        return parse_money(text)
    if kind == "percent":
        return text.replace("%", "").strip() or None
    if kind == "int":
        return text.strip() or None
    if kind == "choice":
        return next((c for c in choices if value_words(c) == text.strip()), text.strip())
    return text


class ChoiceDelegate(QStyledItemDelegate):
    """A list of words to choose from; the cell keeps the word, the record the code."""

    def __init__(self, choices: Sequence[str], parent: QWidget) -> None:
        super().__init__(parent)
        self._choices = list(choices)

    def createEditor(  # noqa: N802 - Qt API
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for choice in self._choices:
            combo.addItem(value_words(choice), choice)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentText(str(index.data() or ""))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText())


class DateDelegate(QStyledItemDelegate):
    """A calendar to pick a cell's date from."""

    def createEditor(  # noqa: N802 - Qt API
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex
    ) -> QWidget:
        edit = QDateEdit(parent)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(full_year_date_format())
        return edit

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QDateEdit)
        iso = parse_date(str(index.data() or ""))
        try:
            day = dt.date.fromisoformat(iso) if iso else dt.date.today()
        except ValueError:
            day = dt.date.today()
        editor.setDate(QDate(day.year, day.month, day.day))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QDateEdit)
        model.setData(index, format_date(editor.date().toPython()))  # type: ignore[arg-type]
