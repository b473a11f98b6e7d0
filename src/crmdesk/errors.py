"""The exceptions every layer raises for a person to read.

Each carries a stable ``code`` (a short dotted string such as ``"vault.exists"``), the
facts of the case (``path``, ``row``, ``seconds``...) and a ``message``: a neutral
sentence that says what happened and the general next step, fit for logs and tests, that
names no command-line flag, command or button. The two edges word errors for their own
people: the command line (``commands/words.py``) names its flags and commands, the app
(``gui/words.py``) its menus and buttons; where neither has words of its own, the
``message`` is shown. Code that must know what happened checks the code or the type,
never the message. Each error also has the exit code the command line returns for it.
Nothing here names a key, passphrase or record content.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from enum import IntEnum
from typing import Any, Protocol


class ExitCode(IntEnum):
    """Exit codes of the ``crmdesk`` command (documented in the README)."""

    OK = 0
    BAD_INPUT = 1
    USAGE = 2
    CANNOT_UNLOCK = 3
    DAMAGED = 4
    CONFLICT = 5
    NOT_ALLOWED = 6


class CrmdeskError(Exception):
    """Base of every error shown to a user: ``str(err)`` is the neutral message.

    ``code`` defaults to the class's; a raise site passes its own (``code="vault.exists"``)
    and the facts an edge needs to word it (``folder=...``).
    """

    exit_code: ExitCode = ExitCode.BAD_INPUT
    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None, **facts: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.facts: dict[str, Any] = facts


class Notice(str):
    """Something a person should know that is not an error (an import's assumption, a
    warning about where the vault lives), worded at the edges like an error.

    It is its neutral sentence (a ``str``, so lists of notes and JSON keep working), with
    a ``code`` and ``facts`` for the edges.
    """

    code: str
    facts: Mapping[str, Any]

    def __new__(
        cls, message: str, code: str = "notice", facts: Mapping[str, Any] | None = None
    ) -> Notice:
        self = super().__new__(cls, message)
        self.code = code
        self.facts = dict(facts or {})
        return self

    def __getnewargs__(self) -> tuple[str, str, dict[str, Any]]:  # type: ignore[override]
        return (str(self), self.code, dict(self.facts))

    @property
    def message(self) -> str:
        return str(self)


class Worded(Protocol):
    """What an edge words: an error or a notice."""

    @property
    def message(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def facts(self) -> Mapping[str, Any]: ...


def in_words(item: Worded | str, table: Mapping[str, str]) -> str:
    """``item`` in an edge's words: its code's template in ``table`` (``str.format``
    fields naming facts) filled with its facts, else its neutral message (a plain ``str``
    is its own). A fact that is itself an error (the ``cause`` of a wrapped one) is worded
    by the same table first."""
    if not isinstance(item, CrmdeskError | Notice):
        return str(item)
    template = table.get(item.code)
    if template is None:
        return item.message
    facts = {
        name: in_words(value, table) if isinstance(value, CrmdeskError | Notice) else value
        for name, value in item.facts.items()
    }
    return template.format_map(facts)


def template_fields(template: str) -> set[str]:
    """The facts a template uses (for the tests that check every edge's table)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class BadInput(CrmdeskError):
    """The request cannot be carried out as given (a bad value, an existing vault...)."""

    code = "input.bad"


class NotAVault(CrmdeskError):
    """The folder holds no crmdesk vault."""

    code = "vault.none"


class VaultExists(CrmdeskError):
    """``init`` was asked to create a vault where one already is."""

    code = "vault.exists"


class NewerVault(CrmdeskError):
    """The vault was written by a newer crmdesk than this one."""

    code = "vault.newer"


class CannotUnlock(CrmdeskError):
    """The key could not be obtained or does not open the vault."""

    code = "unlock.failed"
    exit_code = ExitCode.CANNOT_UNLOCK


class WrongKey(CannotUnlock):
    """The key presented is not this vault's key."""

    code = "key.wrong"


class KeyMissing(CannotUnlock):
    """The keyring has no entry for this vault."""

    code = "key.missing"


class KeyringUnavailable(CannotUnlock):
    """No trustworthy OS keyring can be used on this computer right now."""

    code = "keyring.unavailable"


class KeyringLocked(KeyringUnavailable):
    """The OS keyring exists but is locked and cannot ask for its password here."""

    code = "keyring.locked"


class WrongPassphrase(CannotUnlock):
    """The passphrase does not unwrap this vault's key."""

    code = "passphrase.wrong"


class BadRecoveryKey(BadInput):
    """A recovery key was mistyped or is not a crmdesk recovery key."""

    code = "recovery_key.bad"


class VaultDamaged(CrmdeskError):
    """The vault's files are damaged, truncated or were tampered with."""

    code = "vault.damaged"
    exit_code = ExitCode.DAMAGED


class VaultInUse(CrmdeskError):
    """The vault is open in another window or command, and the request needs it alone."""

    code = "vault.in_use"


class KeyRotationFailed(CrmdeskError):
    """Changing the vault key did not complete; the message says which key opens it now."""

    code = "key.rotation_failed"


class AuditChainBroken(CrmdeskError):
    """The audit trail no longer verifies: an entry was edited, removed, added or moved."""

    code = "audit.broken"
    exit_code = ExitCode.DAMAGED


class NotFound(CrmdeskError):
    """The record asked for does not exist (any more)."""

    code = "not_found"


class InvalidRecord(BadInput):
    """A record was refused; ``errors`` names each field and what is wrong with it."""

    code = "record.invalid"

    def __init__(
        self, message: str, errors: list | None = None, *, code: str | None = None, **facts: Any
    ) -> None:
        super().__init__(message, code=code, **facts)
        self.errors = errors or []


class EditConflict(CrmdeskError):
    """Someone saved the record after it was read; saving now would overwrite their work."""

    code = "record.conflict"
    exit_code = ExitCode.CONFLICT


class NotAllowed(CrmdeskError):
    """The signed-in person's role does not allow the action; the message names who may."""

    code = "role.not_allowed"
    exit_code = ExitCode.NOT_ALLOWED


class SignInRequired(CannotUnlock):
    """The vault has several users: someone must sign in before anything is shown."""

    code = "signin.required"


class SignInFailed(CannotUnlock):
    """A login or password was wrong, the account is disabled, or sign-in is throttled."""

    code = "signin.failed"


class SignInThrottled(SignInFailed):
    """Too many wrong passwords in a row: sign-in waits before trying again."""

    code = "signin.throttled"

    def __init__(
        self, message: str, *, code: str | None = None, seconds: int, **facts: Any
    ) -> None:
        super().__init__(message, code=code, seconds=seconds, **facts)
        self.retry_after_seconds = seconds


class PasswordChangeRequired(NotAllowed):
    """A first sign-in or a reset password must be replaced before records are shown."""

    code = "signin.password_change_required"


class PolicyNotAccepted(NotAllowed):
    """The current confidentiality policy must be accepted before records are shown."""

    code = "policy.not_accepted"
