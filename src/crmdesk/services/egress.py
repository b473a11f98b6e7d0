"""The one gate for client information leaving the vault: printing, exporting, copying.

Every way out calls :func:`authorize` with the permission it needs and how many clients
it carries, then records its own audit event (``report.printed``, ``clients.exported``,
``clients.copied``) with a ``clients`` count, which the owner's alerts read. Above the
owner's threshold someone other than the owner needs the owner's approval on the spot:
the owner signs in (login and password), and the approval is audited too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmdesk.domain.roles import Permission, Principal, Role
from crmdesk.errors import NotAllowed, SignInFailed
from crmdesk.services import signin
from crmdesk.services.access import require
from crmdesk.services.session import Session
from crmdesk.services.settings import load_settings
from crmdesk.vault.unlocked import Person


@dataclass(frozen=True, slots=True)
class OwnerApproval:
    """The owner's login and password, typed on the spot to approve a large output."""

    login: str
    password: str


class ApprovalRequired(NotAllowed):
    """The output is above the owner's threshold: the owner must approve it."""

    code = "egress.approval_required"

    def __init__(
        self, message: str, *, code: str | None = None, count: int, limit: int, **facts: Any
    ) -> None:
        super().__init__(message, code=code, count=count, limit=limit, **facts)
        self.count = count
        self.limit = limit


def limit(session: Session) -> int:
    """How many clients one output may carry without the owner's approval."""
    return load_settings(session.vault).thresholds.egress_clients


def authorize(
    session: Session,
    permission: Permission,
    *,
    what: str,
    count: int,
    approval: OwnerApproval | None = None,
) -> Principal:
    """Check role and threshold for an output of ``count`` clients; raise if refused."""
    user = require(session, permission, what=what)
    most = limit(session)
    if count <= most or user.role is Role.OWNER:
        return user
    if approval is None:
        raise ApprovalRequired(
            f"This {what} holds {count} clients, more than the {most} the owner allows "
            "without approval. Ask the owner to approve it by signing in.",
            code="egress.approval_required",
            what=what,
            count=count,
            limit=most,
        )
    approver, key = _approver(session, approval)
    vault = session.vault
    with vault.transaction():
        # Signed by the owner's own key, opened with their password just now.
        vault.record_event(
            approver.login,
            "egress.approved",
            object=what,
            details={"for": user.login, "clients": count, "limit": most},
            signer=key,
        )
    return user


def _approver(session: Session, approval: OwnerApproval) -> tuple[Principal, Person]:
    try:
        approver, key = signin.authenticate_other(session, approval.login, approval.password)
    except SignInFailed as exc:
        raise NotAllowed(
            f"The approval was not given: {exc.message}",
            code="egress.approval_refused",
            cause=exc,
        ) from None
    if approver.role is not Role.OWNER or not approver.enabled:
        raise NotAllowed(
            f"{approver.full_name} is not the vault's owner; only the owner can approve "
            "large prints, exports and copies.",
            code="egress.approver_not_owner",
            approver=approver.full_name,
        )
    return approver.principal, key


def command_line_listing(
    session: Session, client_ids: list[int], *, approval: OwnerApproval | None = None
) -> None:
    """A client list printed on the command line, where it can go straight into a file.

    Up to the owner's threshold it is a look at a page of the list, like the app's; above
    it, it is an export: the export permission, the owner's approval and an audit entry.
    """
    if len(client_ids) <= limit(session):
        return
    authorize(
        session, Permission.EXPORT, what="command-line list", count=len(client_ids),
        approval=approval,
    )  # fmt: skip
    vault = session.vault
    with vault.transaction():
        vault.record_event(
            session.actor,
            "clients.exported",
            object="command line",
            details={
                "format": "command-line list",
                "clients": len(client_ids),
                "client_ids": client_ids[:1000],
            },
        )
