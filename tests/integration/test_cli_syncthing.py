"""``crmdesk sync setup --syncthing`` against real Syncthing daemons on the loopback
interface (tests/sync/daemons.py): the office's folder and devices are added, nothing
else of Syncthing's configuration changes, and the office's computer and a laptop give
an untrusted device the same encryption password."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.integration.cli import run_cli
from tests.integration.test_cli_office import JANE, _ok, owner_with_sam
from tests.services.office import fast_passwords  # noqa: F401
from tests.sync.daemons import add_own_folder, daemon, syncthing_binary

pytestmark = pytest.mark.keyring


def _new_device_id(home) -> str:
    """A real Syncthing device ID (a device that is never started: the NAS)."""
    subprocess.run(
        [syncthing_binary(), "generate", f"--home={home}", "--no-default-folder"],
        check=True,
        capture_output=True,
        text=True,
    )
    device = ET.parse(home / "config.xml").getroot().find("device")
    assert device is not None
    return str(device.get("id"))


def _config(api) -> tuple[dict, dict]:
    folders = {f["id"]: f for f in api._call("GET", "/rest/config/folders")}
    devices = {d["deviceID"]: d for d in api._call("GET", "/rest/config/devices")}
    return folders, devices


def test_sync_setup_adds_the_office_folder_only(tmp_path, fast_passwords):  # noqa: F811
    owner, laptop, shared = tmp_path / "office-vault", tmp_path / "laptop", tmp_path / "shared"
    # (The laptop shares the office's folder on disk here: the daemons are not asked to
    # carry files, tests/sync/test_through_syncthing.py does that.)
    owner_with_sam(owner)
    _ok(run_cli(owner, "office", "create", "--sync-folder", str(shared), env=JANE))
    invitation = tmp_path / "sam.invitation"
    _ok(run_cli(owner, "office", "invite", "sam", "-o", str(invitation), env=JANE))
    folder_id = json.loads(invitation.read_text())["syncthing_folder"]
    _ok(
        run_cli(
            laptop, "join", str(invitation), "--sync-folder", str(shared),
            "--name", "Sam Reed",
        )
    )  # fmt: skip
    nas = _new_device_id(tmp_path / "nas")

    with daemon(tmp_path / "st-office") as a, daemon(tmp_path / "st-laptop") as b:
        # Someone's own folder and device in the office computer's Syncthing.
        add_own_folder(a, tmp_path / "photos")
        folders_before, devices_before = _config(a.api)

        def setup(vault, st, *more: str, env=None):
            return run_cli(
                vault, "sync", "setup", "--syncthing", "--config-dir", str(st.home), *more, env=env
            )

        # A laptop without the office key yet cannot derive the untrusted device's password.
        early = setup(laptop, b, "--untrusted-device", nas)
        assert early.returncode == 1 and "holds no office key yet" in early.stderr
        assert folder_id not in _config(b.api)[0]

        done = _ok(
            setup(owner, a, "--device", b.device_id.lower(), "--untrusted-device", nas, env=JANE)
        )
        assert f"This computer's Syncthing device ID: {a.device_id}" in done.stdout
        assert (
            f"Added device {b.device_id}." in done.stdout and f"Added device {nas}." in done.stdout
        )
        folders, devices = _config(a.api)
        assert set(folders) == set(folders_before) | {folder_id}
        assert folders["photos"] == folders_before["photos"]  # untouched
        assert set(devices) == set(devices_before) | {b.device_id, nas}
        office_folder = folders[folder_id]
        assert office_folder["path"] == str(shared) and office_folder["type"] == "sendreceive"
        shared_with = {d["deviceID"]: d["encryptionPassword"] for d in office_folder["devices"]}
        assert set(shared_with) == {a.device_id, b.device_id, nas}
        assert shared_with[a.device_id] == shared_with[b.device_id] == ""
        password = shared_with[nas]
        assert len(password) >= 40
        assert password not in done.stdout + done.stderr  # never shown

        again = _ok(setup(owner, a, "--device", b.device_id, env=JANE))  # idempotent
        assert "Added device" not in again.stdout
        assert _config(a.api)[0] == folders

        # The laptop, once it holds the office key, gives the NAS the same password.
        _ok(run_cli(laptop, "sync"))
        _ok(run_cli(owner, "sync", env=JANE))
        _ok(run_cli(laptop, "sync"))
        _ok(setup(laptop, b, "--device", a.device_id, "--untrusted-device", nas))
        on_laptop = _config(b.api)[0][folder_id]
        assert on_laptop["path"] == str(shared)
        laptop_shares = {d["deviceID"]: d["encryptionPassword"] for d in on_laptop["devices"]}
        assert laptop_shares == {b.device_id: "", a.device_id: "", nas: password}

        # Each sync that writes files asks this Syncthing to send them now.
        _ok(run_cli(owner, "client", "add", stdin='{"name": "Nudged Ltd"}\n', env=JANE))
        nudged = _ok(run_cli(owner, "sync", env=JANE))
        assert "Sent" in nudged.stdout and "Syncthing could not" not in nudged.stdout

    # With its Syncthing stopped, the sync still works and says the files wait for it.
    _ok(run_cli(owner, "client", "add", stdin='{"name": "Later Ltd"}\n', env=JANE))
    later = _ok(run_cli(owner, "sync", env=JANE))
    assert "Syncthing could not be asked to send the new files at once" in later.stdout
