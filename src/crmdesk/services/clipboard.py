"""Copying clients to the clipboard: a way out like printing and exporting.

The GUI puts the text this returns on the clipboard; it passes the same role check,
threshold and audit as an export (a copy is an export that leaves no file).
"""

from __future__ import annotations

from crmdesk.domain.roles import Permission
from crmdesk.domain.spreadsheet import tab_separated
from crmdesk.errors import BadInput
from crmdesk.services.client_query import ClientRow
from crmdesk.services.egress import OwnerApproval, authorize
from crmdesk.services.session import Session

HEADER = ("Name", "Status", "Salesperson", "Email", "Phone", "Industry", "Tags")


def copy_clients(
    session: Session, rows: list[ClientRow], *, approval: OwnerApproval | None = None
) -> str:
    """Tab-separated text of ``rows`` (basic columns), after the egress checks; audited."""
    if not rows:
        raise BadInput("Select the clients to copy first.", code="copy.nothing_selected")
    authorize(session, Permission.EXPORT, what="copy", count=len(rows), approval=approval)
    text = tab_separated(
        HEADER,
        (
            (r.name, r.status, r.salesperson, r.email, r.phone, r.industry, ", ".join(r.tags))
            for r in rows
        ),
    )
    vault = session.vault
    with vault.transaction():
        vault.record_event(
            session.actor,
            "clients.copied",
            object="clipboard",
            details={"clients": len(rows), "client_ids": [r.id for r in rows][:1000]},
        )
    return text
