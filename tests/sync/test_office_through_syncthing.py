"""Issue 14, done when, end to end: the office vault and Sam's laptop vault, each with
its own real Syncthing daemon on the loopback interface, share the office's folder.
Sam edits a client offline, the owner edits another field of it at the office; both
sync through Syncthing, both show both edits, and the owner's Activity (its trail)
shows what happened on the laptop, with the laptop named."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.clients import ClientService
from crmdesk.services.replication import exchange, state
from tests.services.office import fast_passwords  # noqa: F401  (fixture)
from tests.sync.daemons import Daemon, daemon
from tests.sync.office_vaults import client_id, join_laptop, office_with_folder

ARRIVAL_LIMIT_S = 120


def _until(receiver: Daemon, sender: Daemon, folder_id: str, done: Callable[[], bool]) -> None:
    """Ask the sender's Syncthing to look at the folder now, then follow the receiver's
    events (a long poll) until ``done()``."""
    sender.api.scan(folder_id)
    started, since = time.monotonic(), 0
    while not done():
        left = ARRIVAL_LIMIT_S - (time.monotonic() - started)
        if left <= 0:
            pytest.fail(f"nothing arrived through Syncthing in {ARRIVAL_LIMIT_S} s")
        events = receiver.api.events(
            since, ["ItemFinished", "LocalIndexUpdated", "FolderSummary"], timeout_s=2
        )
        if events:
            since = max(e["id"] for e in events)


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_edits_made_apart_meet_through_syncthing(vault, tmp_path, fast_passwords):  # noqa: F811
    at_office, on_laptop = tmp_path / "office-share", tmp_path / "laptop-share"
    office = office_with_folder(vault, at_office)
    sam = join_laptop(office, "sam", "Sam Reed", tmp_path / "sam-laptop", on_laptop)
    folder_id = "crmdesk-" + state.office(office.vault).office[:16]
    with daemon(tmp_path / "st-office") as a, daemon(tmp_path / "st-laptop") as b:
        a.api.ensure_device(b.device_id, "Sam's laptop", [b.address])
        b.api.ensure_device(a.device_id, "office", [a.address])
        a.api.ensure_folder(folder_id, at_office, label="crmdesk office", devices=[b.device_id])
        b.api.ensure_folder(folder_id, on_laptop, label="crmdesk office", devices=[a.device_id])

        def exchange_through(first, second) -> None:
            """``first`` syncs, its files reach ``second``'s folder, ``second`` syncs."""
            sender, receiver, there = (b, a, at_office) if first is sam else (a, b, on_laptop)
            here = on_laptop if first is sam else at_office
            (sam.sync() if first is sam else exchange.sync_now(office.owner))
            wanted = _files(here) - {".stignore"}
            _until(receiver, sender, folder_id, lambda: wanted <= _files(there))
            (sam.sync() if second is sam else exchange.sync_now(office.owner))

        # The join request goes to the office, the key grant and the office come back.
        exchange_through(sam, office)
        exchange_through(office, sam)
        assert client_id(sam.vault, "Reed Supplies") is not None

        laptop_id = client_id(sam.vault, "Reed Supplies")
        sam.clients().update(laptop_id, {"notes": "Wants delivery on Mondays."})
        ClientService(office.owner).update(office.sams_client, {"website": "reed.example"})
        exchange_through(sam, office)
        exchange_through(office, sam)

        for shown in (
            ClientService(office.owner).get(office.sams_client),
            sam.clients().get(laptop_id),
        ):
            assert shown.notes == "Wants delivery on Mondays."
            assert shown.website == "https://reed.example"

    device = state.office(sam.vault).device
    entries = ActivityService(office.owner).log(ActivityFilter(login="sam"))
    from_laptop = [e for e in entries if dict(e.details).get("copied_from") == device]
    assert {e.action for e in from_laptop} >= {"client.updated", "office.joined"}
