"""Where the files in ``resources/`` (fonts, icons, demo tables) are, from source, a wheel or
a bundle."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The resources folder: in a frozen app beside the code, in a wheel inside the
    package, in a source checkout at the repository's top level."""
    candidates = [
        Path(getattr(sys, "_MEIPASS", "")) / "resources" if hasattr(sys, "_MEIPASS") else None,
        _PACKAGE / "resources",
        _PACKAGE.parent.parent / "resources",
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "fonts").is_dir():
            return candidate
    raise FileNotFoundError(
        "crmdesk's resources folder is missing; reinstall crmdesk (it holds fonts and icons)."
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
