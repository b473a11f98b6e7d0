"""Reading secrets and writing results on the terminal, for every command."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Any, TextIO

from crmdesk.errors import BadInput, CannotUnlock


class StdinLines:
    """Secrets given on standard input, one per line, read once and in order."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lines: list[str] | None = None

    def _read(self) -> list[str]:
        if self._lines is None:
            stream = self._stream or sys.stdin
            self._lines = stream.read().splitlines()
        return self._lines

    def rest(self, *, after: int = 0) -> str:
        """Everything after the first ``after`` lines (the secrets still to be read,
        which stay for :meth:`next`): e.g. a JSON record."""
        lines = self._read()
        text = "\n".join(lines[after:])
        del lines[after:]
        return text

    def next(self, what: str) -> str:
        self._read()
        assert self._lines is not None
        if not self._lines:
            raise BadInput(
                f"Expected the {what} on standard input, but it ended first.",
                code="cli.stdin_ended",
            )
        return self._lines.pop(0)


def ask_secret(
    prompt: str, *, what: str, confirm: bool = False, hint: str = "--passphrase-stdin"
) -> str:
    """Ask on the terminal without echo; refuse when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        raise CannotUnlock(
            f"crmdesk needs the {what}, but there is no terminal to ask on. "
            f"Give it on standard input with {hint}.",
            code="cli.no_terminal",
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Type it again to confirm: ") != first:
        raise BadInput(
            f"The two entries of the {what} differ. Nothing was changed.", code="cli.entries_differ"
        )
    return first


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
