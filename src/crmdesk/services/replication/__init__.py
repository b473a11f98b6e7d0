"""A vault's part in an office of devices (issue 14): its edits captured as changes,
others' changes merged in, and the files that carry them through a shared folder.

The merge rules are :mod:`crmdesk.domain.replication`'s; this package keeps their
history in the vault (``ledger``), turns local edits of clients into changes
(``capture``) and writes merged records back through the client store (``apply``).
"""
