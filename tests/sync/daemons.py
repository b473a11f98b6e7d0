"""Real Syncthing daemons for the tests, on the loopback interface only: global
discovery, LAN broadcasts, relays, NAT traversal, usage reports, crash reports and
upgrades off before the first start (stack-facts.md: a fresh config would reach out)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crmdesk.sync.syncthing import Endpoint, Syncthing

_OFF = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "crashReportingEnabled": "false",
    "urAccepted": "-1",
    "autoUpgradeIntervalH": "0",
    "startBrowser": "false",
    # Dial a device just added within a second, not at the next minute's retry.
    "reconnectionIntervalS": "1",
}


@dataclass
class Daemon:
    home: Path
    port: int  # where it listens for other devices (tcp://127.0.0.1:port)
    api: Syncthing
    device_id: str
    process: subprocess.Popen[str]

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


def syncthing_binary() -> str:
    found = shutil.which("syncthing")
    if found is None:
        pytest.fail("syncthing is not installed (Debian package syncthing; .ci/run installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _loopback_only(config: Path, listen: int, gui: int) -> None:
    tree = ET.parse(config)
    root = tree.getroot()
    options = root.find("options")
    assert options is not None
    for name, value in _OFF.items():
        node = options.find(name)
        if node is None:
            node = ET.SubElement(options, name)
        node.text = value
    for node in options.findall("listenAddress"):
        options.remove(node)
    ET.SubElement(options, "listenAddress").text = f"tcp://127.0.0.1:{listen}"
    gui_node = root.find("gui")
    assert gui_node is not None
    address = gui_node.find("address")
    assert address is not None
    address.text = f"127.0.0.1:{gui}"
    tree.write(config)


@contextlib.contextmanager
def daemon(home: Path) -> Iterator[Daemon]:
    binary = syncthing_binary()
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [binary, "generate", f"--home={home}", "--no-default-folder", "--skip-port-probing"],
        check=True,
        capture_output=True,
        text=True,
    )
    listen, gui = _free_port(), _free_port()
    _loopback_only(home / "config.xml", listen, gui)
    env = dict(os.environ, STNOUPGRADE="1", STNORESTART="1")
    process = subprocess.Popen(
        [binary, "serve", f"--home={home}", "--no-browser", "--no-restart"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        # Read its log until the API listens (a blocking read: no polling, no sleeps).
        assert process.stdout is not None
        seen = []
        for line in process.stdout:
            seen.append(line)
            if "GUI and API listening on" in line or "API listening on" in line:
                break
        else:
            pytest.fail("syncthing ended before its API listened:\n" + "".join(seen[-20:]))
        api = Syncthing(Endpoint.from_home(home))
        # Its log still has to go somewhere, or a full pipe would stop it.
        drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)
        try:
            yield Daemon(home, listen, api, api.my_id(), process)
        finally:
            process.terminate()
            process.wait(timeout=30)
            drain.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def add_own_folder(daemon: Daemon, path: Path) -> None:
    """A folder of the person's own ("photos") in ``daemon``'s Syncthing, which crmdesk
    must leave as it is."""
    path.mkdir()
    daemon.api._call(
        "PUT",
        "/rest/config/folders/photos",
        {"id": "photos", "label": "Photos", "path": str(path), "type": "sendonly"},
    )
