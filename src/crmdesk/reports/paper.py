"""Paper: A4 or US Letter, chosen by the person or by their locale.

Every report is laid out in the width both papers share (A4's in portrait, Letter's
in landscape), so the same story fits either; only the page around it changes. The
default follows the locale's country, as the C library's LC_PAPER does: Letter in the
Americas countries that use it and the Philippines, A4 everywhere else.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping

from reportlab.lib.pagesizes import A4, LETTER, landscape

PAPERS: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}

# Countries whose paper is Letter (glibc's LC_PAPER for their locales).
LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "PA", "DO", "PR", "SV", "NI"}
)


def page_size(paper: str, *, wide: bool = False) -> tuple[float, float]:
    """The page in points (width, height), landscape if ``wide``."""
    try:
        size = PAPERS[paper]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}; choose a4 or letter") from None
    return landscape(size) if wide else size


def shared_size(*, wide: bool = False) -> tuple[float, float]:
    """The part of the page A4 and Letter both have: what a report may fill."""
    sizes = [page_size(p, wide=wide) for p in PAPERS]
    return min(s[0] for s in sizes), min(s[1] for s in sizes)


def paper_for_locale(name: str | None) -> str:
    """ "en_US.UTF-8" -> "letter"; "de_DE", "en_GB", "C", None -> "a4"."""
    if not name:
        return "a4"
    country = name.split(".")[0].split("@")[0].replace("-", "_").partition("_")[2]
    return "letter" if country.upper() in LETTER_COUNTRIES else "a4"


def default_paper(environ: Mapping[str, str] | None = None) -> str:
    """The paper of this computer's locale (LC_ALL, LC_PAPER, LANG; else the locale
    Python was started with)."""
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_PAPER", "LANG"):
        value = env.get(variable)
        if value:
            return paper_for_locale(value)
    try:
        name = locale.getlocale()[0]
    except ValueError:
        name = None
    return paper_for_locale(name)
