"""``import FILE``: clients from a CSV or vCard file, checked first, then all at once."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from crmdesk.commands.io import print_json
from crmdesk.commands.progress import Progress
from crmdesk.commands.unlock import open_session
from crmdesk.commands.words import words
from crmdesk.errors import BadInput
from crmdesk.services.import_mappings import IGNORE, DateOrder, load_mapping, save_mapping
from crmdesk.services.imports import (
    Choice,
    ImportPlan,
    ImportResult,
    ImportService,
    Problem,
)

# Files above this size show their progress on standard error.
_PROGRESS_BYTES = 1 << 20
_SHOWN_PROBLEMS = 20
_SHOWN_IGNORED = 12


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise BadInput(
            f"There is no file {path}. Give the CSV or vCard file to import.",
            code="cli.import.no_file",
        )
    if args.no_header and not args.mapping:
        raise BadInput(
            "A file without a header needs a mapping of its columns: --mapping FILE with "
            '{"Column 1": "name", "Column 2": "email", ...}.',
            code="cli.import.no_header_mapping",
        )
    mapping = load_mapping(Path(args.mapping)) if args.mapping else None
    size = path.stat().st_size
    with open_session(args) as session:
        service = ImportService(session)
        with _progress(f"Checking {path.name}", size) as report:
            plan = service.plan(
                path,
                mapping,
                format=args.format,
                on_duplicate=Choice(args.on_duplicate),
                on_invalid=Choice.SKIP if args.on_invalid == "skip" else Choice.IMPORT,
                date_order=DateOrder(args.date_order) if args.date_order else None,
                region=args.region,
                encoding=args.encoding,
                header=not args.no_header,
                progress=report,
            )
        if args.save_mapping and plan.format == "csv":
            save_mapping(plan.mapping, Path(args.save_mapping))
        if args.on_invalid == "abort" and plan.counts.invalid:
            _show(plan, None, args)
            first = next((p for p in plan.problems if p.kind.value not in _DUPLICATES), None)
            where = f" (first: row {first.row}: {first.message})" if first else ""
            raise BadInput(
                f"{_n(plan.counts.invalid, 'row')} with invalid values{where}; nothing was "
                "imported (--on-invalid abort). Fix them, or import with --on-invalid skip "
                "to leave them out.",
                code="cli.import.invalid_rows",
            )
        result = None
        if not args.dry_run:
            with _progress(f"Importing {path.name}", size) as report:
                result = service.commit(plan, progress=report)
    _show(plan, result, args)
    return 0


_DUPLICATES = {
    "likely duplicate",
    "duplicate within the file",
    "possible duplicate",
    "possible duplicate within the file",
}


@contextlib.contextmanager
def _progress(label: str, size: int) -> Iterator[Callable[[int, int], None] | None]:
    """Progress in kilobytes on standard error, for big files only."""
    if size < _PROGRESS_BYTES:
        yield None
        return
    with Progress(f"{label} (KB)", size // 1024) as bar:
        yield lambda done, _total: bar.update(done // 1024)


def _show(plan: ImportPlan, result: ImportResult | None, args: argparse.Namespace) -> None:
    if args.json:
        print_json(
            {
                "dry_run": bool(args.dry_run),
                "plan": plan.to_json() | {"assumptions": [words(a) for a in plan.assumptions]},
                "result": result.to_json() if result else None,
            }
        )
        return
    for line in summary_lines(plan, result, dry_run=bool(args.dry_run)):
        print(line)


def summary_lines(plan: ImportPlan, result: ImportResult | None, *, dry_run: bool) -> list[str]:
    """The human summary of a plan (and of what the import did)."""
    kind = {"csv": "CSV", "vcf": "vCard", "json": "JSON Lines"}.get(plan.format, plan.format)
    out = [f"{plan.file_name}: {kind}, {plan.size:,} bytes, SHA-256 {plan.sha256[:16]}…"]
    out.append(f"  Encoding:  {plan.encoding.label} ({plan.encoding.reason})")
    out.append(f"  Phones:    numbers without + are read as numbers of {plan.phone_region}")
    if plan.format == "csv":
        out.append(f"  Delimiter: {plan.delimiter_name} ({plan.delimiter_reason})")
        how = "guessed from the header" if plan.mapping_guessed else "from --mapping"
        out.append(f"  Columns:   {len(plan.header)}, mapping {how}:")
        ignored = [c for c, t in plan.mapping.items() if t == IGNORE]
        out += [f"    {c} -> {t}" for c, t in plan.mapping.items() if t != IGNORE]
        if ignored:
            shown = ", ".join(ignored[:_SHOWN_IGNORED])
            more = f" and {len(ignored) - _SHOWN_IGNORED} more" if len(ignored) > 12 else ""
            out.append(f"    ignored: {shown}{more}")
    for assumption in plan.assumptions:
        out.append(f"  Note: {words(assumption)}")
    c = plan.counts
    what = {"vcf": "Cards", "json": "Lines"}.get(plan.format, "Rows")
    blank = f" (and {c.blank:,} blank)" if c.blank else ""
    joined = f", to join their company: {c.to_join:,}" if c.to_join else ""
    out.append(
        f"  {what}: {c.rows:,}{blank}; to add: {c.to_add:,}, to merge: {c.to_merge:,}"
        f"{joined}, to skip: {c.to_skip:,}"
    )
    if plan.problem_kinds:
        kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(plan.problem_kinds.items()))
        out.append(f"  Problems: {kinds}")
        out += _problem_lines(plan.problems, plan.problems_total)
        if c.duplicates and plan.on_duplicate is Choice.SKIP:
            out.append(
                "  Likely duplicates are skipped: --on-duplicate merge adds them to the "
                "existing clients, --on-duplicate import as new ones."
            )
    if result is not None:
        first_last = (
            f" (ids {result.added_ids[0]}..{result.added_ids[1]})" if result.added_ids else ""
        )
        joined = f", joined {_n(result.joined, 'row')} to their company" if result.joined else ""
        out.append(
            f"Imported {_n(result.added, 'new client')}{first_last}, merged "
            f"{_n(result.merged, 'row')} into {_n(len(result.merged_ids), 'client')}{joined}, "
            f"skipped {_n(result.skipped, 'row')}, in {result.seconds:.1f} s."
        )
    elif dry_run:
        out.append("Dry run: nothing was changed.")
    return out


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _problem_lines(problems: tuple[Problem, ...], total: int) -> list[str]:
    skipped = [p for p in problems if p.action == "skip"]
    others = [p for p in problems if p.action != "skip"]
    out: list[str] = []
    if skipped:
        rows = len({p.row for p in skipped})
        out.append(f"  Skipped ({_n(rows, 'row')}; the first reasons):")
        out += [f"    row {p.row}: {p.kind.value}: {p.message}" for p in skipped[:_SHOWN_PROBLEMS]]
    if others:
        out.append("  Imported despite a problem (the first):")
        out += [
            f"    row {p.row} ({p.action}): {p.kind.value}: {p.message}"
            for p in others[:_SHOWN_PROBLEMS]
        ]
    if total > len(problems):
        out.append(f"  ({total:,} problems in all; --json lists the first {len(problems):,})")
    return out
