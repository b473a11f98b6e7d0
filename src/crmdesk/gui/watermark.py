"""The screen watermark: the signed-in person's name and the date, tiled faintly.

A photograph of the screen then says whose screen it was and when, as a printed page
does. The overlay is a child widget stacked over the area it marks; it takes no mouse
clicks and never the keyboard focus, follows the palette (light or dark) and repaints
when its area is resized. The owner turns it on or off for everyone (a vault setting).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from crmdesk.gui.widgets.formats import format_date

ANGLE = -28.0  # degrees: diagonal, rising to the right
ALPHA = 16  # of 255: visible on a photo, faint enough not to get in the way of reading


class WatermarkOverlay(QWidget):
    """Tiles ``text()`` over ``target``, on top of its children, transparent to input."""

    def __init__(
        self, target: QWidget, name: str, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        super().__init__(target)
        self.setObjectName("screenWatermark")
        self._target = target
        self._name = name
        self._today = today
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("Screen watermark")
        target.installEventFilter(self)
        self._fit()

    def text(self) -> str:
        return f"{self._name} · {format_date(self._today())}"

    def set_name(self, name: str) -> None:
        self._name = name
        self.update()

    def _fit(self) -> None:
        self.setGeometry(self._target.rect())
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self._target and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.ChildAdded,
            QEvent.Type.LayoutRequest,
        ):
            self._fit()
        return super().eventFilter(watched, event)

    def ink(self) -> QColor:
        """The palette's text colour, mostly transparent: dark on light, light on dark."""
        color = QColor(self.palette().color(QPalette.ColorRole.Text))
        color.setAlpha(ALPHA)
        return color

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.6)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self.ink())
        text = self.text()
        metrics = QFontMetricsF(font)
        # Sparse: a photograph of any part of the screen still holds one whole mark.
        step_x = metrics.horizontalAdvance(text) + metrics.height() * 10
        step_y = metrics.height() * 9
        # Rotate about the centre and tile a square big enough to cover every corner.
        width, height = float(self.width()), float(self.height())
        reach = math.hypot(width, height) / 2 + step_x
        painter.translate(width / 2, height / 2)
        painter.rotate(ANGLE)
        row = 0
        y = -reach
        while y < reach:
            # Every other row shifted by half a tile: a brick pattern, no blank columns.
            x = -reach - (step_x / 2 if row % 2 else 0)
            while x < reach:
                painter.drawText(QPointF(x, y), text)
                x += step_x
            y += step_y
            row += 1
        painter.end()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.update()


class Watermarks:
    """The overlays of one window: on or off together."""

    def __init__(
        self, targets: list[QWidget], name: str, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        self.overlays = [WatermarkOverlay(t, name, today) for t in targets]
        self._on = True

    def set_on(self, on: bool) -> None:
        self._on = on
        for overlay in self.overlays:
            overlay.setVisible(on)
            if on:
                overlay.raise_()

    def is_on(self) -> bool:
        return self._on

    def set_name(self, name: str) -> None:
        for overlay in self.overlays:
            overlay.set_name(name)


__all__ = ["WatermarkOverlay", "Watermarks"]
