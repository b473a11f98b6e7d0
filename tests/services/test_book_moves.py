"""Moving clients between books survives kill -9 at every step.

A child process signs in as the owner and reassigns a client (or changes a
salesperson's role, which moves all their clients), and kills itself (SIGKILL) at the
step named by CRMDESK_TEST_CRASH_AT (client_store/crash.py). The owner then opens the
vault again; the open finishes what was cut short, and each client's value-added rows
are in exactly one book, the one ``clients.book_id`` names, as they were before.
A book commit lost between the main file's commit and the book's (SQLite commits
attached WAL files one by one) is simulated by putting the book's files back as they
were before the move.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crmdesk.services import opening, signin
from crmdesk.services.clients import ClientService
from crmdesk.vault.books import HOUSE, book_path
from tests.services.office import (  # noqa: F401
    OWNER_PASSWORD,
    fast_passwords,
    make_office,
    secret_client,
)

CHILD = r"""
import sys
from pathlib import Path
from crmdesk.services import signin
from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService

folder, password, action, who, what = Path(sys.argv[1]), *sys.argv[2:6]
session = signin.sign_in(folder, "zoe", password)
if action == "reassign":
    ClientService(session).update(int(who), {"salesperson": what})
else:
    UserService(session).set_role(who, what)
session.vault.close()
"""

BOOK_TABLES = (
    "book_clients",
    "contact_profiles",
    "interaction_notes",
    "purchases",
    "pricing",
    "preferences",
    "seasonal_needs",
    "specifications",
)


def _child(folder: Path, step: str, *args: str) -> int:
    env = {**os.environ, "CRMDESK_TEST_CRASH_AT": step}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), OWNER_PASSWORD, *args],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()
    return done.returncode


def _owner(folder: Path):
    """The owner's next open: signed in, and what an open finishes, finished."""
    session = signin.sign_in(folder, "zoe", OWNER_PASSWORD)
    opening.settle(session)
    return session


def _rows(vault, book_id: str, client_id: int) -> dict[str, int]:
    schema = vault.book_schema(book_id)
    conn = vault.connection
    counts = {
        t: conn.execute(
            f"SELECT count(*) FROM {schema}.{t} WHERE client_id = ?", (client_id,)
        ).fetchone()[0]
        for t in BOOK_TABLES
    }
    counts["purchase_items"] = conn.execute(
        f"SELECT count(*) FROM {schema}.purchase_items WHERE purchase_id IN"
        f" (SELECT id FROM {schema}.purchases WHERE client_id = ?)",
        (client_id,),
    ).fetchone()[0]
    counts["va_search"] = conn.execute(
        f"SELECT count(*) FROM {schema}.va_search WHERE rowid = ?", (client_id,)
    ).fetchone()[0]
    return counts


ONE_SET = {
    "book_clients": 1,
    "contact_profiles": 1,
    "interaction_notes": 1,
    "purchases": 1,
    "pricing": 1,
    "preferences": 1,
    "seasonal_needs": 1,
    "specifications": 0,
    "purchase_items": 1,
    "va_search": 1,
}
NONE = dict.fromkeys(ONE_SET, 0)


def _value_added(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("salesperson", "version", "updated_at")}


def _check(folder: Path, client_id: int, before: dict, moved_to: str | None, sams: str) -> None:
    session = _owner(folder)
    vault = session.vault
    try:
        now = ClientService(session).get_json(client_id, record_view=False)
        assert _value_added(now) == _value_added(before)  # nothing lost, nothing doubled
        (book_id,) = vault.connection.execute(
            "SELECT book_id FROM clients WHERE id = ?", (client_id,)
        ).fetchone()
        assert book_id == (moved_to or sams)
        assert _rows(vault, book_id, client_id) == ONE_SET
        other = sams if book_id == HOUSE else HOUSE
        assert _rows(vault, other, client_id) == NONE
        assert vault.connection.execute("SELECT count(*) FROM book_redo").fetchone()[0] == 0
    finally:
        vault.close()


@pytest.fixture
def office(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    office.sams_book = vault.connection.execute(
        "SELECT id FROM books WHERE login = 'sam'"
    ).fetchone()[0]
    office.before = ClientService(office.owner).get_json(office.sams_client, record_view=False)
    vault.close()  # the child has the vault to itself, as after a crash
    return office


@pytest.mark.parametrize(
    ("step", "moved"),
    [("move:written", False), ("move:committed", True), ("move:source-cleared", True)],
)
def test_a_reassignment_cut_by_kill_9_loses_and_doubles_nothing(office, step, moved):
    folder = office.vault.folder
    code = _child(folder, step, "reassign", str(office.sams_client), "zoe")
    assert code == -signal.SIGKILL
    _check(folder, office.sams_client, office.before, HOUSE if moved else None, office.sams_book)


def test_a_reassignment_whose_target_book_lost_its_commit_is_redone(office, tmp_path):
    folder = office.vault.folder
    target = book_path(folder, HOUSE)
    files = [target, target.with_name(target.name + "-wal")]
    saved = tmp_path / "house-before"
    saved.mkdir()
    for f in files:
        if f.exists():
            shutil.copy2(f, saved / f.name)
    assert _child(folder, "move:committed", "reassign", str(office.sams_client), "zoe") < 0
    for f in files:  # main committed; the house book's commit never happened
        if (saved / f.name).exists():
            shutil.copy2(saved / f.name, f)
        else:
            f.unlink(missing_ok=True)
    target.with_name(target.name + "-shm").unlink(missing_ok=True)
    _check(folder, office.sams_client, office.before, HOUSE, office.sams_book)


@pytest.mark.parametrize("step", ["move:written", "move:committed", "move:source-cleared"])
def test_a_role_change_cut_by_kill_9_moves_every_client_once(office, step):
    folder = office.vault.folder
    code = _child(folder, step, "role", "sam", "assistant")
    assert code == -signal.SIGKILL
    # The role changed before the clients moved: the owner's next open moves them.
    _check(folder, office.sams_client, office.before, HOUSE, office.sams_book)


def test_without_a_crash_the_move_leaves_nothing_behind(office):
    folder = office.vault.folder
    assert _child(folder, "none", "reassign", str(office.sams_client), "zoe") == 0
    _check(folder, office.sams_client, office.before, HOUSE, office.sams_book)
