"""The vault: the encrypted database, its key, and the metadata that says how the key is held.

Nothing outside this package opens a database file. Its parts:

* :mod:`.vault` (:class:`Vault`): creating, opening and recovering a vault, and rotating
  its key; :mod:`.unlocked`: an open vault in use (transactions, reads, audit events);
* :mod:`.rotation`: data keys rotated and a rotation cut short settled;
  :mod:`.people_keys`: slots and grants given and taken back; :mod:`.books`: the book
  files of value-added information; :mod:`.legacy`: opening a vault of the old format
  to upgrade it; :mod:`.audit_head`: the audit head kept in vault.json, and after
  views in audit-head.log (:mod:`.audit_head_log`); :mod:`.status`: what
  ``crmdesk status`` shows; :mod:`.crash`: the crash tests' hook;
* :mod:`.keys`: key material only (the raw key, the keyring, passphrase wrapping, the
  recovery key); it opens no database;
* :mod:`.connection` (the only place that opens an SQLCipher connection),
  :mod:`.metadata` (vault.json), :mod:`.locks`, :mod:`.migrations`, :mod:`.paths`,
  :mod:`.location`, and :mod:`.backup` (backup files).
"""

from crmdesk.vault.keys import VaultKey
from crmdesk.vault.owner import Owner
from crmdesk.vault.protection import Protection
from crmdesk.vault.status import VaultStatus
from crmdesk.vault.vault import Vault

__all__ = ["Protection", "Owner", "Vault", "VaultKey", "VaultStatus"]
