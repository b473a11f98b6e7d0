"""``office create``, ``office invite`` and ``join``: an office of laptops (issue 14)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from crmdesk.commands.io import ask_secret
from crmdesk.commands.unlock import open_session
from crmdesk.commands.vault_cmds import new_vault, print_new_vault
from crmdesk.errors import BadInput
from crmdesk.services import session as sessions
from crmdesk.services import signin
from crmdesk.services.replication import joining
from crmdesk.services.replication.syncthing_setup import passed_on


def cmd_create(args: argparse.Namespace) -> int:
    usable_folder(args.sync_folder)
    with open_session(args) as session:
        office = joining.create_office(session, args.sync_folder)
    print(f"This vault is now the office {office.name!r}.")
    print(f"Office id:     {office.office}")
    print(f"This device:   {office.device}")
    print(f"Shared folder: {office.folder}")
    print()
    print("Next, for each person who gets a laptop: add them (crmdesk user add LOGIN --name ")
    print('"Full Name" --role salesperson), then write their invitation: crmdesk office invite')
    print(
        "LOGIN -o FILE. To have Syncthing carry the shared folder: crmdesk sync setup --syncthing."
    )
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        data = joining.invite(session, args.login)
    invitation = joining.read_invitation(data)
    write_secret(args.output, data, force=args.force)
    print(f"Wrote the invitation for {invitation.login}'s laptop to {args.output}.")
    print(
        "It holds a secret: hand it over in person or on a USB stick, never by e-mail or "
        "chat, and delete it once the laptop has joined."
    )
    print(f"It is valid for one laptop until {local_time(invitation.expires_at)} (local time).")
    print()
    print(
        f"On the laptop: crmdesk --vault DIR join {args.output.name} --sync-folder DIR. Then, "
        "once its join request has reached this computer's shared folder, run crmdesk sync "
        "here: that gives the laptop its keys."
    )
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    try:
        data = args.invitation.read_bytes()
    except OSError as exc:
        raise BadInput(
            f"The invitation {args.invitation} cannot be read ({exc.strerror or exc}).",
            code="cli.join.invitation_unreadable",
        ) from None
    with passed_on():
        invitation = joining.read_invitation(data)
    usable_folder(args.sync_folder)
    name = args.name or _ask_name(invitation.login)
    owner = sessions.Owner(name, invitation.login, invitation.office_name)
    password = _chosen_password(args)  # refused before anything is made, if too weak
    session, recovery_key = new_vault(args, owner)
    with session:
        print_new_vault(args, session, recovery_key)
        if password is not None and not signin.has_password(session):
            signin.set_password(session, password)
            print("Your password is set.")
        elif password is None:
            print("No password was set for you (crmdesk user passwd sets one).")
        office = joining.become_member(session, invitation, args.sync_folder)
    print(f"This laptop joined the office {office.name!r} as {office.login}'s device.")
    print(f"This device:   {office.device}")
    print(f"Shared folder: {office.folder}")
    print()
    print(
        "Its join request is in the shared folder. The owner must sync once (crmdesk sync on "
        "the office's vault, after the shared folder has reached it) before this laptop's "
        "first crmdesk sync receives the office."
    )
    print(f"Then delete {args.invitation}: it has been used.")
    print(
        "To have Syncthing carry the shared folder: crmdesk sync setup --syncthing --device "
        "ID (the Syncthing device ID of the office's computer)."
    )
    return 0


def _chosen_password(args: argparse.Namespace) -> str | None:
    """The person's own password for their laptop's vault (asked at a terminal, or the
    next line of standard input with --password-stdin): with the key in the OS keyring
    it is what unlocks the app after a lock. None without a terminal or that option."""
    if args.password_stdin:
        password = args.stdin.next("your password")
    elif sys.stdin.isatty():
        password = ask_secret("Choose your password: ", what="your password", confirm=True)
    else:
        return None
    signin.check_new_password(password)
    return password


def write_secret(path: Path, data: bytes, *, force: bool) -> None:
    """``data`` in a new file readable by its owner only (mode 600), never over an
    existing file unless ``force`` (then the old one is removed first: the new file is
    made afresh, so it never keeps an old file's wider mode)."""
    if force:
        path.unlink(missing_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BadInput(
            f"{path} already exists; it is not replaced unless you say so.",
            code="output.exists",
            path=path,
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def usable_folder(folder: Path) -> None:
    """The shared folder exists (it is made if it does not) and is a folder: said before
    anything is made, rather than half-way."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(
            f"The shared folder {folder} cannot be used ({exc.strerror or exc}).",
            code="cli.sync_folder_unusable",
        ) from None


def local_time(utc_text: str) -> str:
    """A UTC ISO time as this computer's local time, to the minute."""
    return dt.datetime.fromisoformat(utc_text).astimezone().strftime("%Y-%m-%d %H:%M")


def _ask_name(login: str) -> str:
    if not sys.stdin.isatty():
        raise BadInput(
            'Give your full name with --name "Full Name": it is shown on the watermarks of '
            "what you print.",
            code="cli.join.name_needed",
        )
    name = input(f"Your full name ({login}): ").strip()
    if not name:
        raise BadInput("A full name is needed to make the vault.", code="cli.join.name_needed")
    return name
