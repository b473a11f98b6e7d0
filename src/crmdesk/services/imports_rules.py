"""The rules an import applies to each row, the same in its plan and its commit:
validation, likely duplicates (of clients in the vault or of earlier rows), and the
choice of what happens to the row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crmdesk.domain import Client, ValidationError, client_from_json, client_to_json
from crmdesk.domain.duplicates import duplicate_keys, stored_keys
from crmdesk.io.drafts import Draft, Issue, ProblemKind, describe, without_paths
from crmdesk.services.imports_records import Choice, PreviewRow, Problem

PENDING = -1  # a row whose client waits in the current batch


class Existing:
    """Emails, phones and folded names of the clients already in the vault."""

    def __init__(self, reachability: Iterable[tuple[int, str, list[str], list[str]]]) -> None:
        self.ids: dict[int, int] = {}
        self.names: dict[int, str] = {}  # of the clients named in problems so far
        for client_id, name, emails, phones in reachability:
            for key in stored_keys(emails, phones, name):
                self.ids.setdefault(key, client_id)


@dataclass(slots=True)
class Row:
    """One row assessed: the client it gives (or would give, imported anyway), its
    problems, and what it resembles."""

    draft: Draft
    client: Client | None = None
    issues: list[Issue] = field(default_factory=list)
    fallback: Client | None = None  # the client without the invalid values
    fallback_why: str = ""
    keys: list[tuple[int, str, str]] = field(default_factory=list)
    existing: int | None = None
    earlier: int | None = None
    match: str = ""

    @property
    def invalid(self) -> bool:
        return bool(self.issues)

    @property
    def duplicate(self) -> bool:
        return self.existing is not None or self.earlier is not None

    @property
    def usable(self) -> Client | None:
        return self.client if not self.issues else self.fallback


class Rules:
    """The rules shared by plan and commit: validation, duplicates and the choice."""

    def __init__(
        self,
        existing: Existing,
        region: str,
        on_duplicate: Choice,
        on_invalid: Choice,
        decisions: Mapping[int, Choice],
    ) -> None:
        self.existing = existing
        self.region = region
        self.on_duplicate, self.on_invalid = on_duplicate, on_invalid
        self.decisions = decisions
        # Key -> the earlier row being imported with it; row -> where it landed.
        self.in_file: dict[int, int] = {}
        self.landed: dict[int, int] = {}

    def assess(self, draft: Draft) -> Row:
        row = Row(draft, issues=list(draft.issues))
        if draft.data is None:
            row.fallback_why = "nothing could be read from it"
            return row
        try:
            row.client = client_from_json(draft.data, default_region=self.region)
        except ValidationError as exc:
            row.issues += [describe(error, draft) for error in exc.errors]
        if row.issues:
            self._fallback(row)
        target = row.usable
        if target is not None:
            row.keys = duplicate_keys(target)
            existing = self.existing.ids
            for key, what, value in row.keys:
                if key in existing:
                    row.existing, row.match = existing[key], f"{what} {value}"
                    break
            else:
                for key, what, value in row.keys:
                    if key in self.in_file:
                        row.earlier, row.match = self.in_file[key], f"{what} {value}"
                        break
        return row

    def _fallback(self, row: Row) -> None:
        if row.client is not None:  # valid, but the row itself is odd (extra cells)
            row.fallback = row.client
            return
        assert row.draft.data is not None
        cleaned = without_paths(row.draft.data, row.issues)
        if cleaned is None:
            row.fallback_why = "it has no name"
            return
        try:
            row.fallback = client_from_json(cleaned, default_region=self.region)
        except ValidationError as exc:
            row.fallback_why = f"it is still invalid without the faulty values ({exc})"

    def choose(self, row: Row) -> str:
        """What happens to the row: "add", "merge" or "skip" (its decision first, then
        the defaults)."""
        number = row.draft.row
        choice = self.decisions.get(number)
        if choice is None:
            choice = Choice.IMPORT
            if row.invalid:
                choice = self.on_invalid
            if choice is not Choice.SKIP and row.duplicate:
                choice = self.on_duplicate
        if choice is Choice.SKIP or row.usable is None:
            return "skip"
        if choice is Choice.MERGE and row.duplicate:
            if row.existing is None and self.landed.get(row.earlier or 0) is None:
                return "add"  # the earlier row was skipped after all
            return "merge"
        return "add"

    def landed_at(self, row: Row, where: int) -> None:
        """Remember where a row's client went, so later rows can be matched to it."""
        number = row.draft.row
        self.landed[number] = where
        for key, _, _ in row.keys:
            self.in_file.setdefault(key, number)

    def problems(self, row: Row, action: str, name_of: Callable[[int], str]) -> list[Problem]:
        draft = row.draft
        found = [
            Problem(draft.row, draft.line, i.kind, i.message, i.column, action=action)
            for i in row.issues
        ]
        if row.existing is not None:
            name = self.existing.names.get(row.existing)
            if name is None:
                name = self.existing.names[row.existing] = name_of(row.existing)
            found.append(
                Problem(
                    draft.row,
                    draft.line,
                    ProblemKind.DUPLICATE,
                    f'likely the same as client {row.existing} "{name}" (same {row.match})',
                    candidate_id=row.existing,
                    candidate_name=name,
                    action=action,
                )
            )
        elif row.earlier is not None:
            found.append(
                Problem(
                    draft.row,
                    draft.line,
                    ProblemKind.DUPLICATE_IN_FILE,
                    f"likely the same as row {row.earlier} of this file (same {row.match})",
                    candidate_row=row.earlier,
                    action=action,
                )
            )
        return found


def preview(row: Row, action: str, problems: list[Problem]) -> PreviewRow:
    client = row.usable if action != "skip" else (row.client or row.fallback)
    return PreviewRow(
        row=row.draft.row,
        action=action,
        client=_shown(client) if client is not None else None,
        problems=tuple(p.message for p in problems),
        into=row.existing if action == "merge" else None,
    )


def _shown(client: Client) -> dict[str, Any]:
    """Client JSON without the empty fields, for previews."""
    return _without_empty(client_to_json(client))


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", [], None, {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value
