"""The audit head after views lives in audit-head.log: cheap to write, as hard to cheat
as vault.json's (vault/audit_head.py, vault/audit_head_log.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crmdesk import audit
from crmdesk.errors import VaultDamaged
from crmdesk.vault import Vault
from crmdesk.vault.audit_head import read_recorded_head
from crmdesk.vault.audit_head_log import COMPACT_AFTER, LOG_NAME, RECORD_SIZE
from crmdesk.vault.connection import open_database
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.conftest import OWNER

PHRASE = "maple harbour violet seventeen"


def _views(vault, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with vault.transaction():
            vault.record_event("zoe", "client.viewed", object=f"client:{i}")


def _in_metadata(folder: Path) -> dict | None:
    return json.loads((folder / METADATA_NAME).read_text()).get("audit_head")


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def _attacker(folder: Path, vault):
    conn = open_database(folder / DATABASE_NAME, vault.held.main)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    return conn


def _drop_newest(folder: Path, vault, n: int) -> None:
    conn = _attacker(folder, vault)
    conn.execute(f"DELETE FROM audit_events WHERE seq > (SELECT max(seq) - {n} FROM audit_events)")
    conn.close()


def test_views_append_to_the_log_and_leave_vault_json_alone(vault, vault_dir):
    _views(vault, 1)  # the first view starts the log (and vault.json says so)
    assert json.loads((vault_dir / METADATA_NAME).read_text())["audit_head_log"] == 1
    before = _stamp(vault_dir / METADATA_NAME)
    _views(vault, 5)
    assert _stamp(vault_dir / METADATA_NAME) == before  # no rewrite, no fsync
    assert (vault_dir / LOG_NAME).stat().st_size == 6 * RECORD_SIZE
    assert read_recorded_head(vault_dir)[0] == audit.head(vault.connection)


def test_a_change_writes_vault_json_and_close_files_the_last_views(vault, vault_dir):
    _views(vault, 3)
    with vault.transaction():
        vault.record_event("zoe", "client.updated", object="client:1")
    head = audit.head(vault.connection)
    assert _in_metadata(vault_dir) == {"seq": head[0], "hash": head[1]}
    _views(vault, 2)
    head = audit.head(vault.connection)
    assert _in_metadata(vault_dir)["seq"] < head[0]
    vault.close()
    assert _in_metadata(vault_dir) == {"seq": head[0], "hash": head[1]}


def test_a_transaction_with_a_view_and_a_change_writes_vault_json(vault, vault_dir):
    with vault.transaction():
        vault.record_event("zoe", "client.viewed", object="client:1")
        vault.record_event("zoe", "client.updated", object="client:1")
    head = audit.head(vault.connection)
    assert _in_metadata(vault_dir) == {"seq": head[0], "hash": head[1]}


def test_dropping_the_newest_views_is_caught(vault, vault_dir):
    _views(vault, 6)
    _drop_newest(vault_dir, vault, 2)
    report = vault.verify_audit()
    assert not report.ok and "newest entries of the audit trail were removed" in report.problem
    assert report.recorded_seq == report.length + 2


def test_a_removal_stays_reported_after_later_views(vault, vault_dir, keystore):
    _views(vault, 6)
    recorded = read_recorded_head(vault_dir)[0]
    _drop_newest(vault_dir, vault, 3)
    _views(vault, 5, start=100)  # the same numbers again, other entries
    vault.close()  # close files its head too: still not past the removal
    assert read_recorded_head(vault_dir)[0] == recorded
    with Vault.open(vault_dir, keystore=keystore) as reopened:
        report = reopened.verify_audit()
    assert not report.ok and report.first_bad_seq == recorded[0]


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:-10]), "not whole records"),
        (lambda p: p.write_bytes(b""), "not whole records"),
        (lambda p: p.unlink(), "it was removed"),
        (lambda p: p.write_bytes(p.read_bytes()[:-1] + b"\0"), "damaged or from another vault"),
    ],
    ids=["cut", "emptied", "removed", "mangled"],
)
def test_a_damaged_log_is_reported_not_taken_for_no_head(vault, vault_dir, damage, why):
    _views(vault, 4)
    damage(vault_dir / LOG_NAME)
    with pytest.raises(VaultDamaged, match=why) as caught:
        vault.verify_audit()
    assert caught.value.code == "audit.head_unreadable"
    # Later views and changes do not write over the damage: it stays reported.
    _views(vault, 2, start=10)
    with vault.transaction():
        vault.record_event("zoe", "client.updated", object="client:1")
    with pytest.raises(VaultDamaged, match=why):
        vault.verify_audit()


def test_a_log_from_another_vault_is_reported(vault, vault_dir, tmp_path, keystore):
    other, _ = Vault.create(tmp_path / "other", OWNER, keystore=keystore)
    _views(other, 9)
    other.close()
    _views(vault, 2)
    (vault_dir / LOG_NAME).write_bytes((tmp_path / "other" / LOG_NAME).read_bytes())
    with pytest.raises(VaultDamaged, match="from another vault"):
        vault.verify_audit()


def test_two_vault_objects_never_lower_the_head(vault, vault_dir, keystore):
    other = Vault.open(vault_dir, keystore=keystore)
    try:
        _views(vault, 1)
        for n in range(20):  # interleaved, each verifying the other's heads
            _views(vault if n % 3 else other, 1, start=n)
            for v in (vault, other):
                report = v.verify_audit()
                assert report.ok, report.problem
                assert report.recorded_seq == report.length
        # ``vault`` commits a view but is slow to write its head ...
        written = []
        save = vault._save_audit_head
        vault._save_audit_head = lambda head, **kw: written.append((head, kw))
        _views(vault, 1, start=50)
        vault._save_audit_head = save
        # ... while ``other`` commits two more and writes theirs first.
        _views(other, 2, start=60)
        newest = read_recorded_head(vault_dir)[0]
        head, kw = written[0]
        assert kw == {"view_only": True} and head[0] < newest[0]
        vault._save_audit_head(head, **kw)  # the late write
        assert read_recorded_head(vault_dir)[0] == newest
        vault._save_audit_head(head)  # and into vault.json, as at close
        assert read_recorded_head(vault_dir)[0] == newest
        assert vault.verify_audit().ok and other.verify_audit().ok
    finally:
        other.close()


def test_the_log_is_compacted_and_stays_small(vault, vault_dir):
    _views(vault, COMPACT_AFTER + 5)
    size = (vault_dir / LOG_NAME).stat().st_size
    assert size <= 10 * RECORD_SIZE
    head = audit.head(vault.connection)
    assert read_recorded_head(vault_dir)[0] == head
    assert _in_metadata(vault_dir)["seq"] >= COMPACT_AFTER  # given the head before
    assert vault.verify_audit().ok


CHILD = r"""
import sys
from pathlib import Path
from crmdesk.vault import Vault

vault = Vault.open(Path(sys.argv[1]), passphrase_text=sys.argv[2])
with vault.transaction():
    vault.record_event(vault.owner.login, "client.viewed", object="client:7")
vault.close()
"""


@pytest.mark.parametrize("views_first", [False, True])
def test_kill_9_between_a_commit_and_its_head_is_lag_that_verify_accepts(
    vault_dir, fast_kdf, views_first
):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    if views_first:
        _views(vault, 3)  # the log exists: the head would have been appended to it
    vault.close()
    env = {**os.environ, "CRMDESK_TEST_CRASH_AT": "audit:committed"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(vault_dir), PHRASE],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    with Vault.open(vault_dir, passphrase_text=PHRASE) as reopened:
        length = audit.head(reopened.connection)[0]
        recorded = read_recorded_head(vault_dir)[0]
        assert recorded[0] == length - 1  # the view committed; its head never written
        report = reopened.verify_audit()
        assert report.ok, report.problem
        assert report.length == length and report.recorded_seq == length - 1
        _views(reopened, 1)  # the next view moves the head on past the lag
        assert read_recorded_head(vault_dir)[0] == audit.head(reopened.connection)
