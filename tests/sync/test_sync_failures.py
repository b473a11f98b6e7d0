"""Issue 14, part 7: a sync killed half-way resumes and converges; a change file that is
tampered with, cut, replayed or forged is refused with a report and changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crmdesk.services.clients import ClientService
from crmdesk.services.replication import exchange, joining, state
from crmdesk.services.session import create_vault, unlock
from crmdesk.sync import changefile
from crmdesk.sync.changefile import Section
from crmdesk.sync.folder import DeviceLog
from crmdesk.vault import Owner
from crmdesk.vault.keys.device import DeviceKey
from tests.services.office import fast_passwords  # noqa: F401  (fixture)
from tests.support import FAST_KDF
from tests.sync.office_vaults import Laptop, client_id, sync_all

PASSPHRASE = "sam's laptop passphrase 1"

CHILD = r"""
import sys
from pathlib import Path
from crmdesk.services.replication import exchange
from crmdesk.services.session import unlock

session = unlock(Path(sys.argv[1]), passphrase=sys.argv[2])
exchange.sync_now(session)
session.close()
"""


@pytest.fixture
def laptop(office, shared, tmp_path):
    """Sam's laptop, a passphrase vault (a child process opens it too), synced."""
    where = tmp_path / "sam-laptop"
    invitation = joining.invite(office.owner, "sam")
    session, _ = create_vault(
        where, Owner("Sam Reed", "sam", ""), passphrase=PASSPHRASE, kdf=FAST_KDF
    )
    joining.become_member(session, joining.read_invitation(invitation), shared)
    found = Laptop(session, where)
    sync_all(office.owner, found)
    return found


def _killed_sync(folder: Path, step: str) -> None:
    env = {**os.environ, "CRMDESK_TEST_CRASH_AT": step}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), PASSPHRASE], env=env, capture_output=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()


def _reopened(laptop: Laptop) -> Laptop:
    laptop.session.close()
    return Laptop(unlock(laptop.folder, passphrase=PASSPHRASE), laptop.folder)


def test_a_sync_killed_while_applying_resumes_and_converges(office, laptop):
    owner = ClientService(office.owner)
    owner.update(office.sams_client, {"industry": "Timber"})
    exchange.sync_now(office.owner)
    owner.update(office.zoes_client, {"industry": "Fishing"})
    exchange.sync_now(office.owner)
    laptop.session.close()

    _killed_sync(laptop.folder, "sync:file_applied")

    laptop = _reopened(laptop)
    nothing_yet = laptop.clients().get(client_id(laptop.vault, "Reed Supplies"))
    assert nothing_yet.industry != "Timber"  # the killed transaction left nothing
    report = laptop.sync()
    assert report.read_files == 2 and report.rejected == []
    assert laptop.clients().get(client_id(laptop.vault, "Reed Supplies")).industry == "Timber"
    assert laptop.clients().get(client_id(laptop.vault, "Harbour Foods")).industry == "Fishing"
    again = laptop.sync()
    assert again.read_files == 0 and again.received_changes == 0


def test_a_sync_killed_after_writing_its_file_sends_its_changes_once(office, laptop):
    on_laptop = client_id(laptop.vault, "Reed Supplies")
    laptop.clients().update(on_laptop, {"website": "reed-offline.example"})
    laptop.session.close()

    _killed_sync(laptop.folder, "sync:file_written")

    laptop = _reopened(laptop)
    report = laptop.sync()  # finds its own file, moves past it, sends the outbox again
    assert report.rejected == []
    exchange.sync_now(office.owner)
    shown = ClientService(office.owner).get(office.sams_client)
    assert shown.website == "https://reed-offline.example"
    updates = office.vault.connection.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'sync.received'"
    ).fetchone()[0]
    assert updates >= 1


def _owner_files(office) -> list[Path]:
    found = state.office(office.vault)
    folder = found.sync_folder.device_dir(found.device)
    return sorted(folder.glob("changes-*.crmsync"))


@pytest.mark.parametrize("damage", ["flipped", "cut", "replayed"])
def test_a_damaged_file_is_refused_and_changes_nothing(office, laptop, damage):
    ClientService(office.owner).update(office.sams_client, {"industry": "Timber"})
    exchange.sync_now(office.owner)
    newest = _owner_files(office)[-1]
    data = newest.read_bytes()
    if damage == "flipped":
        newest.write_bytes(data[:200] + bytes([data[200] ^ 1]) + data[201:])
    elif damage == "cut":
        newest.write_bytes(data[: len(data) // 2])
    else:  # an older file of the same device put in its place
        newest.write_bytes(_owner_files(office)[0].read_bytes())

    report = laptop.sync()

    assert len(report.rejected) == 1 and report.received_changes == 0
    shown = laptop.clients().get(client_id(laptop.vault, "Reed Supplies"))
    assert shown.industry != "Timber"
    newest.write_bytes(data)  # the real file back: it is taken in
    assert laptop.sync().received_changes > 0
    assert laptop.clients().get(client_id(laptop.vault, "Reed Supplies")).industry == "Timber"


def test_a_forged_device_is_not_listened_to(office, laptop, shared):
    """Someone who can write into the folder makes a device of their own, with a change
    file that would rename the owner's client: no device of the office takes it."""
    intruder = DeviceKey.generate()
    found = state.office(office.vault)
    log = DeviceLog()
    replay_keys = {"office@1": b"\x01" * 32}
    found.sync_folder.write(
        intruder,
        log,
        made_at="2026-12-04T00:00:00+00:00",
        sections=[Section("office@1", ({"table": "client"},))],
        keys=replay_keys,
    )
    assert changefile.file_name(1) in {
        p.name for p in found.sync_folder.device_dir(intruder.device_id).iterdir()
    }

    for report in (laptop.sync(), exchange.sync_now(office.owner)):
        assert intruder.device_id in report.unknown_devices
        assert report.received_changes == 0
