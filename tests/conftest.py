from __future__ import annotations

import os
from pathlib import Path

import pytest

from crmdesk.vault import Owner, Vault
from tests.support import FAST_KDF, MemoryKeyStore

OWNER = Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading")


@pytest.fixture
def keystore() -> MemoryKeyStore:
    return MemoryKeyStore()


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def vault(vault_dir: Path, keystore: MemoryKeyStore):
    v, _ = Vault.create(vault_dir, OWNER, keystore=keystore)
    yield v
    v.close()


@pytest.fixture
def fast_kdf():
    return FAST_KDF


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-keyring tests run under tools/with-secret-service; in CI they must run."""
    if os.environ.get("CRMDESK_REAL_KEYRING"):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            "CI must run the tests under tools/with-secret-service (a real Secret Service)"
        )
    skip = pytest.mark.skip(reason="needs a real Secret Service: run via tools/with-secret-service")
    for item in items:
        if "keyring" in item.keywords:
            item.add_marker(skip)
