"""Reading crmdesk's JSON Lines export: one client of the documented JSON contract a line.

What crmdesk sets itself (id, version, timestamps, patterns, coverage) is left out: the
client is new in the vault it goes into. A line written for someone who could not see a
client's value-added information lacks it (and says so with ``"redacted"``): imported as
a new client or merged, nothing is lost by that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from crmdesk.domain.json_keys import READ_ONLY_KEYS, REDACTED_KEY

from .drafts import Draft, Issue, ProblemKind
from .import_text import LineCounter, StreamedFile, TextEncoding, bounded_lines
from .limits import DEFAULT_LIMITS, ImportFormatError, Limits

# A client with years of purchases and interactions is one long line.
_LINE_FACTOR = 16


class JsonLinesReader(StreamedFile):
    """Streams the clients of a JSON Lines file as drafts, hashing its bytes."""

    def __init__(self, path: Path, encoding: TextEncoding, limits: Limits = DEFAULT_LIMITS):
        super().__init__(path, encoding)
        self.limits = limits

    def drafts(self) -> Iterator[Draft]:
        assert self._text is not None, "use JsonLinesReader as a context manager"
        limits = self.limits
        wide = Limits(
            max_line_chars=limits.max_line_chars * _LINE_FACTOR,
            max_records=limits.max_records,
        )
        counter = LineCounter()
        number = 0
        for line in bounded_lines(self._text, counter, self.path, self.encoding, wide):
            if not line.strip():
                continue
            number += 1
            if number > limits.max_records:
                raise ImportFormatError(
                    f"{self.path.name} has more than {limits.max_records:,} lines; split it "
                    "into smaller files and import them one by one.",
                    code="import.too_many_rows",
                    row=number,
                )
            yield line_draft(line, counter.line)


def line_draft(line: str, number: int) -> Draft:
    draft = Draft(number, number, None, where="line")
    try:
        value = json.loads(line)
    except ValueError as exc:
        draft.issues.append(
            Issue(
                ProblemKind.UNREADABLE,
                f"line {number:,} is not valid JSON (at character {getattr(exc, 'pos', 0) + 1:,})",
            )
        )
        return draft
    if not isinstance(value, dict):
        draft.issues.append(
            Issue(ProblemKind.UNREADABLE, f"line {number:,} is not a client (a JSON object)")
        )
        return draft
    for key in (*READ_ONLY_KEYS, REDACTED_KEY):
        value.pop(key, None)
    draft.data = value
    return draft
