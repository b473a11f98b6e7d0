"""The app's one operations layer: every database read and write off the GUI thread.

- :mod:`.background`: :class:`QueryOp` (a read) and :class:`ChangeOp` (a write) on the
  database worker thread, results and errors back on the GUI thread;
- :mod:`.changes`: the "these clients changed" notice views subscribe to;
- :mod:`.progress`: long work with a progress dialog and Cancel.
"""

from crmdesk.gui.ops.background import (
    ChangeOp,
    Pending,
    QueryOp,
    hold_work,
    release_work,
    settle,
)
from crmdesk.gui.ops.changes import ChangeNotices, ClientChanges
from crmdesk.gui.ops.progress import Job, Operation, run_with_progress

__all__ = [
    "ChangeNotices",
    "ChangeOp",
    "ClientChanges",
    "Job",
    "Operation",
    "Pending",
    "QueryOp",
    "run_with_progress",
    "hold_work",
    "release_work",
    "settle",
]
