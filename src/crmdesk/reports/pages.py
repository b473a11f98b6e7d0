"""Reading a finished PDF back: how many pages it has (for the report register)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
