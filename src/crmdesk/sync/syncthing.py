"""The local Syncthing, set up for an office through its REST API (issue 14, part 6).

Syncthing keeps its API key in its own ``config.xml``; whoever can read that file may
configure it, as Syncthing's own GUI does. This module only ever adds or changes the
office's own folder and the office's devices: never another folder, never a device it
did not add (it adds a device only when Syncthing does not know it yet).

Folder types: ``sendreceive`` for the office's laptops; a device named as untrusted (a
NAS, a relay server) gets the folder with an encryption password instead, so that it
stores only Syncthing's encrypted copy (it then runs the folder as "receive encrypted").
The change files are encrypted and signed by crmdesk anyway; Syncthing's encryption also
hides their names and sizes from such a device.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmdesk.sync.errors import SyncthingError

SEND_RECEIVE = "sendreceive"
RECEIVE_ENCRYPTED = "receiveencrypted"
# Where Syncthing keeps its config, newest first (1.27+ state dir, then the older ones).
_HOMES = (
    "~/.local/state/syncthing",
    "~/.config/syncthing",
    "~/Library/Application Support/Syncthing",
    "%LOCALAPPDATA%/Syncthing",
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the local Syncthing's REST API listens and its key (from its config)."""

    url: str
    api_key: str

    @classmethod
    def from_home(cls, home: Path | None = None) -> Endpoint:
        """Read ``config.xml`` from Syncthing's home (``home``, else the usual places)."""
        candidates = (
            [Path(home)] if home else [Path(os.path.expandvars(p)).expanduser() for p in _HOMES]
        )
        for folder in candidates:
            config = folder / "config.xml"
            if config.is_file():
                return cls._parse(config)
        raise SyncthingError(
            "Syncthing's configuration was not found: is Syncthing installed and has it been "
            "started once on this computer?",
            code="syncthing.not_found",
            looked_in=", ".join(str(c) for c in candidates),
        )

    @classmethod
    def _parse(cls, config: Path) -> Endpoint:
        try:
            gui = ET.parse(config).getroot().find("gui")
        except (ET.ParseError, OSError) as exc:
            raise SyncthingError(
                f"Syncthing's configuration cannot be read: {exc}",
                code="syncthing.config_unreadable",
                path=str(config),
            ) from None
        address = gui.findtext("address") if gui is not None else None
        key = gui.findtext("apikey") if gui is not None else None
        if not address or not key:
            raise SyncthingError(
                "Syncthing's configuration has no GUI address or API key",
                code="syncthing.config_unreadable",
                path=str(config),
            )
        scheme = "https" if gui is not None and gui.get("tls") == "true" else "http"
        if address.startswith("/"):
            raise SyncthingError(
                "Syncthing listens on a Unix socket; crmdesk needs its GUI on a TCP address",
                code="syncthing.unix_socket",
                path=str(config),
            )
        return cls(f"{scheme}://{address}", key)


@dataclass(frozen=True, slots=True)
class Peer:
    """A device of the office's folder as the local Syncthing sees it."""

    device_id: str
    name: str
    connected: bool
    completion: float  # percent of the folder the peer has (as far as this one knows)
    last_seen: str  # Syncthing's time text ("" never)


class Syncthing:
    """The REST API of one Syncthing instance."""

    def __init__(self, endpoint: Endpoint, *, timeout: float = 10.0) -> None:
        self._endpoint = endpoint
        self._timeout = timeout

    # -- who ----------------------------------------------------------------------------

    def my_id(self) -> str:
        return str(self._call("GET", "/rest/system/status")["myID"])

    # -- devices and the office's folder --------------------------------------------------

    def ensure_device(
        self, device_id: str, name: str, addresses: Iterable[str] = ("dynamic",)
    ) -> bool:
        """Add a device Syncthing does not know yet; True when added. A device it knows
        is left as its owner configured it."""
        known = {d["deviceID"] for d in self._call("GET", "/rest/config/devices")}
        if device_id in known:
            return False
        self._call(
            "POST",
            "/rest/config/devices",
            {"deviceID": device_id, "name": name, "addresses": list(addresses)},
        )
        return True

    def ensure_folder(
        self,
        folder_id: str,
        path: Path,
        *,
        label: str,
        devices: Iterable[str],
        folder_type: str = SEND_RECEIVE,
        untrusted: Mapping[str, str] | None = None,
    ) -> None:
        """The office's folder, shared with ``devices`` (kept: devices shared before),
        and with each ``untrusted`` device under its encryption password."""
        if folder_type not in (SEND_RECEIVE, RECEIVE_ENCRYPTED):
            raise ValueError(folder_type)
        me = self.my_id()
        found = self._get_folder(folder_id)
        shared = {d["deviceID"]: d for d in (found or {}).get("devices", [])}
        for device in devices:
            shared.setdefault(device, {"deviceID": device, "encryptionPassword": ""})
        for device, password in (untrusted or {}).items():
            shared[device] = {"deviceID": device, "encryptionPassword": password}
        shared.setdefault(me, {"deviceID": me, "encryptionPassword": ""})
        folder = dict(found or {})
        folder.update(
            {
                "id": folder_id,
                "label": label,
                "path": str(path),
                "type": folder_type,
                "devices": sorted(shared.values(), key=lambda d: d["deviceID"]),
                # Change files are written once and never changed: nothing to version.
                "fsWatcherEnabled": True,
                "ignorePerms": False,
            }
        )
        self._call("PUT", f"/rest/config/folders/{_quote(folder_id)}", folder)

    def folder(self, folder_id: str) -> dict[str, Any] | None:
        return self._get_folder(folder_id)

    def scan(self, folder_id: str) -> None:
        self._call("POST", f"/rest/db/scan?folder={_quote(folder_id)}")

    def peers(self, folder_id: str) -> list[Peer]:
        """The folder's other devices: connected or not, how complete, last seen."""
        folder = self._get_folder(folder_id)
        if folder is None:
            return []
        me = self.my_id()
        names = {
            d["deviceID"]: d.get("name", "") for d in self._call("GET", "/rest/config/devices")
        }
        connections = self._call("GET", "/rest/system/connections").get("connections", {})
        stats = self._call("GET", "/rest/stats/device")
        out = []
        for entry in folder.get("devices", []):
            device = entry["deviceID"]
            if device == me:
                continue
            completion = self._call(
                "GET", f"/rest/db/completion?folder={_quote(folder_id)}&device={_quote(device)}"
            )
            out.append(
                Peer(
                    device,
                    names.get(device, ""),
                    bool(connections.get(device, {}).get("connected")),
                    float(completion.get("completion", 0.0)),
                    str(stats.get(device, {}).get("lastSeen", "")),
                )
            )
        return out

    def events(
        self, since: int, types: Iterable[str], *, timeout_s: int = 30
    ) -> list[dict[str, Any]]:
        """Events after ``since`` (Syncthing waits up to ``timeout_s`` for one: a long
        poll, no busy wait)."""
        query = urllib.parse.urlencode(
            {"since": since, "events": ",".join(types), "timeout": timeout_s}
        )
        return list(self._call("GET", f"/rest/events?{query}", timeout=timeout_s + 10))

    # -- HTTP -----------------------------------------------------------------------------

    def _get_folder(self, folder_id: str) -> dict[str, Any] | None:
        try:
            return dict(self._call("GET", f"/rest/config/folders/{_quote(folder_id)}"))
        except SyncthingError as exc:
            if exc.facts.get("status") == 404:
                return None
            raise

    def _call(
        self, method: str, path: str, body: Any = None, *, timeout: float | None = None
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self._endpoint.url + path,
            data=data,
            method=method,
            headers={"X-API-Key": self._endpoint.api_key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout or self._timeout) as answer:
                text = answer.read()
        except urllib.error.HTTPError as exc:
            raise SyncthingError(
                f"Syncthing refused {method} {path.split('?')[0]}: HTTP {exc.code}",
                code="syncthing.refused",
                status=exc.code,
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise SyncthingError(
                f"Syncthing is not answering at {self._endpoint.url}: is it running?",
                code="syncthing.unreachable",
                url=self._endpoint.url,
                reason=str(getattr(exc, "reason", exc)),
            ) from None
        return json.loads(text) if text.strip() else None


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")
