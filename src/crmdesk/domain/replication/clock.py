"""Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", 2014): a stamp for
every change a device makes, close to the wall clock, yet ordered after every stamp the
device has seen, even when laptops' clocks disagree.

A stamp is (milliseconds, counter, device). Stamps of one device only ever grow, and a
device that has applied a change stamps its own later changes above it, so "happened
after" always means "stamped higher"; changes made without knowledge of each other are
ordered by their wall clocks (the writer a person would call "last"), then the counter,
then the device id, which makes the order total: every device sorts the same stamps the
same way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from crmdesk.domain.replication.errors import ReplicationError

# A device id: lower-case hex (the first bytes of the device's public key, say).
_DEVICE = re.compile(r"^[0-9a-f]{8,64}$")
_ENCODED = re.compile(r"^([0-9a-f]{12})([0-9a-f]{4})-([0-9a-f]{8,64})$")
MAX_COUNTER = 0xFFFF
# A remote stamp further ahead of this device's clock than this is refused: a laptop
# whose clock is years ahead would otherwise drag every device's stamps with it.
MAX_DRIFT_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True, order=True)
class Stamp:
    """When and where a change was made; unique per change, totally ordered."""

    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        """Fixed-width text whose string order is the stamps' order (for indexes)."""
        return f"{self.wall_ms:012x}{self.counter:04x}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> Stamp:
        match = _ENCODED.match(text)
        if match is None:
            raise ReplicationError(f"not a change stamp: {text[:40]!r}", code="sync.bad_stamp")
        return cls(int(match[1], 16), int(match[2], 16), match[3])


class HybridClock:
    """One device's clock: :meth:`tick` before each local change, :meth:`observe` for
    each change received."""

    def __init__(
        self,
        device: str,
        *,
        last: Stamp | None = None,
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        if not _DEVICE.match(device):
            raise ReplicationError(f"not a device id: {device[:40]!r}", code="sync.bad_device")
        self.device = device
        self._now = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._wall, self._counter = (last.wall_ms, last.counter) if last else (0, 0)

    @property
    def last(self) -> Stamp:
        """The newest stamp this clock gave or saw (kept by the caller across runs)."""
        return Stamp(self._wall, self._counter, self.device)

    def tick(self) -> Stamp:
        now = self._now()
        if now > self._wall:
            self._wall, self._counter = now, 0
        else:
            self._bump()
        return Stamp(self._wall, self._counter, self.device)

    def observe(self, remote: Stamp) -> None:
        """Move past a stamp received from another device."""
        now = self._now()
        if remote.wall_ms - now > MAX_DRIFT_MS:
            raise ReplicationError(
                f"A change from device {remote.device} is dated more than a day ahead of this "
                "computer's clock. Check this computer's date, time and time zone, and the "
                "other device's, then sync again.",
                code="sync.clock_ahead",
                device=remote.device,
            )
        if now > self._wall and now > remote.wall_ms:
            self._wall, self._counter = now, 0
        elif remote.wall_ms > self._wall:
            self._wall, self._counter = remote.wall_ms, remote.counter
            self._bump()
        elif remote.wall_ms == self._wall:
            self._counter = max(self._counter, remote.counter)
            self._bump()
        else:
            self._bump()

    def _bump(self) -> None:
        if self._counter >= MAX_COUNTER:
            # 65,536 changes in one millisecond: borrow the next millisecond.
            self._wall, self._counter = self._wall + 1, 0
        else:
            self._counter += 1
