"""Schema migrations: forward-only, one transaction, applied at open."""

from __future__ import annotations

import pytest

from crmdesk.vault import Vault, migrations
from tests.conftest import OWNER


def _indexes(vault: Vault) -> set[str]:
    rows = vault.connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {r[0] for r in rows}


def test_a_first_version_vault_is_migrated_at_open(vault_dir, keystore):
    assert migrations.LATEST_VERSION >= 2, "this test needs a second schema version"
    old, _ = Vault.create(vault_dir, OWNER, keystore=keystore, schema_version=1)
    assert old.schema_version == 1
    assert "audit_events_actor_ts" not in _indexes(old)
    old.close()

    with Vault.open(vault_dir, keystore=keystore) as vault:
        assert vault.schema_version == migrations.LATEST_VERSION
        assert "audit_events_actor_ts" in _indexes(vault)
        assert vault.owner == OWNER  # data written under version 1 survived
        actions = [r[0] for r in vault.connection.execute("SELECT action FROM audit_events")]
        assert actions == ["vault.created", "vault.migrated"]
        assert vault.verify_audit().ok


def test_a_failing_migration_changes_nothing(vault_dir, keystore, monkeypatch):
    Vault.create(vault_dir, OWNER, keystore=keystore, schema_version=1)[0].close()
    broken = migrations.Migration(
        2,
        "half-good migration",
        ("CREATE TABLE would_be_new (x)", "THIS IS NOT SQL"),
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], broken))
    monkeypatch.setattr(migrations, "LATEST_VERSION", 2)
    with pytest.raises(Exception, match="syntax error"):
        Vault.open(vault_dir, keystore=keystore)
    monkeypatch.undo()
    # Open at version 1 semantics: the half-made table must not exist.
    with Vault.open(vault_dir, keystore=keystore) as vault:
        names = {r[0] for r in vault.connection.execute("SELECT name FROM sqlite_master")}
        assert "would_be_new" not in names


def test_versions_are_contiguous_and_increasing():
    versions = [m.version for m in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
