"""The demo generator's tables: JSON files under ``resources/demo/``, read on first use.

Nothing is read when the package is imported: a command that never makes demo data never
pays for the tables, and one that does reads each file once per process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from crmdesk.resources import resource


@functools.cache
def table(name: str) -> Any:
    """``resources/demo/<name>.json``, parsed (the same object on every call)."""
    with resource("demo", f"{name}.json").open(encoding="utf-8") as f:
        return json.load(f)


def weighted(runs: Sequence[Sequence[Any]]) -> tuple[str, ...]:
    """``[["active", 55], ["prospect", 30]]`` as 55 "active" then 30 "prospect": one
    uniform pick from the result follows the weights."""
    return tuple(value for value, weight in runs for _ in range(weight))
