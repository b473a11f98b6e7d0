"""The time from an edit at the office to the edit applied on a laptop, through two real
Syncthing daemons on this machine (part of :mod:`benchmarks.sync_speed`).

The daemons are the tests' (``tests/sync/daemons.py``): loopback only, with global
discovery, relays, NAT traversal and usage reports off before their first start. The
office's folder is set up as crmdesk sets it up (``Syncthing.ensure_folder``: the file
watcher on, Syncthing's default delay and rescan interval), and those settings, read
back from the daemon, are printed: they, not crmdesk, make most of the time.

Each edit: the client service saves one field at the office, the office's ``sync_now``
writes its change file, Syncthing notices it and sends it, and as soon as the laptop's
daemon has it the laptop's ``sync_now`` applies it (the app would sync on its own
schedule; this is the least it can take). Twice over: as set up, and with a scan of the
folder asked for right after the office's sync (``POST /rest/db/scan``), which skips the
watcher's delay.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tests.sync.daemons import Daemon, daemon

from benchmarks.common import TODAY, Figure, Figures
from benchmarks.sync_speed import Device, join_laptop, make_office, sync_until_sent
from crmdesk.services.clients import ClientService
from crmdesk.services.replication import state
from crmdesk.sync.folder import SyncFolder

# The office's size matters little here (one edit travels); the smoke run's is smaller.
CLIENTS, SMOKE_CLIENTS = 200, 50
ARRIVAL_LIMIT_S = 120
EVENTS = ["ItemFinished", "LocalIndexUpdated", "RemoteIndexUpdated", "FolderSummary"]


class Watch:
    """Waits on one daemon's events (Syncthing's long poll) until a condition holds."""

    def __init__(self, node: Daemon) -> None:
        self.node = node
        self.since = 0

    def until(self, holds: Callable[[], bool], what: str) -> None:
        started = time.monotonic()
        while not holds():
            left = ARRIVAL_LIMIT_S - (time.monotonic() - started)
            if left <= 0:
                raise SystemExit(f"{what} did not arrive through Syncthing in {ARRIVAL_LIMIT_S} s")
            events = self.node.api.events(self.since, EVENTS, timeout_s=min(5, int(left) + 1))
            if events:
                self.since = max(e["id"] for e in events)


def _same(ours: SyncFolder, theirs: SyncFolder, device: str) -> bool:
    return ours.numbers(device) == theirs.numbers(device)


def _share(a: Daemon, b: Daemon, folder_id: str, path_a: Path, path_b: Path) -> None:
    a.api.ensure_device(b.device_id, "laptop", [b.address])
    b.api.ensure_device(a.device_id, "office", [a.address])
    a.api.ensure_folder(folder_id, path_a, label="crmdesk office", devices=[b.device_id])
    b.api.ensure_folder(folder_id, path_b, label="crmdesk office", devices=[a.device_id])


def measure(work: Path, figures: Figures, *, edits: int, smoke: bool) -> None:
    work.mkdir(parents=True, exist_ok=True)
    at_office, at_laptop = work / "shared-office", work / "shared-laptop"
    with daemon(work / "st-office") as a, daemon(work / "st-laptop") as b:
        clients = SMOKE_CLIENTS if smoke else CLIENTS
        office = make_office(work / "office", at_office, clients)
        laptop: Device | None = None
        try:
            found = state.require_office(office.vault)
            folder_id = f"crmdesk-{found.office[:16]}"  # the invitation's folder id
            at_laptop.mkdir(parents=True)
            _share(a, b, folder_id, at_office, at_laptop)
            sync_until_sent(office)
            laptop = join_laptop(office, work / "laptop", at_laptop)
            # Setting up is not measured: scans carry the join request and the grant now.
            b.api.scan(folder_id)
            requests = at_office / found.office / "joins"
            Watch(a).until(lambda: any(requests.glob("*.request")), "the join request")
            assert office.sync().joined
            a.api.scan(folder_id)
            mine = state.require_office(laptop.vault).device
            grant = at_laptop / found.office / "grants" / f"{mine}.grant-1"
            theirs, ours = SyncFolder(at_office, found.office), SyncFolder(at_laptop, found.office)
            Watch(b).until(
                lambda: (
                    grant.is_file() and ours.numbers(found.device) == theirs.numbers(found.device)
                ),
                "the key grant and the office's files",
            )
            first = laptop.sync()
            assert not first.waiting_for_grant and first.created == clients, first
            config = a.api.folder(folder_id) or {}
            settings = (
                f"fsWatcherEnabled {config.get('fsWatcherEnabled')}, fsWatcherDelayS "
                f"{config.get('fsWatcherDelayS')}, rescanIntervalS {config.get('rescanIntervalS')}"
            )
            print(f"  (Syncthing {settings})", flush=True)
            delay = config.get("fsWatcherDelayS")
            for scan in (False, True):
                runs = max(2, edits) if scan else edits
                times, transit = _edits(office, laptop, a, b, folder_id, runs, scan=scan)
                how = "scan asked for" if scan else f"file watcher, delay {delay} s"
                label = f"an edit at the office applied on the laptop through Syncthing ({how})"
                figures.add(_latency(f"{label}, median of {runs}", statistics.median(times)))
                figures.add(_latency(f"of which in Syncthing ({how})", statistics.median(transit)))
        finally:
            if laptop is not None:
                laptop.close()
            office.close()


def _latency(label: str, seconds: float) -> Figure:
    return Figure(label, seconds, "s") if seconds >= 1 else Figure(label, seconds * 1000, "ms")


def _edits(
    office: Device, laptop: Device, a: Daemon, b: Daemon, folder_id: str, runs: int, *, scan: bool
) -> tuple[list[float], list[float]]:
    """Seconds from each edit to it applied on the laptop, and of those, in Syncthing."""
    found = state.require_office(office.vault)
    here, there = found.sync_folder, state.require_office(laptop.vault).sync_folder
    service = ClientService(office.session, today=lambda: TODAY)
    client = int(office.vault.connection.execute("SELECT min(id) FROM clients").fetchone()[0])
    watch = Watch(b)
    times, transit = [], []
    for n in range(runs):
        value = f"https://www.edit-{int(scan)}-{n}.example.org"
        started = time.perf_counter()
        service.update(client, {"website": value})
        sent = office.sync()
        assert sent.sent_changes == 1, sent
        if scan:
            a.api.scan(folder_id)
        written = time.perf_counter()
        number = here.numbers(found.device)[-1]
        watch.until(lambda number=number: number in there.numbers(found.device), "an edit")
        arrived = time.perf_counter()
        got = laptop.sync()
        done = time.perf_counter()
        assert got.received_changes == 1 and got.updated == 1, got
        website = laptop.vault.connection.execute(
            "SELECT website FROM clients WHERE website = ?", (value,)
        ).fetchone()
        assert website is not None, "the edit is not on the laptop"
        times.append(done - started)
        transit.append(arrived - written)
        print(
            f"  ({'scan' if scan else 'watcher'} edit {n + 1}: {done - started:.2f} s, "
            f"{arrived - written:.2f} s of it in Syncthing)",
            flush=True,
        )
    return times, transit
