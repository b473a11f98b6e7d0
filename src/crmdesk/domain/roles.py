"""Who may do what: the four roles of a small office and the one table of their rights.

The service layer asks :func:`allowed` before every action; the GUI only uses the same
table to hide what would be refused anyway. Record visibility has one extra rule: a
Salesperson sees the value-added information of the clients assigned to them (the
client's ``salesperson`` is their login or full name) and only basic contact
information of the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    SALESPERSON = "salesperson"
    ASSISTANT = "assistant"

    @property
    def title(self) -> str:
        return self.value.capitalize()


class Permission(StrEnum):
    """An action the service layer checks. The value is how refusals name it."""

    VIEW_BASIC = "see basic contact information"
    VIEW_VALUE_ADDED = "see value-added information"
    EDIT_BASIC = "change basic contact information, tasks and interactions"
    EDIT_VALUE_ADDED = "change value-added information"
    CREATE_CLIENT = "add clients"
    DELETE_CLIENT = "delete clients"
    ASSIGN_CLIENT = "assign clients to salespeople"
    SEARCH = "search clients"
    PRINT_CLIENT = "print a client summary"
    PRINT_CALL_LIST = "print a call list"
    PRINT_LIST = "print a list of clients"
    PRINT_COVERAGE = "print the coverage of the client list"
    EXPORT = "export or copy lists of clients"
    IMPORT = "import clients from files"
    MANAGE_USERS = "manage users"
    EDIT_POLICY = "change the confidentiality policy"
    VIEW_ACTIVITY = "see the activity of every user"
    CHANGE_SETTINGS = "change alert thresholds and the screen watermark"
    ROTATE_KEY = "rotate the vault key"
    OFFBOARD = "offboard a user"
    MEASURES_REPORT = "print the reasonable-measures report"
    BACKUP = "back up and restore the vault"
    RECOVER = "recover the vault with the recovery key"
    DEMO_DATA = "add demonstration data"


class Visibility(StrEnum):
    """How much of a client record a role sees."""

    ALL = "all"  # every client in full
    ASSIGNED = "assigned"  # their own clients in full, the rest basic
    BASIC = "basic"  # basic contact information only


_P = Permission
_EVERYONE = frozenset(Role)
_OWNER = frozenset({Role.OWNER})
_MANAGERS = frozenset({Role.OWNER, Role.MANAGER})
_SELLERS = frozenset({Role.OWNER, Role.MANAGER, Role.SALESPERSON})

# The one table. VIEW_VALUE_ADDED and EDIT_VALUE_ADDED for a Salesperson hold only for
# their own clients: see :func:`sees_value_added`.
MATRIX: dict[Permission, frozenset[Role]] = {
    _P.VIEW_BASIC: _EVERYONE,
    _P.VIEW_VALUE_ADDED: _SELLERS,
    _P.EDIT_BASIC: _EVERYONE,
    _P.EDIT_VALUE_ADDED: _SELLERS,
    _P.CREATE_CLIENT: _EVERYONE,
    _P.DELETE_CLIENT: _MANAGERS,
    _P.ASSIGN_CLIENT: _MANAGERS,
    _P.SEARCH: _EVERYONE,
    _P.PRINT_CLIENT: _SELLERS,
    _P.PRINT_CALL_LIST: _EVERYONE,
    _P.PRINT_LIST: _MANAGERS,
    _P.PRINT_COVERAGE: _SELLERS,  # of the clients each sees in full
    _P.EXPORT: _MANAGERS,
    _P.IMPORT: _MANAGERS,
    _P.MANAGE_USERS: _OWNER,
    _P.EDIT_POLICY: _OWNER,
    _P.VIEW_ACTIVITY: _OWNER,
    _P.CHANGE_SETTINGS: _OWNER,
    _P.ROTATE_KEY: _OWNER,
    _P.OFFBOARD: _OWNER,
    _P.MEASURES_REPORT: _OWNER,
    _P.BACKUP: _OWNER,
    _P.RECOVER: _OWNER,
    _P.DEMO_DATA: _OWNER,
}

VISIBILITY: dict[Role, Visibility] = {
    Role.OWNER: Visibility.ALL,
    Role.MANAGER: Visibility.ALL,
    Role.SALESPERSON: Visibility.ASSIGNED,
    Role.ASSISTANT: Visibility.BASIC,
}

_ASSIGNED_ONLY = frozenset({_P.VIEW_VALUE_ADDED, _P.EDIT_VALUE_ADDED})


def allowed(role: Role, permission: Permission) -> bool:
    return role in MATRIX[permission]


def who_may(permission: Permission) -> str:
    """The roles allowed, in words: "Owner or Manager"."""
    roles = [r.title for r in Role if r in MATRIX[permission]]
    names = ", ".join(roles[:-1]) + (" or " if len(roles) > 1 else "") + roles[-1]
    if permission in _ASSIGNED_ONLY and Role.SALESPERSON in MATRIX[permission]:
        names = names.replace("Salesperson", "the client's assigned Salesperson")
    return names


def refusal(role: Role, permission: Permission) -> str:
    """The message of a refused action: what was refused and who may do it."""
    return (
        f"As {_article(role)} {role.title} you may not {permission.value}; only "
        f"{_with_article(who_may(permission))} may. Ask the vault's owner if your job needs it."
    )


def _article(role: Role) -> str:
    return "an" if role.title[0] in "AEIOU" else "a"


def _with_article(names: str) -> str:
    return names if names.startswith("the ") else f"the {names}"


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person: every action is checked against and attributed to them."""

    login: str
    full_name: str
    role: Role

    @property
    def visibility(self) -> Visibility:
        return VISIBILITY[self.role]

    def assignment_names(self) -> tuple[str, ...]:
        """The values of a client's ``salesperson`` field that mean "assigned to me"."""
        return tuple(dict.fromkeys(n for n in (self.login, self.full_name) if n))

    def is_assigned(self, salesperson: str) -> bool:
        wanted = salesperson.strip().casefold()
        return bool(wanted) and wanted in {n.casefold() for n in self.assignment_names()}

    def sees_value_added(self, salesperson: str) -> bool:
        """True when this person may see the value-added part of a client assigned so."""
        vis = self.visibility
        return vis is Visibility.ALL or (
            vis is Visibility.ASSIGNED and self.is_assigned(salesperson)
        )


def role_from_text(text: str) -> Role:
    """A role from what a person typed ("Manager", "sales"...); ValueError names the choices."""
    wanted = text.strip().casefold()
    for role in Role:
        if role.value == wanted or (len(wanted) >= 3 and role.value.startswith(wanted)):
            return role
    raise ValueError(
        f"Unknown role {text!r}; choose one of: " + ", ".join(r.value for r in Role) + "."
    )


def matrix_rows(permissions: Iterable[Permission] = Permission) -> list[tuple[str, list[bool]]]:
    """The table as rows (what, allowed per role in :class:`Role` order): for reports."""
    return [(p.value, [allowed(r, p) for r in Role]) for p in permissions]
