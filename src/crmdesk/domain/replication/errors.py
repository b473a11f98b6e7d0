"""Why a change from another device was refused, with a code and the facts."""

from __future__ import annotations

from typing import Any


class ReplicationError(ValueError):
    """A change or stamp that cannot be applied. ``code`` says which rule refused it
    (``sync.bad_stamp``, ``sync.bad_device``, ``sync.clock_ahead``, ``sync.bad_change``);
    ``facts`` hold what an edge needs to say it its own way. The services pass it on as a
    crmdesk error when it reaches a person."""

    def __init__(self, message: str, *, code: str, **facts: Any) -> None:
        self.message = message
        self.code = code
        self.facts: dict[str, Any] = dict(facts)
        super().__init__(message)
