"""Schema migrations: forward-only, one transaction, applied at open.

Upgrades from the schema of each earlier release are tested against real vaults made by
those releases (tests/vault/test_fixture_upgrades.py); this file tests the mechanism.
"""

from __future__ import annotations

import pytest

from crmdesk.vault import Vault, migrations
from tests.conftest import OWNER


def _names(vault: Vault) -> set[str]:
    return {r[0] for r in vault.connection.execute("SELECT name FROM sqlite_master")}


def _with(monkeypatch, step: migrations.Migration) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, step))
    monkeypatch.setattr(migrations, "LATEST_VERSION", step.version)


def test_a_new_migration_is_applied_at_open_and_recorded(vault_dir, keystore, monkeypatch):
    Vault.create(vault_dir, OWNER, keystore=keystore)[0].close()
    latest = migrations.LATEST_VERSION
    _with(
        monkeypatch,
        migrations.Migration(latest + 1, "a probe", ("CREATE TABLE probe_new (x)",)),
    )
    with Vault.open(vault_dir, keystore=keystore) as vault:
        assert vault.schema_version == latest + 1
        assert "probe_new" in _names(vault)
        assert vault.owner == OWNER  # data written before survived
        last = vault.connection.execute(
            "SELECT action, details FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert last[0] == "vault.migrated"
        assert f'"from":{latest}' in last[1] and f'"to":{latest + 1}' in last[1]
        assert vault.verify_audit().ok


def test_a_failing_migration_changes_nothing(vault_dir, keystore, monkeypatch):
    Vault.create(vault_dir, OWNER, keystore=keystore)[0].close()
    latest = migrations.LATEST_VERSION
    _with(
        monkeypatch,
        migrations.Migration(
            latest + 1, "half-good migration", ("CREATE TABLE would_be_new (x)", "THIS IS NOT SQL")
        ),
    )
    with pytest.raises(Exception, match="syntax error"):
        Vault.open(vault_dir, keystore=keystore)
    monkeypatch.undo()
    with Vault.open(vault_dir, keystore=keystore) as vault:
        assert "would_be_new" not in _names(vault)
        assert vault.schema_version == latest


def test_versions_are_contiguous_and_increasing():
    versions = [m.version for m in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
