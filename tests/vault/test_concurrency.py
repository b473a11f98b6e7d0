"""Two processes writing to one vault at the same time lose nothing and break nothing."""

from __future__ import annotations

import json
import multiprocessing
import traceback
from pathlib import Path

from crmdesk import audit
from crmdesk.vault import Vault
from crmdesk.vault.connection import open_database
from crmdesk.vault.paths import DATABASE_NAME, METADATA_NAME
from tests.conftest import OWNER

PHRASE = "maple harbour violet seventeen"
WRITES = 200  # per process


def _writer(folder: str, name: str, barrier, results) -> None:
    """One process: open the vault, wait for the other, then commit WRITES transactions."""
    try:
        vault = Vault.open(Path(folder), passphrase_text=PHRASE)
        try:
            barrier.wait(timeout=60)  # both have the vault open: now write at once
            for i in range(WRITES):
                with vault.transaction() as conn:
                    conn.execute(
                        "INSERT INTO vault_info (key, value) VALUES (?, ?)", (f"{name}-{i}", name)
                    )
                    vault.record_event(name, "test.write", object=f"{name}-{i}")
        finally:
            vault.close()
        results.put((name, "ok"))
    except BaseException:
        results.put((name, traceback.format_exc()))


def test_two_processes_write_at_once(vault_dir, fast_kdf):
    vault, _ = Vault.create(vault_dir, OWNER, passphrase_text=PHRASE, kdf=fast_kdf)
    with vault.reading() as conn:
        # The busy timeout is what makes one writer wait for the other's COMMIT.
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    vault.close()

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_writer, args=(str(vault_dir), name, barrier, results))
        for name in ("ann", "bob")
    ]
    for w in workers:
        w.start()
    outcomes = dict(results.get(timeout=300) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    assert outcomes == {"ann": "ok", "bob": "ok"}, outcomes

    with Vault.open(vault_dir, passphrase_text=PHRASE) as reopened:
        with reopened.reading() as conn:
            for name in ("ann", "bob"):
                keys = {
                    k
                    for (k,) in conn.execute("SELECT key FROM vault_info WHERE value = ?", (name,))
                }
                assert keys == {f"{name}-{i}" for i in range(WRITES)}
                events = conn.execute(
                    "SELECT count(*) FROM audit_events WHERE actor = ?", (name,)
                ).fetchone()[0]
                assert events == WRITES
            actors = [a for (a,) in conn.execute("SELECT actor FROM audit_events ORDER BY seq")]
            switches = sum(1 for a, b in zip(actors[1:], actors[2:], strict=False) if a != b)
            assert switches >= 10  # the two really wrote at the same time
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            head = audit.head(conn)
        report = reopened.verify_audit()
        assert report.ok, report.problem
        assert report.length == 1 + 2 * WRITES and report.recorded_seq == report.length
        key = reopened.held.main
        # Every page's HMAC, on a fresh connection (see stack-facts).
        fresh = open_database(vault_dir / DATABASE_NAME, key)
        try:
            assert fresh.execute("PRAGMA cipher_integrity_check").fetchall() == []
        finally:
            fresh.close()
    recorded = json.loads((vault_dir / METADATA_NAME).read_text())["audit_head"]
    assert recorded == {"seq": head[0], "hash": head[1]}
