"""Where a vault lives: ``--vault DIR``, else ``CRMDESK_VAULT``, else the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAR = "CRMDESK_VAULT"
DATABASE_NAME = "crmdesk.db"
METADATA_NAME = "vault.json"


def default_vault_dir() -> Path:
    """The platform's per-user data folder, e.g. ``~/.local/share/crmdesk/vault`` on Linux."""
    return platformdirs.user_data_path("crmdesk", appauthor=False) / "vault"


def resolve_vault_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The vault folder the user asked for, as an absolute path."""
    if explicit:
        chosen = Path(explicit)
    elif os.environ.get(ENV_VAR):
        chosen = Path(os.environ[ENV_VAR])
    else:
        chosen = default_vault_dir()
    return chosen.expanduser().resolve()
