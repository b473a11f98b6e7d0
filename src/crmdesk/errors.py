"""The exceptions every layer raises for a person to read.

Each carries a message that says what happened and what to do next, and the exit code
the command line returns for it. Nothing here names a key, passphrase or record content.
"""

from __future__ import annotations

from enum import IntEnum


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
    """Base of every error shown to a user: ``str(err)`` is the whole message."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(CrmdeskError):
    """The request cannot be carried out as given (a bad value, an existing vault...)."""


class NotAVault(CrmdeskError):
    """The folder holds no crmdesk vault."""


class VaultExists(CrmdeskError):
    """``init`` was asked to create a vault where one already is."""


class NewerVault(CrmdeskError):
    """The vault was written by a newer crmdesk than this one."""


class CannotUnlock(CrmdeskError):
    """The key could not be obtained or does not open the vault."""

    exit_code = ExitCode.CANNOT_UNLOCK


class WrongKey(CannotUnlock):
    """The key presented is not this vault's key."""


class KeyMissing(CannotUnlock):
    """The keyring has no entry for this vault."""


class KeyringUnavailable(CannotUnlock):
    """No trustworthy OS keyring can be used on this computer right now."""


class KeyringLocked(KeyringUnavailable):
    """The OS keyring exists but is locked and cannot ask for its password here."""


class WrongPassphrase(CannotUnlock):
    """The passphrase does not unwrap this vault's key."""


class BadRecoveryKey(BadInput):
    """A recovery key was mistyped or is not a crmdesk recovery key."""


class VaultDamaged(CrmdeskError):
    """The vault's files are damaged, truncated or were tampered with."""

    exit_code = ExitCode.DAMAGED


class VaultInUse(CrmdeskError):
    """The vault is open in another window or command, and the request needs it alone."""


class KeyRotationFailed(CrmdeskError):
    """Changing the vault key did not complete; the message says which key opens it now."""


class AuditChainBroken(CrmdeskError):
    """The audit trail no longer verifies: an entry was edited, removed, added or moved."""

    exit_code = ExitCode.DAMAGED


class NotFound(CrmdeskError):
    """The record asked for does not exist (any more)."""


class InvalidRecord(BadInput):
    """A record was refused; ``errors`` names each field and what is wrong with it."""

    def __init__(self, message: str, errors: list | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class EditConflict(CrmdeskError):
    """Someone saved the record after it was read; saving now would overwrite their work."""

    exit_code = ExitCode.CONFLICT


class NotAllowed(CrmdeskError):
    """The signed-in person's role does not allow the action; the message names who may."""

    exit_code = ExitCode.NOT_ALLOWED


class SignInRequired(CannotUnlock):
    """The vault has several users: someone must sign in before anything is shown."""


class SignInFailed(CannotUnlock):
    """A login or password was wrong, the account is disabled, or sign-in is throttled."""


class SignInThrottled(SignInFailed):
    """Too many wrong passwords in a row: sign-in waits before trying again."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class PasswordChangeRequired(NotAllowed):
    """A first sign-in or a reset password must be replaced before records are shown."""


class PolicyNotAccepted(NotAllowed):
    """The current confidentiality policy must be accepted before records are shown."""
