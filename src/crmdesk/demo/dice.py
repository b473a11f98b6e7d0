"""The one random stream a run of the demo generator draws everything from.

The same seed gives the same clients only while every draw happens in the same order:
the generator's parts share this stream, and none may draw from another.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Dice:
    """A seeded ``random.Random`` and the day the data is made for."""

    __slots__ = ("r", "rng", "today", "today_ord")

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.today = today
        self.today_ord = today.toordinal()

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.r() * len(seq))]


def cumulative(weights: Sequence[int]) -> list[int]:
    """Running totals, for ``random.choices(cum_weights=...)``."""
    total = 0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out
