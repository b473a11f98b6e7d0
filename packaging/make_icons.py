"""Render resources/icons/crmdesk.svg into the app icons the bundles use.

    python packaging/make_icons.py

writes ``crmdesk.png`` (256 px, the Linux icon), ``crmdesk.ico`` (Windows: 16 to 256 px)
and ``crmdesk.icns`` (macOS) next to the SVG. Each size is rendered from the SVG itself,
so small sizes stay sharp. Needs PySide6 (QtSvg) and Pillow; the generated files are
committed, so building the app needs neither step.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024]


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> None:
    _app = QGuiApplication([])  # noqa: F841 - QImage/QPainter need an application
    renderer = QSvgRenderer(str(ICONS / "crmdesk.svg"))
    if not renderer.isValid():
        raise SystemExit("cannot read crmdesk.svg")
    images = {size: render(renderer, size) for size in sorted({*ICO_SIZES, *ICNS_SIZES})}
    images[256].save(ICONS / "crmdesk.png", optimize=True)
    largest = images[max(ICO_SIZES)]
    largest.save(
        ICONS / "crmdesk.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    biggest = images[max(ICNS_SIZES)]
    biggest.save(
        ICONS / "crmdesk.icns",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    for name in ("crmdesk.png", "crmdesk.ico", "crmdesk.icns"):
        print(f"wrote {ICONS / name} ({(ICONS / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
