"""The person who created a vault, as its ``vault_info`` table keeps them."""

from __future__ import annotations

from dataclasses import dataclass

from crmdesk.errors import BadInput


@dataclass(frozen=True, slots=True)
class Owner:
    """The person who created the vault, and their business (for watermarks and audit)."""

    full_name: str
    login: str
    business: str = ""

    def validated(self) -> Owner:
        name, login, business = self.full_name.strip(), self.login.strip(), self.business.strip()
        problems = []
        if not name:
            problems.append("the owner's full name is empty")
        if not login or any(ch.isspace() for ch in login) or len(login) > 64:
            problems.append("the login must be 1 to 64 characters without spaces")
        if len(name) > 200 or len(business) > 200:
            problems.append("names are limited to 200 characters")
        if problems:
            raise BadInput(
                "Cannot create the vault: " + "; ".join(problems) + ".",
                code="vault.owner_invalid",
                problems=problems,
            )
        return Owner(name, login, business)
