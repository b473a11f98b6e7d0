"""What the command line needs of an import's column mapping, through the services:
reading and writing a mapping file people keep and edit, the target that ignores a
column, and how numeric dates are read (the rules are in :mod:`crmdesk.io.mapping`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from crmdesk.io import mapping as _mapping
from crmdesk.io.mapping import IGNORE, DateOrder

__all__ = ["IGNORE", "DateOrder", "load_mapping", "save_mapping"]


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: one JSON object ``{"column": "target", ...}``."""
    return _mapping.load_mapping(path)


def save_mapping(mapping: Mapping[str, str], path: Path) -> None:
    """Write a mapping file that :func:`load_mapping` reads back (and people can edit)."""
    _mapping.save_mapping(mapping, path)
