"""What a person limited to basics is told where information exists but is not theirs.

Never "none recorded": a salesperson who read "no purchases" on another's client could
tell the client "we have no record". Every front end says the same sentence,
:func:`note`, naming whom to ask: the client's salesperson (if any), the owner and the
managers.
"""

from __future__ import annotations

from typing import Any

from crmdesk.domain.coverage import WITHHELD_REASON
from crmdesk.services.session import Session

# The value-added parts of a client as JSON (client_to_json plus what the service adds),
# whose emptiness a limited reader must not take for "nothing on file".
VALUE_ADDED_PARTS = (
    "patterns",
    "purchases",
    "pricing",
    "preferences",
    "seasonal_needs",
    "specifications",
)


def who_to_ask(session: Session, salesperson: str = "") -> str:
    """``Sam Reed, or Zoë Ł. (owner) or Mia Chen (manager)``: who may see it in full."""
    with session.vault.reading() as conn:
        rows = conn.execute(
            "SELECT login, full_name, role FROM users WHERE disabled_at IS NULL"
            " ORDER BY role = 'manager', created_at"
        ).fetchall()
    senior = [f"{name} ({role})" for _, name, role in rows if role in ("owner", "manager")]
    if not senior:
        senior = [f"{session.vault.owner.full_name} (owner)"]
    who = " or ".join(senior)
    seller = salesperson.strip().casefold()
    if not seller or session.user.is_assigned(salesperson):
        return who
    for login, name, role in rows:
        if seller in (login.casefold(), name.casefold()):
            # Named already when they are the owner or a manager.
            return who if role in ("owner", "manager") else f"{name}, or {who}"
    return f"{salesperson.strip()}, or {who}"


def note(session: Session, salesperson: str = "") -> str:
    """``Withheld: not your client (ask …)``."""
    return f"Withheld: {WITHHELD_REASON} (ask {who_to_ask(session, salesperson)})"


def mark(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """A withheld client's JSON with ``redacted`` and ``withheld`` first, so that a
    reader meets them before the emptied lists (which do not mean "none on file")."""
    salesperson = str(data.get("salesperson") or "")
    head = {
        "redacted": True,
        "withheld": {
            "reason": WITHHELD_REASON,
            "ask": who_to_ask(session, salesperson),
            "note": note(session, salesperson),
            "parts": [p for p in VALUE_ADDED_PARTS if p in data],
        },
    }
    return {**head, **{k: v for k, v in data.items() if k not in head}}
