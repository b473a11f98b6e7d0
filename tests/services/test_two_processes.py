"""The app and the command line writing client records at once: nothing lost or broken."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

from crmdesk.services import session as sessions
from crmdesk.services.clients import ClientService
from crmdesk.vault import Owner

PHRASE = "maple harbour violet seventeen"
ADDS = 60  # clients per process
EDITS = 60  # edits of the shared client per process


def _worker(folder: str, tag: str, shared_id: int, barrier, results) -> None:
    try:
        with sessions.unlock(Path(folder), passphrase=PHRASE) as session:
            clients = ClientService(session)
            barrier.wait(timeout=60)
            for i in range(ADDS):
                clients.add({"name": f"{tag} client {i}", "notes": f"note {i}"})
                # No expected version: each edit applies to the latest, one at a time.
                clients.update(shared_id, {"tags": [f"{tag}-{i}"]})
        results.put((tag, "ok"))
    except BaseException:
        results.put((tag, traceback.format_exc()))


def test_two_processes_editing_clients_at_once(tmp_path, fast_kdf):
    folder = tmp_path / "vault"
    owner, _ = sessions.create_vault(
        folder, Owner("Zoë Łukasiewicz", "zoe"), passphrase=PHRASE, kdf=fast_kdf
    )
    shared = ClientService(owner).add({"name": "Shared Ltd"})
    owner.close()

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(str(folder), tag, shared, barrier, results))
        for tag in ("app", "cli")
    ]
    for w in workers:
        w.start()
    outcomes = dict(results.get(timeout=300) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    assert outcomes == {"app": "ok", "cli": "ok"}, outcomes

    with sessions.unlock(folder, passphrase=PHRASE) as session:
        clients = ClientService(session)
        assert clients.count() == 1 + 2 * ADDS
        assert clients.get(shared).version == 1 + 2 * EDITS  # every committed edit kept
        assert sessions.verify_audit(session).ok
        conn = session.vault.connection
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        updates = conn.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'client.updated'"
        ).fetchone()[0]
        assert updates == 2 * EDITS
