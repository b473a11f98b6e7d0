"""Key material: the vault key and every place it is kept or written down.

* :mod:`~crmdesk.vault.keys.vault_key`: the raw 256-bit key handed to SQLCipher
  (:class:`VaultKey`), its check value, and wiping it from memory;
* :mod:`~crmdesk.vault.keys.keystore`: the OS keyring as the home of vault keys, and the
  allow-list of keyring backends trusted with them;
* :mod:`~crmdesk.vault.keys.passphrase`: the key wrapped by a master passphrase
  (Argon2id, AES-256-GCM) in vault.json;
* :mod:`~crmdesk.vault.keys.recovery`: the recovery key, the key written for a person
  to print and type back.

What belongs here: keys, how they are derived, wrapped, sealed, signed, encoded and
stored (per-person key slots, sealed grants and signing keys come here too). What does
not: nothing in this package opens a database or reads vault.json; the modules one
level up (:mod:`crmdesk.vault`) decide when a key is used, and keep the metadata.
"""

from crmdesk.vault.keys.vault_key import KEY_BYTES, VaultKey

__all__ = ["KEY_BYTES", "VaultKey"]
