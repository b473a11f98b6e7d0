"""The notices at the top of a detail tab: the confidential (trade secret) banner with
its padlock, and the banner shown instead when the signed-in person may not see this
part of the record."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from crmdesk.domain import FieldClass, Section, classify
from crmdesk.domain.classification import SECTION_CLASS

BANNER_TEXT = "CONFIDENTIAL — trade secret. Access is recorded."
WITHHELD_TEXT = "Withheld: only the assigned salesperson, a manager or the owner sees this."


def is_confidential(sections: Iterable[Section], paths: Iterable[str] = ()) -> bool:
    """Whether a tab shows value-added data: a value-added section or value-added fields."""
    return any(SECTION_CLASS[s] is FieldClass.VALUE_ADDED for s in sections) or any(
        classify(p) is FieldClass.VALUE_ADDED for p in paths
    )


def lock_icon(color: QColor | None = None) -> QIcon:
    """A small padlock drawn in code (no font or image file needed)."""
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = color or QColor("#c77700")
    painter.setPen(QPen(ink, 3.5))
    shackle = QPainterPath()
    shackle.moveTo(QPointF(10, 15))
    shackle.lineTo(QPointF(10, 10))
    shackle.arcTo(QRectF(10, 3, 12, 14), 180, -180)
    shackle.lineTo(QPointF(22, 15))
    painter.drawPath(shackle)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawRoundedRect(QRectF(6, 14, 20, 15), 3, 3)
    painter.end()
    return QIcon(pix)


class ConfidentialBanner(QFrame):
    """The notice every value-added tab shows at its top: a padlock and BANNER_TEXT."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confidentialBanner")
        icon = QLabel()
        icon.setPixmap(lock_icon().pixmap(16, 16))
        self.text_label = QLabel(BANNER_TEXT)
        font = self.text_label.font()
        font.setBold(True)
        self.text_label.setFont(font)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(icon)
        layout.addWidget(self.text_label, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def text(self) -> str:
        return self.text_label.text()


def confidential_banner() -> ConfidentialBanner:
    return ConfidentialBanner()


class WithheldBanner(QFrame):
    """Shown instead of the confidential banner when the signed-in person may not see
    this part of the record: what is withheld and who sees it. Hidden until needed."""

    def __init__(self, detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("withheldBanner")
        icon = QLabel()
        icon.setPixmap(lock_icon(QColor("#5b6b80")).pixmap(16, 16))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        # One label (bold heading, then the detail): two wrapped labels in a row of a
        # box layout get spread apart when the layout guesses their height.
        self.text_label = QLabel()
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.addWidget(icon)
        layout.addWidget(self.text_label, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._detail = ""
        self.set_detail(detail)
        self.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_height()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        # A wrapped label's size hint assumes a narrow width, so the tab's layout would
        # make the banner too tall: cap it at what its text needs at this width, and lay
        # the text out again for the height it has now.
        layout = self.layout()
        wanted = layout.totalHeightForWidth(self.width())
        if wanted > 0 and wanted != self.maximumHeight():
            self.setMaximumHeight(wanted)
        layout.setGeometry(self.rect())

    def text(self) -> str:
        return WITHHELD_TEXT

    def detail(self) -> str:
        return self._detail

    def set_detail(self, detail: str) -> None:
        self._detail = detail
        html = f"<b>{escape(WITHHELD_TEXT)}</b>"
        if detail:
            html += f"<br>{escape(detail)}"
        self.text_label.setText(html)
