"""The status bar's words about the open vault: how it is protected (one person with
the OS keyring, one person with a passphrase, or several people each with their own
password and key), who is signed in, and what waits (a change of keys until the vault
is open nowhere else; colleagues until the owner gives them a new password).

Plain Python: the main window puts them in its status bar label and its tooltip.
"""

from __future__ import annotations

from crmdesk.domain.roles import Permission, Principal, allowed
from crmdesk.services.vault_state import Protection, SecurityState

ROTATION_WAITING = (
    "A change of keys waits: crmdesk has this vault open in another window or command. "
    "Close it there; the keys are changed the next time the owner or a manager opens the "
    "vault alone."
)


def protection_words(state: SecurityState) -> str:
    """The short form, e.g. "key in Secret Service" or "your own key (3 people)"."""
    if state.protection is Protection.KEYRING:
        return f"key in {state.key_source}"
    if state.protection is Protection.PASSPHRASE:
        return "key protected by your passphrase"
    people = "1 person" if state.people == 1 else f"{state.people} people"
    return f"your own key ({people})"


def protection_sentence(state: SecurityState) -> str:
    """The long form, for the tooltip."""
    if state.protection is Protection.KEYRING:
        return (
            f"One person: this computer's {state.key_source} holds what opens your key, so "
            "crmdesk opens without a password. Adding a colleague ends that: from then on "
            "everyone, you too, signs in with their own password."
        )
    if state.protection is Protection.PASSPHRASE:
        return "One person: your key opens only with your passphrase."
    return (
        f"{state.people} people, each with their own key, opened only by their own "
        "password; nothing in this computer's keyring opens the vault. You read what "
        "your role's keys open."
    )


def waiting_words(state: SecurityState, user: Principal) -> list[str]:
    """Short warnings for the status bar, most urgent first."""
    warnings = []
    if state.rotation_waiting:
        warnings.append("⚠ Key change waiting")
    if state.awaiting and allowed(user.role, Permission.MANAGE_USERS):
        count = len(state.awaiting)
        warnings.append(f"⚠ {count} {'needs' if count == 1 else 'need'} a new password")
    return warnings


def awaiting_sentence(state: SecurityState) -> str:
    who = ", ".join(state.awaiting)
    return (
        f"Waiting for a new password: {who}. They cannot sign in until you reset their "
        "password (Office › Users…)."
    )


def status_line(state: SecurityState, user: Principal) -> str:
    """E.g. "Encrypted · your own key (3 people) · signed in as Jane Doe (Owner)"."""
    line = (
        f"Encrypted · {protection_words(state)} · signed in as {user.full_name} ({user.role.title})"
    )
    return " · ".join([*waiting_words(state, user), line])


def status_tip(state: SecurityState, user: Principal) -> str:
    """The tooltip: the protection in full, where the keys are, what waits."""
    lines = [f"Vault {state.vault_id}", protection_sentence(state), f"Key {state.key_location}"]
    if state.rotation_waiting:
        lines.append(ROTATION_WAITING)
    if state.awaiting and allowed(user.role, Permission.MANAGE_USERS):
        lines.append(awaiting_sentence(state))
    return "\n".join(lines)
