"""The permission check every service runs before it acts.

One function, :func:`require`, so that the GUI, the command line, printing, exporting
and the clipboard all meet the same rules. A refusal is recorded in the audit trail
(who tried what) and raised as :class:`NotAllowed` naming the roles that may.
"""

from __future__ import annotations

from crmdesk.domain.roles import Permission, Principal, allowed, refusal
from crmdesk.errors import NotAllowed, PasswordChangeRequired, PolicyNotAccepted
from crmdesk.services.user_session import Session

# What someone may still do before changing a first password or accepting the policy:
# nothing that shows a record.
_BEFORE_GATES = frozenset({Permission.VIEW_BASIC})


def require(session: Session, permission: Permission, *, what: str = "") -> Principal:
    """Return the signed-in person if they may; record and raise otherwise."""
    check_gates(session)
    user = session.user
    if allowed(user.role, permission):
        return user
    deny(session, permission, what=what)
    raise AssertionError("unreachable")  # deny() always raises


def require_role(session: Session, permission: Permission, *, what: str = "") -> None:
    """The role check alone, for what is done to the vault itself (restore, recover):
    whoever's role may not is refused and recorded, first password or policy pending or
    not, so that every such attempt is attributed."""
    if not allowed(session.user.role, permission):
        deny(session, permission, what=what)


def check_gates(session: Session) -> None:
    """A first or reset password must be changed, and the current policy accepted, first."""
    if session.must_change_password:
        raise PasswordChangeRequired(
            "Choose a new password before you continue: the one you have was set by the owner.",
            code="signin.password_change_required",
            login=session.user.login,
        )
    pending = session.pending_policy_version()
    if pending is not None:
        raise PolicyNotAccepted(
            f"Read and accept the confidentiality policy (version {pending}) before any "
            "client information is shown.",
            code="policy.not_accepted",
            version=pending,
        )


def deny(session: Session, permission: Permission, *, what: str = "") -> None:
    """Record the refused attempt, then raise :class:`NotAllowed`."""
    user = session.user
    vault = session.vault
    with vault.transaction():
        vault.record_event(
            user.login,
            "access.denied",
            object=what,
            details={"permission": permission.name.lower(), "role": user.role.value},
        )
    raise NotAllowed(
        refusal(user.role, permission),
        code="role.not_allowed",
        role=user.role.value,
        permission=permission.name.lower(),
    )
