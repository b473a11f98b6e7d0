"""Demo data: realistic clients for a first look at crmdesk and for benchmarks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from crmdesk.demo import generate_clients
from crmdesk.domain.roles import Permission
from crmdesk.services.access import require
from crmdesk.services.clients import ClientService
from crmdesk.services.session import Session


def create_demo_clients(
    session: Session,
    count: int,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Add ``count`` generated clients, assigned to the session's person and two
    colleagues; returns how many were added (fewer if cancelled)."""
    require(session, Permission.DEMO_DATA, what="demo data")
    day = today or dt.date.today()
    service = ClientService(session, today=lambda: day)
    salespeople = (session.actor, "omar", "li")
    clients = generate_clients(count, seed=seed, today=day, salespeople=salespeople)
    return service.add_many(
        clients, source=f"demo (seed {seed})", progress=progress, cancelled=cancelled
    )
