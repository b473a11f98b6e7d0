"""The rules an import applies to each row, the same in its plan and its commit:
validation, the people of one company joining one client, likely duplicates (of clients
in the vault or of earlier rows), and the choice of what happens to the row.

- A value that cannot be read costs that value, not the person: it moves to the notes,
  marked (:func:`crmdesk.io.drafts.keep_in_notes`), unless the row is to be skipped.
- Rows of one group (:attr:`crmdesk.io.drafts.Draft.group`: the cards or rows of one
  company, of one client key) are one client: each joins the first, without a problem.
- The same email address says "likely the same": the row is skipped, merged or imported
  as chosen for duplicates. Only a phone number or a name in common says "possibly the
  same": two companies share a switchboard, two people a name. Such a row is imported
  as a new client unless the person decides otherwise for that row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crmdesk.domain import Client, ValidationError, client_from_json, client_to_json
from crmdesk.domain.duplicates import duplicate_keys, stored_keys
from crmdesk.io.drafts import Draft, Issue, ProblemKind, describe, keep_in_notes, without_paths
from crmdesk.services.imports_records import Choice, PreviewRow, Problem

PENDING = -1  # a row whose client waits in the current batch
_STRONG = "email"  # the match that makes a duplicate likely; phone and name only possible


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
    """One row assessed: the client it gives (or would give, its bad values kept in the
    notes), its problems, what it joins and what it resembles."""

    draft: Draft
    client: Client | None = None
    issues: list[Issue] = field(default_factory=list)
    fallback: Client | None = None  # the client with the bad values moved to the notes
    fallback_why: str = ""
    kept: set[int] = field(default_factory=set)  # issues whose value the notes keep
    keys: list[tuple[int, str, str]] = field(default_factory=list)
    existing: int | None = None
    earlier: int | None = None
    match: str = ""
    strong: bool = False  # the match is an email address
    joins: int | None = None  # the first row of its group, which this one joins

    @property
    def invalid(self) -> bool:
        return bool(self.issues)

    @property
    def duplicate(self) -> bool:
        return self.existing is not None or self.earlier is not None

    @property
    def usable(self) -> Client | None:
        return self.client if not self.issues else self.fallback


def checked_only(row: Row) -> Row:
    """A checked row kept for the commit: its validation without any match, and its
    draft without the values already read into its client (memory for 100,000 rows)."""
    draft = row.draft
    slim = Draft(
        draft.row, draft.line, None, where=draft.where, group=draft.group, leads=draft.leads
    )
    return Row(slim, row.client, row.issues, row.fallback, row.fallback_why, row.kept)


def unmatched(row: Row) -> Row:
    """A fresh copy of a row kept by :func:`checked_only`, ready to be matched again."""
    return Row(row.draft, row.client, row.issues, row.fallback, row.fallback_why, row.kept)


@dataclass(slots=True)
class _Group:
    row: int  # the row the group's client came from
    led: bool  # that row (or a later one) is the company's own


class Rules:
    """The rules shared by plan and commit: validation, groups, duplicates, the choice."""

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
        self.groups: dict[str, _Group] = {}

    def check(self, draft: Draft) -> Row:
        """The row validated (its client, problems and fallback), not yet matched: what
        depends only on the file and the region, so the plan's check serves the commit."""
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
        return row

    def match(self, row: Row) -> Row:
        """What a checked row joins or resembles, in the vault or earlier in the file."""
        draft = row.draft
        target = row.usable
        if target is None:
            return row
        group = self.groups.get(draft.group) if draft.group else None
        if group is not None and self.landed.get(group.row) is not None:
            two_companies = draft.leads and group.led and draft.group.startswith("org:")
            if not two_companies:  # two companies' own cards never join by name alone
                row.joins = group.row
                return row
        row.keys = duplicate_keys(target)
        existing = self.existing.ids
        for strong in (True, False):
            for key, what, value in row.keys:
                if (what == _STRONG) is strong and key in existing:
                    row.existing, row.match, row.strong = existing[key], f"{what} {value}", strong
                    return row
            for key, what, value in row.keys:
                if (what == _STRONG) is strong and key in self.in_file:
                    row.earlier, row.match = self.in_file[key], f"{what} {value}"
                    row.strong = strong
                    return row
        return row

    def _fallback(self, row: Row) -> None:
        if row.client is not None:  # valid, but the row itself is odd (extra cells)
            row.fallback = row.client
            return
        assert row.draft.data is not None
        kept, row.kept = keep_in_notes(row.draft.data, row.issues, row.draft)
        if kept is None:
            row.fallback_why = "it has no name"
            return
        try:
            row.fallback = client_from_json(kept, default_region=self.region)
            return
        except ValidationError:
            row.kept = set()
        cleaned = without_paths(row.draft.data, row.issues)
        try:
            row.fallback = client_from_json(cleaned, default_region=self.region)
        except ValidationError as exc:
            row.fallback_why = f"it is still invalid without the faulty values ({exc})"

    def choose(self, row: Row) -> str:
        """What happens to the row: "add", "merge", "join" or "skip" (its decision
        first, then the defaults)."""
        number = row.draft.row
        choice = self.decisions.get(number)
        if row.joins is not None and choice is None:
            return "join" if row.usable is not None else "skip"
        if choice is None:
            choice = Choice.IMPORT
            if row.invalid:
                choice = self.on_invalid
            if choice is not Choice.SKIP and row.duplicate and row.strong:
                choice = self.on_duplicate
        if choice is Choice.SKIP or row.usable is None:
            return "skip"
        if row.joins is not None:
            return "join"
        if choice is Choice.MERGE and row.duplicate:
            if row.existing is None and self.landed.get(row.earlier or 0) is None:
                return "add"  # the earlier row was skipped after all
            return "merge"
        return "add"

    def target(self, row: Row) -> int:
        """Where a merged or joined row goes: a client id, or PENDING."""
        if row.joins is not None:
            return self.landed[row.joins]
        if row.existing is not None:
            return row.existing
        return self.landed.get(row.earlier or 0, 0)

    def landed_at(self, row: Row, where: int, action: str) -> None:
        """Remember where a row's client went, so later rows can be matched to it."""
        number = row.draft.row
        draft = row.draft
        if action == "join" and row.joins is not None:
            self.landed[number] = where
            group = self.groups[draft.group or ""]
            group.led = group.led or draft.leads
            return
        self.landed[number] = where
        for key, _, _ in row.keys:
            self.in_file.setdefault(key, number)
        if draft.group and draft.group not in self.groups:
            self.groups[draft.group] = _Group(number, draft.leads)
        elif draft.group and self.landed.get(self.groups[draft.group].row) is None:
            self.groups[draft.group] = _Group(number, draft.leads)  # the first was skipped

    def problems(self, row: Row, action: str, name_of: Callable[[int], str]) -> list[Problem]:
        draft = row.draft
        found = []
        for n, issue in enumerate(row.issues):
            message = issue.message
            if action != "skip" and issue.path is not None:
                if issue.path.endswith("notes"):
                    message += "; cut to fit" if n in row.kept else "; left out"
                elif n in row.kept:
                    message += "; kept in the notes"
                else:
                    message += "; left out (no room in the notes)"
            found.append(
                Problem(draft.row, draft.line, issue.kind, message, issue.column, action=action)
            )
        if row.existing is not None:
            name = self.existing.names.get(row.existing)
            if name is None:
                name = self.existing.names[row.existing] = name_of(row.existing)
            kind = ProblemKind.DUPLICATE if row.strong else ProblemKind.POSSIBLE_DUPLICATE
            how = "likely" if row.strong else "possibly"
            found.append(
                Problem(
                    draft.row,
                    draft.line,
                    kind,
                    f'{how} the same as client {row.existing} "{name}" (same {row.match})',
                    candidate_id=row.existing,
                    candidate_name=name,
                    action=action,
                )
            )
        elif row.earlier is not None:
            kind = (
                ProblemKind.DUPLICATE_IN_FILE
                if row.strong
                else ProblemKind.POSSIBLE_DUPLICATE_IN_FILE
            )
            how = "likely" if row.strong else "possibly"
            found.append(
                Problem(
                    draft.row,
                    draft.line,
                    kind,
                    f"{how} the same as row {row.earlier} of this file (same {row.match})",
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
        joins=row.joins if action == "join" else None,
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
