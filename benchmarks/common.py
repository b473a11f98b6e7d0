"""What every benchmark shares: the in-memory key store, timing, figures with their
targets, the Markdown table, and measuring a child process's peak memory."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdesk.services import opening
from crmdesk.services.user_session import Session
from crmdesk.vault import VaultKey

TODAY = dt.date(2026, 11, 29)


class BenchKeyStore:
    """Keys in memory: the benchmark measures the database, not the OS keyring."""

    def __init__(self) -> None:
        self.keys: dict[str, VaultKey] = {}

    def describe(self) -> str:
        return "benchmark key store"

    def get(self, vault_id: str) -> VaultKey | None:
        key = self.keys.get(vault_id)
        return VaultKey(key.raw) if key else None

    def put(self, vault_id: str, key: VaultKey) -> None:
        self.keys[vault_id] = VaultKey(key.raw)

    def delete(self, vault_id: str) -> None:
        self.keys.pop(vault_id, None)

    # A child process gets the keys through a pipe, never on its command line or on disk
    # (a demo vault's, but the habit is the one the app keeps).
    def to_pipe(self) -> str:
        return json.dumps({vault_id: key.hex() for vault_id, key in self.keys.items()})

    @classmethod
    def from_pipe(cls, text: str) -> BenchKeyStore:
        store = cls()
        for vault_id, digits in json.loads(text).items():
            store.keys[vault_id] = VaultKey.from_hex(digits)
        return store


def bench_session(vault: Any) -> Session:
    """The owner's session on a one-person benchmark vault, as the app opens it: the
    owner's user row made if missing (a bare ``Session`` lacked it, and the Access
    report of the owner failed with "no user 'bench'")."""
    return opening.owner_session(vault)


def timed(fn: Callable[[], Any]) -> float:
    """Milliseconds of one call."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass(frozen=True)
class Figure:
    """One measure: its value (``unit`` "ms", "s" or "MiB"), the plain-SQLite value when
    there is one, and the target from the issue that set it ("" for none)."""

    label: str
    value: float
    unit: str
    target: str = ""
    plain: float | None = None

    def shown(self, value: float | None = None) -> str:
        value = self.value if value is None else value
        if self.unit == "ms":
            return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"
        if self.unit == "s":
            return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"
        return f"{value:.0f} {self.unit}"

    def line(self) -> str:
        text = f"{self.label}: {self.shown()}"
        if self.plain is not None:
            ratio = self.value / self.plain if self.plain else float("nan")
            text += f" (plain SQLite {self.shown(self.plain)}, {ratio:.2f}x)"
        return text + (f"  [target {self.target}]" if self.target else "")


class Figures(list[Figure]):
    """Figures, each printed as it comes (a full run takes minutes)."""

    def add(self, figure: Figure) -> Figure:
        print(f"  {figure.line()}", flush=True)
        self.append(figure)
        return figure


def markdown(figures: list[Figure], *, title: str, started: dt.datetime, load: str) -> str:
    """The README's table: every figure with the plain side and the target beside it."""
    lines = [
        f"{title}, {started:%Y-%m-%d %H:%M} UTC, {platform.node() or 'this machine'}"
        f" ({os.cpu_count()} cores), load average at start {load}:",
        "",
        "| measure | encrypted | plain SQLite | ratio | target |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        plain = f.shown(f.plain) if f.plain is not None else ""
        ratio = f"{f.value / f.plain:.2f}x" if f.plain else ""
        lines.append(f"| {f.label} | {f.shown()} | {plain} | {ratio} | {f.target} |")
    return "\n".join(lines)


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


@dataclass(frozen=True)
class ChildRun:
    seconds: float  # what the child timed: the measured call, not its start-up
    peak_mb: float  # its own peak resident memory, in MB (10^6 bytes)
    made: str  # what it made, in words


def own_peak_bytes() -> int | None:
    """This process's peak resident memory since it started its program (``VmHWM``,
    Linux), or None where the system does not say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run_child(module: str, *args: str, stdin: str = "") -> ChildRun:
    """``python -m module args`` in a child process that prints ``{"seconds": S, "made":
    TEXT, "peak_bytes": B}`` as its last line: that, and the child's peak memory.

    The peak is the one the child reads of itself when it is done (:func:`own_peak_bytes`),
    not ``ru_maxrss`` as the parent reaps it: Linux counts in a child's ``ru_maxrss`` the
    parent's resident set when it forked (``exec`` keeps the old address space's high-water
    mark), so a child of a 1 GB benchmark process showed at least 1 GB whatever it used.
    Only where the child cannot read its own does the parent's view stand in. It includes
    Python, Qt-free crmdesk and reportlab imported: what a ``crmdesk report`` command holds
    too.
    """
    command = [sys.executable, "-m", module, *args]
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(stdin)
        child.stdin.close()
        output = child.stdout.read()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{module} {' '.join(args[:1])} failed:\n{errors.read().strip()}")
    result = json.loads(output.strip().splitlines()[-1])
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = result.get("peak_bytes") or usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return ChildRun(float(result["seconds"]), peak / 1e6, str(result["made"]))
