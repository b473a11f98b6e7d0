"""crmdesk sync benchmark (issue 14 part 8): an office of demo clients and a salesperson's
laptop vault exchanging change files, through a plain shared folder and through two real
Syncthing daemons on the loopback interface.

    .venv/bin/python -m benchmarks.sync_speed             # an office of 10,000 clients
    .venv/bin/python -m benchmarks.sync_speed --smoke     # 200 clients: every path, quickly
    make bench ARGS="--only sync"                         # the same as a section of run.py

What it measures, with the services of ``crmdesk.services.replication`` and vaults made
as ``tests/sync/office_vaults.py`` makes them (an office vault with two salespeople,
Omar's laptop joined with its invitation, a plain folder between them):

1. the office's first sync of ``--clients`` demo clients: its baseline written (one
   ``sync_now`` writes as many files of about ``MAX_CHANGES_PER_FILE`` changes as it
   takes); then, after Omar's laptop joined, the laptop's first sync (one call: it reads
   every file there);
2. ``--changes`` edited fields (one field of as many clients, edited at the office with
   the client service), the office's sync that captures and writes them, and the
   laptop's ``sync_now`` that applies them: wall and CPU time, and per change;
3. bytes of change file per edited field (the file of step 2 over the number of edits),
   and the size of a file holding one edit;
4. the time from an edit at the office to the edit applied on the laptop through two
   Syncthing daemons (``tests/sync/daemons.py``: loopback only), median of ``--edits``
   edits, once as crmdesk sets the folder up (Syncthing's file watcher notices the new
   file after its delay) and once with a scan asked for right after the office's sync.
   Skipped, saying so, when Syncthing is not installed.

The laptop's figures have a plain-SQLite side (:mod:`benchmarks.plain`): an unencrypted
copy of the laptop vault, made right after it joined, opened by the same code and synced
from the same shared folder after the encrypted one (a laptop's sync there only reads).
The office's have none: its sync writes the office device's next numbered file into the
shared folder, and a copy of the office would write the same device's files again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.common import TODAY, BenchKeyStore, Figure, Figures, load_average, markdown
from benchmarks.plain import plain_copy, plaintext_files
from crmdesk.services import opening, people, signin
from crmdesk.services.clients import ClientService
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.replication import exchange, joining, state
from crmdesk.services.user_session import Session
from crmdesk.sync.folder import SyncFolder
from crmdesk.vault import Owner, Vault, VaultKey
from crmdesk.vault.keys.passphrase import KdfParams
from crmdesk.vault.keys.slots import book_key_id

T = TypeVar("T")
# Passwords cost nothing here: the benchmark measures syncing, not Argon2id.
CHEAP = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
OWNER_PASSWORD = "bench owner password 1"
# create_demo_clients assigns its clients to the owner and to "omar" and "li".
SALESPEOPLE = (("omar", "Omar Haddad"), ("li", "Li Wei"))
LAPTOP = SALESPEOPLE[0]
SMOKE = {"clients": 200, "changes": 50, "edits": 1}
EDITS = 5  # through Syncthing, for a median


def full(clients: int) -> dict[str, int]:
    """The full run's sizes for an office of ``clients``: up to 10,000 fields edited."""
    return {"clients": clients, "changes": min(clients, 10_000), "edits": EDITS}


@dataclass
class Device:
    """A vault of the office, open, with its person's session."""

    session: Session
    folder: Path
    store: BenchKeyStore

    @property
    def vault(self) -> Any:
        return self.session.vault

    def sync(self) -> exchange.SyncReport:
        return exchange.sync_now(self.session)

    def close(self) -> None:
        self.vault.close()


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds
    cpu: float  # this process's CPU seconds (a shared machine's wall counts waiting too)


def clocked(fn: Callable[[], T]) -> tuple[T, Timing]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def make_office(folder: Path, shared: Path, clients: int) -> Device:
    """The owner's vault with a password, two salespeople (their books) and ``clients``
    demo clients, made an office syncing through ``shared``."""
    people.PASSWORD_KDF = CHEAP
    store = BenchKeyStore()
    vault, _ = Vault.create(folder, Owner("Bench Mark", "bench"), keystore=store)
    owner = opening.owner_session(vault)
    signin.set_password(owner, OWNER_PASSWORD)
    users = people.UserService(owner)
    for login, name in SALESPEOPLE:
        # The first colleague ends the keyring's part: it needs the owner's password.
        users.add(login, name, "salesperson", "initial password 1", owner_password=OWNER_PASSWORD)
    create_demo_clients(owner, clients, today=TODAY)
    joining.create_office(owner, shared)
    return Device(owner, folder, store)


def join_laptop(office: Device, folder: Path, shared: Path) -> Device:
    """Omar's laptop: a new vault of his own, joined to the office with its invitation
    (the office's next sync answers it)."""
    login, name = LAPTOP
    invitation = joining.invite(office.session, login)
    store = BenchKeyStore()
    vault, _ = Vault.create(folder, Owner(name, login), keystore=store)
    session = opening.owner_session(vault)
    joining.become_member(session, joining.read_invitation(invitation), shared)
    return Device(session, folder, store)


def sync_until_sent(device: Device) -> tuple[int, int]:
    """``sync_now`` until nothing is left to send: (calls, files written)."""
    calls = files = 0
    while True:
        report = device.sync()
        calls, files = calls + 1, files + report.sent_files
        if report.sent_changes == 0:
            return calls, files


def plain_laptop(laptop: Device) -> Path:
    """An unencrypted copy of the laptop vault beside it (same vault id, same key slot)."""
    vault = laptop.vault
    main = VaultKey(vault.held.main.raw)
    books = {
        book_id: VaultKey(vault.held.current[book_key_id(book_id)].raw)
        for book_id in vault.held_books()
    }
    target = laptop.folder.with_name(laptop.folder.name + "-plain")
    plain_copy(laptop.folder, target, main, books)
    return target


@contextmanager
def opened_plain(folder: Path, store: BenchKeyStore) -> Iterator[Device]:
    with plaintext_files():
        vault = Vault.open(folder, keystore=store)
        try:
            yield Device(opening.owner_session(vault), folder, store)
        finally:
            vault.close()


def newest_file(shared: Path, office: Device) -> Path:
    found = state.require_office(office.vault)
    folder = SyncFolder(shared, found.office)
    number = folder.numbers(found.device)[-1]
    return folder.device_dir(found.device) / f"changes-{number:08d}.crmsync"


def _seconds(label: str, timing: Timing, target: str = "", plain: Timing | None = None) -> list:
    return [
        Figure(label, timing.wall, "s", target, plain.wall if plain else None),
        Figure(f"{label}, CPU", timing.cpu, "s", "", plain.cpu if plain else None),
    ]


def measure(
    work: Path, figures: Figures, *, clients: int, changes: int, edits: int, smoke: bool = False
) -> None:
    """Every figure of the section into ``figures`` (vaults made under ``work``)."""
    changes = min(changes, clients)
    shared = work / "shared"
    print(f"  (an office of {clients:,} demo clients, {work})", flush=True)
    office, timing = clocked(lambda: make_office(work / "office", shared, clients))
    print(f"  (made in {timing.wall:.1f} s)", flush=True)
    try:
        _baseline_and_edits(work, shared, office, clients, changes, figures)
    finally:
        office.close()
    _through_syncthing(work / "syncthing", figures, edits=edits, smoke=smoke)


def _baseline_and_edits(
    work: Path, shared: Path, office: Device, clients: int, changes: int, figures: Figures
) -> None:
    (calls, files), timing = clocked(lambda: sync_until_sent(office))
    size = sum(p.stat().st_size for p in shared.rglob("*.crmsync")) / 2**20
    print(f"  ({calls} syncs wrote {files} files, {size:.1f} MiB)", flush=True)
    for figure in _seconds(f"office's first sync of {clients:,} clients ({files} files)", timing):
        figures.add(figure)

    laptop = join_laptop(office, work / "laptop", shared)
    try:
        answered = office.sync()
        assert answered.joined == [LAPTOP[0]], answered
        plain = plain_laptop(laptop)
        first, timing = clocked(laptop.sync)
        assert not first.waiting_for_grant and first.created == clients, first
        with opened_plain(plain, laptop.store) as copy:
            again, plain_timing = clocked(copy.sync)
        assert again.created == clients, again
        print(
            f"  (the laptop read {first.read_files} files, {first.received_changes:,} changes"
            f" it holds the keys of; {len(first.rejected)} noted as refused)",
            flush=True,
        )
        for figure in _seconds(
            f"laptop's first sync of {clients:,} clients", timing, plain=plain_timing
        ):
            figures.add(figure)
        _edits(shared, office, laptop, plain, changes, figures)
    finally:
        laptop.close()


def _edits(
    shared: Path, office: Device, laptop: Device, plain: Path, changes: int, figures: Figures
) -> None:
    service = ClientService(office.session, today=lambda: TODAY)
    ids = [
        int(r[0])
        for r in office.vault.connection.execute(
            "SELECT id FROM clients ORDER BY id LIMIT ?", (changes,)
        )
    ]
    # One basic field of each (every laptop receives basic information).
    _, timing = clocked(
        lambda: [service.update(i, {"website": f"www.c{i}.example.org"}) for i in ids]
    )
    print(f"  ({changes:,} clients edited at the office in {timing.wall:.1f} s)", flush=True)
    sent, timing = clocked(office.sync)
    assert sent.sent_changes == changes and sent.sent_files == 1, sent
    size = newest_file(shared, office).stat().st_size
    for figure in _seconds(f"office's sync of {changes:,} edited fields", timing):
        figures.add(figure)

    got, timing = clocked(laptop.sync)
    assert got.received_changes == changes and got.updated == changes, got
    with opened_plain(plain, laptop.store) as copy:
        again, plain_timing = clocked(copy.sync)
    assert again.received_changes == changes, again
    for figure in _seconds(f"laptop applies {changes:,} changes", timing, plain=plain_timing):
        figures.add(figure)
    figures.add(
        Figure(
            f"laptop applies {changes:,} changes, per change",
            timing.wall / changes * 1000,
            "ms",
            "",
            plain_timing.wall / changes * 1000,
        )
    )
    figures.add(Figure(f"change file per edited field ({changes:,} edits)", size / changes, "B"))

    service.update(ids[0], {"website": "www.one-more-edit.example.org"})
    one = office.sync()
    assert one.sent_changes == 1, one
    single = newest_file(shared, office).stat().st_size
    figures.add(Figure("change file of a single edit", single, "B"))


def _through_syncthing(work: Path, figures: Figures, *, edits: int, smoke: bool) -> None:
    if shutil.which("syncthing") is None:
        print("  (Syncthing is not installed: the time through Syncthing is not measured)")
        return
    from benchmarks import sync_daemons

    sync_daemons.measure(work, figures, edits=edits, smoke=smoke)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000, help="the office's clients")
    parser.add_argument("--changes", type=int, default=10_000, help="fields edited at once")
    parser.add_argument("--edits", type=int, default=EDITS, help="edits through Syncthing")
    parser.add_argument("--smoke", action="store_true", help=f"small: {SMOKE}")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else vars(args)
    started, load = dt.datetime.now(dt.UTC), load_average()
    print(f"crmdesk sync benchmark {started:%Y-%m-%d %H:%M} UTC, load average {load}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="crmdesk-sync-bench-"))
    figures = Figures()
    began = time.perf_counter()
    try:
        measure(
            work,
            figures,
            clients=sizes["clients"],
            changes=sizes["changes"],
            edits=sizes["edits"],
            smoke=args.smoke,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    title = "Smoke run (small sizes)" if args.smoke else "Run"
    print(f"\n{markdown(figures, title=title, started=started, load=load)}")
    print(
        f"\n(took {(time.perf_counter() - began) / 60:.1f} min, load average now {load_average()})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
