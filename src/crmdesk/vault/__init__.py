"""The vault: the encrypted database, its key, and the metadata that says how the key is held.

Nothing outside this package opens a database file.
"""

from crmdesk.vault.keys import VaultKey
from crmdesk.vault.vault import KeyStorage, Owner, Vault, VaultStatus

__all__ = ["KeyStorage", "Owner", "Vault", "VaultKey", "VaultStatus"]
