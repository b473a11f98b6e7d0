"""The sync layer's refusals passed on as crmdesk errors (same code, same facts), so the
command line and the app word them like any other error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from crmdesk.domain.replication.errors import ReplicationError
from crmdesk.errors import BadInput
from crmdesk.sync.errors import FileRejected, SyncthingError


@contextmanager
def passed_on() -> Iterator[None]:
    """The sync layer's refusals (a damaged or expired invitation, a refused change file,
    Syncthing not found or refusing) as crmdesk errors with the same code and facts, so
    that the command line and the app word them like any other error."""
    try:
        yield
    except (FileRejected, ReplicationError, SyncthingError) as exc:
        raise BadInput(exc.message, code=exc.code, **exc.facts) from None
