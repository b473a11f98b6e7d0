"""The :class:`Session`: an unlocked vault and the person using it.

In a module of its own so that every service can name it without importing the code
that unlocks vaults and signs people in (:mod:`crmdesk.services.session`), which in turn
needs the people and sign-in services: that was an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdesk.domain.roles import Principal, Role
from crmdesk.errors import BadInput
from crmdesk.vault import Vault


@dataclass(slots=True)
class Session:
    """An unlocked vault and the person using it: every action is checked against their
    role and attributed to them."""

    vault: Vault
    user: Principal
    # A first or reset password must be replaced before any record is shown.
    must_change_password: bool = False

    @property
    def actor(self) -> str:
        return self.user.login

    @property
    def full_name(self) -> str:
        return self.user.full_name

    @property
    def role(self) -> Role:
        return self.user.role

    def pending_policy_version(self) -> int | None:
        """The current policy version if this person has not accepted it yet."""
        with self.vault.reading() as conn:
            row = conn.execute(
                "SELECT p.version FROM policies p WHERE p.version = (SELECT max(version)"
                " FROM policies) AND NOT EXISTS (SELECT 1 FROM policy_acceptances a"
                " WHERE a.version = p.version AND a.login = ?)",
                (self.user.login,),
            ).fetchone()
        return int(row[0]) if row else None

    def close(self) -> None:
        self.vault.close()

    @property
    def is_open(self) -> bool:
        return self.vault.is_open

    def reattach(self, other: Session) -> None:
        """Continue this session on a freshly unlocked vault (after a lock)."""
        if other.vault.meta.vault_id != self.vault.meta.vault_id:
            other.close()
            raise BadInput(
                "That is a different vault; unlock the vault that was locked.",
                code="unlock.other_vault",
            )
        if other.user.login.casefold() != self.user.login.casefold():
            other.close()
            raise BadInput(
                f"The vault was locked by {self.user.full_name}; only they can unlock this "
                "window. To work as someone else, quit and sign in again.",
                code="unlock.other_user",
                user=self.user.full_name,
            )
        self.vault, self.user = other.vault, other.user
        self.must_change_password = other.must_change_password

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
