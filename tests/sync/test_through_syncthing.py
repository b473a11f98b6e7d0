"""Change files travel between two real Syncthing daemons on the loopback interface,
set up through their REST API by crmdesk.sync.syncthing (issue 14, parts 6 and 7)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crmdesk.sync.errors import SyncthingError
from crmdesk.sync.folder import DeviceLog, SyncFolder
from crmdesk.sync.syncthing import Endpoint, Syncthing
from tests.sync.daemons import Daemon, add_own_folder, daemon
from tests.sync.test_change_files import KEYS, OFFICE, WHEN, Device, _sections

FOLDER = "crmdesk-" + OFFICE
ARRIVAL_LIMIT_S = 120


@pytest.fixture
def pair(tmp_path: Path):
    with daemon(tmp_path / "st-a") as a, daemon(tmp_path / "st-b") as b:
        yield a, b


def _wait_for(receiver: Daemon, folder: SyncFolder, device: str, numbers: list[int]) -> float:
    """Follow the receiver's events (Syncthing's long poll) until the files are there;
    seconds taken."""
    started = time.monotonic()
    since = 0
    while folder.numbers(device) != numbers:
        left = ARRIVAL_LIMIT_S - (time.monotonic() - started)
        if left <= 0:
            pytest.fail(f"the files did not arrive through Syncthing in {ARRIVAL_LIMIT_S} s")
        events = receiver.api.events(
            since,
            ["ItemFinished", "LocalIndexUpdated", "FolderSummary"],
            timeout_s=min(5, int(left) + 1),
        )
        if events:
            since = max(e["id"] for e in events)
    return time.monotonic() - started


def _share(a: Daemon, b: Daemon, path_a: Path, path_b: Path) -> None:
    a.api.ensure_device(b.device_id, "laptop B", [b.address])
    b.api.ensure_device(a.device_id, "office A", [a.address])
    a.api.ensure_folder(FOLDER, path_a, label="crmdesk office", devices=[b.device_id])
    b.api.ensure_folder(FOLDER, path_b, label="crmdesk office", devices=[a.device_id])


def test_change_files_arrive_through_syncthing_and_verify(pair, tmp_path):
    a, b = pair
    # Someone's own folder on A, which crmdesk must leave as it is.
    add_own_folder(a, tmp_path / "photos")
    before = a.api.folder("photos")

    sender = SyncFolder(tmp_path / "sync-a", OFFICE)
    sender.prepare()
    receiver = SyncFolder(tmp_path / "sync-b", OFFICE)
    receiver.prepare()
    _share(a, b, sender.root, receiver.root)
    assert a.api.folder("photos") == before
    assert not a.api.ensure_device(b.device_id, "renamed", ["dynamic"])  # known: left alone

    laptop, own = Device(), DeviceLog()
    for n in range(2):
        sender.write(laptop, own, made_at=WHEN, sections=_sections(n), keys=KEYS)
    a.api.scan(FOLDER)
    seconds = _wait_for(b, receiver, laptop.device_id, [1, 2])

    sams = {k: KEYS[k] for k in ("office", "book:sam")}
    found = receiver.read_new(laptop.device_id, DeviceLog(), device_key=laptop.public, keys=sams)
    assert [f.number for f in found.files] == [1, 2] and found.rejected == ()
    assert found.files[1].opened[0].items[0]["value"] == "Harbour 1"
    assert found.files[1].sealed == ("book:kim",)
    # Nothing half-written or extra travelled: only the device's numbered files.
    arrived = sorted(p.name for p in receiver.device_dir(laptop.device_id).iterdir())
    assert arrived == ["changes-00000001.crmsync", "changes-00000002.crmsync"]
    peers = a.api.peers(FOLDER)
    assert [p.device_id for p in peers] == [b.device_id] and peers[0].connected
    print(f"(two change files arrived through Syncthing in {seconds:.1f} s)")


def test_a_syncthing_that_is_not_running_is_said_plainly(tmp_path):
    dead = Syncthing(Endpoint("http://127.0.0.1:9", "key"), timeout=2)
    with pytest.raises(SyncthingError) as refused:
        dead.my_id()
    assert refused.value.code == "syncthing.unreachable"
    with pytest.raises(SyncthingError) as missing:
        Endpoint.from_home(tmp_path / "nowhere")
    assert missing.value.code == "syncthing.not_found"
