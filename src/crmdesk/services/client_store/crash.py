"""The crash test hook (:mod:`crmdesk.vault.crash`), for the client store's steps."""

from crmdesk.vault.crash import point

__all__ = ["point"]
