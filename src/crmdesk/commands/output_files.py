"""One rule for every file a command writes: never over an existing file without
``--force``, and never into a folder that does not exist (a mistyped path should not
make folders silently). ``backup`` has always kept it; ``report``, ``export`` and
``offboard`` (``-o``, ``--certificate``) keep it the same way, checked before the vault
is opened, so that nothing is shown or started before a refusal.

Light on purpose: :mod:`crmdesk.cli` imports it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.errors import BadInput

_OUTPUTS = ("output", "certificate")


def add_force(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``--force`` for every command that writes an ``-o`` file and has none yet."""
    for command in dict.fromkeys(sub.choices.values()):
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                add_force(action)
        dests = {action.dest for action in command._actions}
        if "output" in dests and "force" not in dests:
            command.add_argument(
                "--force", action="store_true", help="replace the output file if it exists"
            )


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an existing output file (without ``--force``) or a missing folder."""
    for name in _OUTPUTS:
        path = getattr(args, name, None)
        if isinstance(path, Path):
            check_output(path, force=bool(getattr(args, "force", False)))


def check_output(path: Path, *, force: bool) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise BadInput(
            f"The folder {folder} does not exist. Create it first, or choose another file.",
            code="output.no_folder",
            folder=folder,
            path=path,
        )
    if path.is_dir():
        raise BadInput(
            f"{path} is a folder. Give the name of a file to write.",
            code="output.is_folder",
            path=path,
        )
    if path.exists() and not force:
        raise BadInput(
            f"{path} already exists; it is not replaced unless you say so. Choose another "
            "name, or say that it may be replaced.",
            code="output.exists",
            path=path,
        )
