"""Small pieces the people dialogs share: the roles the owner can give, and times."""

from __future__ import annotations

import datetime as dt

from crmdesk.domain.roles import Role
from crmdesk.gui.widgets.formats import format_datetime, format_long_date

# The roles the owner can give (a vault has exactly one owner), with what each may do.
ROLE_CHOICES: tuple[tuple[Role, str], ...] = (
    (Role.MANAGER, "every client in full; assigns, deletes, prints and copies lists"),
    (Role.SALESPERSON, "their own clients in full, the others' contact details only"),
    (Role.ASSISTANT, "contact details only; logs calls and tasks, prints call lists"),
)


def local_time(when: dt.datetime | None, empty: str = "—") -> str:
    """A timestamp in the computer's time zone and locale, as everywhere in the app."""
    if when is None:
        return empty
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return format_datetime(when)


def local_date(when: dt.datetime | None) -> str:
    if when is None:
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return format_long_date(when.astimezone().date())
