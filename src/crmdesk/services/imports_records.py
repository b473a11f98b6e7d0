"""What an import would do (its plan) and what it did (its result), row by row."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from crmdesk.errors import CrmdeskError, Notice
from crmdesk.io.drafts import ProblemKind
from crmdesk.io.import_dates import DateOrder
from crmdesk.io.import_text import TextEncoding


class Choice(StrEnum):
    """What to do with a row that has a problem."""

    SKIP = "skip"
    MERGE = "merge"  # into the existing client (or the earlier row's), never overwriting
    # Anyway: a new client (or the group it joins), values that cannot be read kept in
    # the notes, marked.
    IMPORT = "import"


class ImportCancelled(CrmdeskError):
    """The person cancelled; nothing was imported."""

    code = "import.cancelled"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of one row (or card): the row number as a spreadsheet shows it (the
    header is row 1; for vCard, the card's number), its first line, and for a likely
    duplicate the existing client (or earlier row) it resembles."""

    row: int
    line: int
    kind: ProblemKind
    message: str
    column: str | None = None
    candidate_id: int | None = None
    candidate_name: str | None = None
    candidate_row: int | None = None
    action: str = ""  # what happens to the row: add, merge, join or skip

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["kind"] = self.kind.value
        return data


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A row as it would be imported: ``action`` is add, merge, join or skip."""

    row: int
    action: str
    client: dict[str, Any] | None
    problems: tuple[str, ...] = ()
    into: int | None = None  # the existing client a merge goes into
    joins: int | None = None  # the earlier row (of its company) a join goes into

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What a plan found; blank rows are counted apart and otherwise ignored."""

    rows: int = 0
    blank: int = 0
    invalid: int = 0
    duplicates: int = 0  # of existing clients
    in_file_duplicates: int = 0  # of an earlier row being imported
    possible_duplicates: int = 0  # a phone or a name in common only: added unless decided
    to_add: int = 0
    to_merge: int = 0
    to_join: int = 0  # rows (cards) of a company that join its client
    to_skip: int = 0


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do; pass it to :meth:`ImportService.commit`."""

    path: Path
    format: str  # "csv", "vcf" or "json"
    sha256: str
    size: int
    encoding: TextEncoding
    delimiter: str | None
    delimiter_reason: str | None
    header: tuple[str, ...]
    mapping: dict[str, str]
    mapping_guessed: bool
    date_order: DateOrder | None
    assumptions: tuple[Notice, ...]
    on_duplicate: Choice
    on_invalid: Choice
    counts: ImportCounts
    preview: tuple[PreviewRow, ...]
    problems: tuple[Problem, ...]  # the first ``max_problems`` (see problems_total)
    problems_total: int
    problem_kinds: dict[str, int]
    phone_region: str = "US"
    header_row: int = 1  # CSV: the row holding the header (0: the file has none)
    fallback: str | None = None  # vCard: the encoding given for 8-bit text
    # Every row as the plan checked it (imports_rules.checked_only), in file order: the
    # commit of this plan matches them again without reading and validating them twice.
    # The file's SHA-256 is still checked first, so a changed file is still refused.
    checked: tuple[Any, ...] = dataclasses.field(default=(), repr=False, compare=False)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def delimiter_name(self) -> str | None:
        names = {",": "comma", ";": "semicolon", "\t": "tab"}
        return None if self.delimiter is None else names.get(self.delimiter, self.delimiter)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "encoding": self.encoding.label,
            "encoding_reason": self.encoding.reason,
            "delimiter": self.delimiter_name,
            "delimiter_reason": self.delimiter_reason,
            "header": list(self.header),
            "mapping": self.mapping,
            "mapping_guessed": self.mapping_guessed,
            "date_order": self.date_order.value if self.date_order else None,
            "assumptions": list(self.assumptions),
            "on_duplicate": self.on_duplicate.value,
            "on_invalid": self.on_invalid.value,
            "phone_region": self.phone_region,
            "header_row": self.header_row,
            "counts": dataclasses.asdict(self.counts),
            "problem_kinds": self.problem_kinds,
            "problems_total": self.problems_total,
            "problems": [p.to_json() for p in self.problems],
            "preview": [p.to_json() for p in self.preview],
        }


@dataclass(frozen=True)
class ImportResult:
    """What a commit did."""

    file_name: str
    sha256: str
    format: str
    added: int
    merged: int  # rows merged into a client
    skipped: int
    joined: int  # rows (cards) that joined the client of their company
    added_ids: tuple[int, int] | None  # first and last id of the new clients
    merged_ids: tuple[int, ...]  # the clients rows were merged into
    problems: tuple[Problem, ...]
    problems_total: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["problems"] = [p.to_json() for p in self.problems]
        data["added_ids"] = list(self.added_ids) if self.added_ids else None
        data["merged_ids"] = list(self.merged_ids)
        return data
