"""Clients as JSON Lines: one client of the documented client JSON contract a line.

What moves everything between crmdesk vaults (and to any tool that reads JSON): each line
is what ``client show --json`` gives, value-added information included as far as the
person exporting may see it; a client they see only in part is marked ``"redacted":
true``. UTF-8 without a byte order mark, LF line ends, no line breaks inside a line.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from crmdesk.domain.entities import Client
from crmdesk.domain.json_codec import REDACTED_KEY, client_to_json


def client_line(client: Client, *, redacted: bool = False) -> str:
    data: dict[str, Any] = client_to_json(client)
    for key in ("id", "version", "created_at", "updated_at"):
        data.pop(key, None)  # the vault's own: a client gets new ones where it goes
    if redacted:
        data[REDACTED_KEY] = True
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


class JsonLinesWriter:
    """Streams clients to ``out`` (text, UTF-8). :meth:`begin`, :meth:`add`, :meth:`end`."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def begin(self) -> None:
        pass

    def add(self, client: Client, *, redacted: bool = False) -> None:
        self._out.write(client_line(client, redacted=redacted))

    def end(self) -> None:
        self._out.flush()
