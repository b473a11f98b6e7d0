"""The fonts every crmdesk PDF uses, registered in one place.

DejaVu covers Latin, Greek, Cyrillic and Vietnamese, so every name prints and comes back
out of the PDF as text (Zoë, Łukasiewicz, Nguyễn...).
"""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from crmdesk.resources import resource

SANS, SANS_BOLD, MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"

_FILES = (
    (SANS, "DejaVuSans.ttf"),
    (SANS_BOLD, "DejaVuSans-Bold.ttf"),
    (MONO, "DejaVuSansMono.ttf"),
)


def register_fonts() -> None:
    """Register the DejaVu fonts with reportlab (idempotent)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in _FILES:
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(resource("fonts", file))))
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD
    )
