"""The options of ``office``, ``join``, ``sync`` and ``conflicts``: an office of laptops
sharing one client book through a folder (issue 14). Handlers: office_cmds, sync_cmds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.lazy import handlers_in

_office = handlers_in("office_cmds")
_sync = handlers_in("sync_cmds")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    office = sub.add_parser(
        "office",
        help="make this vault an office whose laptops sync through a shared folder (owner)",
    )
    osub = office.add_subparsers(dest="office_command", required=True, metavar="COMMAND")
    p = osub.add_parser(
        "create",
        help="make this vault the office's own vault, syncing through --sync-folder",
        description="This vault becomes the office: its laptops exchange encrypted, signed "
        "change files with it through DIR (a folder Syncthing shares, a NAS share, a cloud "
        "folder, a USB stick). Only change files go there, never the vault.",
    )
    p.add_argument("--sync-folder", type=Path, required=True, metavar="DIR")
    p.set_defaults(handler=_office("cmd_create"))

    p = osub.add_parser(
        "invite",
        help="write the invitation a person's laptop joins with (holds a secret)",
        description="LOGIN must be a user already (crmdesk user add). The invitation holds a "
        "one-time secret: hand it over in person or on a USB stick, never by e-mail or chat. "
        "It is valid for 7 days and for one laptop. Written with mode 600.",
    )
    p.add_argument("login")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    p.set_defaults(handler=_office("cmd_invite"))

    p = sub.add_parser(
        "join",
        help="make a new vault (--vault DIR) on this laptop that joins an office",
        description="Makes a new vault in the --vault folder for the invitation's person, as "
        "init does (its key in the OS keyring, or a master passphrase with "
        "--passphrase-stdin; the recovery key is printed once), and writes its join request "
        "into the shared folder. The owner's next sync answers it; this laptop's sync after "
        "that receives the office.",
    )
    p.add_argument("invitation", type=Path, metavar="FILE")
    p.add_argument("--sync-folder", type=Path, required=True, metavar="DIR")
    p.add_argument("--name", help="your full name (shown on watermarks); asked for when not given")
    p.set_defaults(handler=_office("cmd_join"))

    sync = sub.add_parser(
        "sync",
        help="exchange changes with the office now (status, setup: see crmdesk sync -h)",
        description="Without a command: writes this device's new changes into the shared "
        "folder and takes in every other device's new files. Refused files are reported and "
        "change nothing; the exit status is 0 unless the exchange itself failed.",
    )
    ssub = sync.add_subparsers(dest="sync_command", metavar="COMMAND")
    sync.set_defaults(handler=_sync("cmd_sync"))
    p = ssub.add_parser(
        "status", help="the office, this device, each peer, what waits, conflicts, refusals"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output (times UTC)")
    p.set_defaults(handler=_sync("cmd_status"))

    p = ssub.add_parser(
        "setup",
        help="configure this computer's Syncthing for the office's shared folder",
        description="Adds the office's folder to the local Syncthing through its REST API "
        "(its API key is read from Syncthing's own config.xml) and shares it with the "
        "devices given; never changes any other folder, nor a device Syncthing knew. Prints "
        "this computer's Syncthing device ID: give it to the office's other devices.",
    )
    p.add_argument(
        "--syncthing", action="store_true", required=True, help="set up Syncthing (required)"
    )
    p.add_argument(
        "--device",
        action="append",
        default=[],
        metavar="ID",
        help="a Syncthing device ID of the office (the owner's computer, a laptop); repeat",
    )
    p.add_argument(
        "--untrusted-device",
        action="append",
        default=[],
        metavar="ID",
        help="a device that keeps only an encrypted copy (a NAS, a relay server); repeat",
    )
    p.add_argument(
        "--config-dir",
        type=Path,
        metavar="DIR",
        help="Syncthing's folder holding its config.xml (default: where Syncthing keeps it)",
    )
    p.set_defaults(handler=_sync("cmd_setup"))

    conflicts = sub.add_parser(
        "conflicts",
        help="fields two people changed at once: what was kept, what lost; settle them",
        description="Without a command: lists each field in conflict, the value every device "
        "shows now and the versions that lost, each with a short id. settle chooses one.",
    )
    csub = conflicts.add_subparsers(dest="conflicts_command", metavar="COMMAND")
    conflicts.set_defaults(handler=_sync("cmd_conflicts"))
    p = csub.add_parser(
        "settle",
        help="settle a conflict: keep VERSION (its id from the list) on every device",
    )
    p.add_argument("client_id", type=int, metavar="CLIENT_ID")
    p.add_argument("field", metavar="FIELD", help="the field as the list shows it")
    p.add_argument(
        "--keep", required=True, metavar="VERSION", help="the version's id (or its stamp)"
    )
    p.set_defaults(handler=_sync("cmd_settle"))
