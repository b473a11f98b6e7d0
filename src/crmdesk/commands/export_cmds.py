"""``export``: CSV, vCard and iCalendar files."""

from __future__ import annotations

import argparse

from crmdesk.commands.client_cmds import query_from_args
from crmdesk.commands.progress import Progress
from crmdesk.commands.unlock import approval, open_session
from crmdesk.services.exports import ExportService


class _Progress:
    """A progress line that starts once the export knows how many clients it holds."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = Progress(self._label, total)
        self._bar.update(done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def cmd_export(args: argparse.Namespace) -> int:
    query = query_from_args(args, args.search)
    bar = _Progress("Exporting clients")
    with open_session(args) as session:
        try:
            record = ExportService(session).export(
                args.format, query, args.output, approval=approval(args), progress=bar
            )
        finally:
            bar.close()
    print(f"Export ID: {record.export_id}")
    # No count: the clients matched and the rows in the file differ by the decoys.
    print(f"Wrote {args.output}")
    return 0
