"""An icon for each kind of alert, drawn in the palette's text colour (light and dark)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QWidget

from crmdesk.domain.alerts import (
    AFTER_HOURS_EGRESS,
    BULK_READING,
    FAILED_SIGNINS,
    LARGE_EGRESS,
    REFUSED_BURST,
    VALUE_ADDED_BURST,
)
from crmdesk.gui.icons import icon


def alert_icons(widget: QWidget) -> dict[str, QIcon]:
    """An eye (many records viewed), a warning (a large output), a clock (after hours),
    a lock (failed sign-ins)."""
    style = widget.style()
    ink = widget.palette().color(QPalette.ColorRole.Text)
    return {
        VALUE_ADDED_BURST: _eye_icon(ink),
        LARGE_EGRESS: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        AFTER_HOURS_EGRESS: _clock_icon(ink),
        FAILED_SIGNINS: _lock_icon(style),
        REFUSED_BURST: _lock_icon(style),
        BULK_READING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
    }


def _lock_icon(style: QStyle) -> QIcon:
    found = icon("lock")
    if found.isNull():
        return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
    return found


def _canvas(size: int = 32) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _clock_icon(ink: QColor) -> QIcon:
    """A clock: a print or export outside working hours."""
    pixmap, p = _canvas()
    p.setPen(QPen(ink, 2.6))
    p.drawEllipse(QRectF(3, 3, 26, 26))
    hands = QPen(ink, 2.6)
    hands.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(hands)
    p.drawLine(QPointF(16, 16), QPointF(16, 8))
    p.drawLine(QPointF(16, 16), QPointF(22, 19))
    p.end()
    return QIcon(pixmap)


def _eye_icon(ink: QColor) -> QIcon:
    """An eye: many value-added records viewed."""
    pixmap, p = _canvas()
    path = QPainterPath(QPointF(2, 16))
    path.quadTo(QPointF(16, 2), QPointF(30, 16))
    path.quadTo(QPointF(16, 30), QPointF(2, 16))
    p.setPen(QPen(ink, 2.4))
    p.drawPath(path)
    p.setBrush(ink)
    p.drawEllipse(QPointF(16, 16), 4.5, 4.5)
    p.end()
    return QIcon(pixmap)
