"""How much of a file an import reads, and the error a file that breaks the rules raises.

Every size is checked while the file streams, before the oversized thing is held whole:
a 50 MB cell, a million-column header or a 10 MB vCard property is refused after reading
a bounded amount, within bounded time and memory. The limits are far above anything a
real export holds (Outlook's CSV has about 90 columns, a note in crmdesk at most 10,000
characters) and far below what would exhaust a laptop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmdesk.errors import BadInput


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one import; tests shrink them to hit each one cheaply."""

    # One physical line of text (a CSV line, a vCard line before unfolding).
    max_line_chars: int = 1_000_000
    # One CSV cell (csv.field_size_limit): ten times crmdesk's longest field, so an
    # over-long note is a row problem that names the column, not a refused file.
    max_field_chars: int = 100_000
    # One record: a CSV row over all its lines, or one vCard.
    max_record_chars: int = 2_000_000
    # Columns of the header or of any row.
    max_columns: int = 1_000
    # Records in one file; more is almost certainly not a contact list.
    max_records: int = 2_000_000
    # One vCard property after unfolding (PHOTO, LOGO, SOUND and KEY are skipped unread).
    max_property_chars: int = 100_000
    # BEGIN:VCARD inside BEGIN:VCARD (vCard 2.1's AGENT); deeper is refused.
    max_nesting: int = 2
    # How much of the start is read to detect the encoding, delimiter and file type.
    sample_bytes: int = 65_536


DEFAULT_LIMITS = Limits()


class ImportFormatError(BadInput):
    """The file cannot be read as the format it claims; nothing was imported.

    ``line`` (a physical line, from 1) or ``row`` (a record, the header being row 1)
    says where, when known; the message names it too.
    """

    code = "import.unreadable"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        line: int | None = None,
        row: int | None = None,
        **facts: Any,
    ) -> None:
        super().__init__(message, code=code, line=line, row=row, **facts)
        self.line = line
        self.row = row
