"""Backups through the service: round trip, who may, the audit, and the automatic backup."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from crmdesk import errors
from crmdesk.domain import client_to_json
from crmdesk.services import backup as backups
from crmdesk.services import backup_folder, signin
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.people import UserService
from crmdesk.services.session import owner_session, unlock
from crmdesk.services.settings import change_settings, settings
from crmdesk.vault import Owner, Vault
from tests.services.conftest import TODAY, full_client
from tests.services.office import (  # noqa: F401
    OWNER_PASSWORD,
    PASSWORDS,
    actions,
    fast_passwords,
    last_seq,
    make_office,
    secret_client,
)
from tests.support import MemoryKeyStore

T0 = datetime(2026, 11, 29, 17, 30, 5, tzinfo=UTC)


def _everything(session) -> dict[int, dict]:
    service = ClientService(session, today=lambda: TODAY)
    rows = service.list(ClientQuery(limit=10_000), record_search=False)
    return {r.id: client_to_json(service.get(r.id, record_view=False)) for r in rows}


def _events(vault, action: str) -> list[tuple[str, dict]]:
    rows = vault.connection.execute(
        "SELECT actor, details FROM audit_events WHERE action = ? ORDER BY seq", (action,)
    ).fetchall()
    return [(actor, json.loads(details)) for actor, details in rows]


@pytest.fixture
def created(tmp_path):
    """A vault and its recovery key (the shared ``vault`` fixture does not return it)."""
    store = MemoryKeyStore()
    vault, recovery_key = Vault.create(
        tmp_path / "mine", Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"), keystore=store
    )
    yield vault, recovery_key, store
    vault.close()


def test_round_trip_keeps_every_client_and_the_audit_chain(created, tmp_path):
    vault, recovery_key, _ = created
    session = owner_session(vault)
    clients = ClientService(session, today=lambda: TODAY)
    clients.add(full_client())
    create_demo_clients(session, 60, today=TODAY)
    before = _everything(session)
    assert len(before) == 61

    made = backups.backup(session, tmp_path / "office.crmbackup")

    data = made.path.read_bytes()
    assert made.sha256 == hashlib.sha256(data).hexdigest() and made.size == len(data)
    actor, details = _events(vault, "backup.created")[-1]
    assert actor == "zoe"
    assert details == {
        "file": str(made.path),
        "size": made.size,
        "sha256": made.sha256,
        "audit_length": made.audit_length,
        "automatic": False,
    }
    # The event comes after the copy: the backup holds the trail up to just before it.
    assert last_seq(vault) == made.audit_length + 1

    fresh = MemoryKeyStore()  # a new laptop
    info = backups.restore(made.path, tmp_path / "new", keystore=fresh, recovery_key=recovery_key)
    assert info.sha256 == made.sha256
    with unlock(tmp_path / "new", keystore=fresh) as restored:
        assert _everything(restored) == before
        report = restored.vault.verify_audit()
        assert report.ok, report.problem
        assert report.recorded_seq == report.length == made.audit_length + 1
        _, restored_details = _events(restored.vault, "vault.restored")[-1]
        assert restored_details["sha256"] == made.sha256
        assert restored_details["backup_made_at"] == made.made_at
        assert restored_details["from"] == str(made.path)


def test_the_backup_holds_no_plaintext(created, tmp_path):
    vault, _, _ = created
    session = owner_session(vault)
    ClientService(session, today=lambda: TODAY).add(full_client())
    data = backups.backup(session, tmp_path / "b.crmbackup").path.read_bytes()
    for marker in ("Zoë's Bakery", "Bakery", "sourdough", "Stollen flour", "Łukasiewicz"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert marker.encode(encoding) not in data, marker


def test_manual_backup_is_for_the_owner_only(vault, fast_passwords, tmp_path):  # noqa: F811
    office = make_office(vault)
    for login in ("mia", "sam", "ann"):
        session = office.session(login)
        before = last_seq(vault)
        with pytest.raises(errors.NotAllowed, match="only the Owner may") as caught:
            backups.backup(session, tmp_path / f"{login}.crmbackup")
        assert caught.value.exit_code == errors.ExitCode.NOT_ALLOWED
        assert actions(vault, before) == ["access.denied"]
        assert not (tmp_path / f"{login}.crmbackup").exists()
    made = backups.backup(office.owner, tmp_path / "owner.crmbackup")
    assert made.path.exists() and _events(vault, "backup.created")[-1][0] == "zoe"


def test_backup_refuses_an_existing_file_without_force(created, tmp_path):
    vault, _, _ = created
    session = owner_session(vault)
    dest = tmp_path / "b.crmbackup"
    first = backups.backup(session, dest)
    with pytest.raises(errors.BadInput, match="never overwrites a file"):
        backups.backup(session, dest)
    assert dest.read_bytes()[:64] == first.path.read_bytes()[:64]
    assert len(_events(vault, "backup.created")) == 1
    backups.backup(session, dest, force=True)
    assert len(_events(vault, "backup.created")) == 2


def test_inspect_reads_the_header_without_a_key(created, tmp_path):
    vault, _, _ = created
    made = backups.backup(owner_session(vault), tmp_path / "b.crmbackup")
    summary = backups.inspect(made.path)
    assert summary.vault_id == vault.meta.vault_id and summary.key_storage == "keyring"
    assert summary.audit_length == made.audit_length and summary.size == made.size


# -- settings -------------------------------------------------------------------------------


def test_backup_settings_are_validated_and_audited(created, tmp_path):
    vault, _, _ = created
    session = owner_session(vault)
    assert settings(session).backup_folder == "" and settings(session).backups_kept == 10
    with pytest.raises(errors.BadInput, match="does not exist"):
        change_settings(session, backup_folder=str(tmp_path / "nowhere"))
    with pytest.raises(errors.BadInput, match="outside the vault folder"):
        change_settings(session, backup_folder=str(vault.folder))
    for bad in (0, 101):
        with pytest.raises(errors.BadInput, match="1 to 100"):
            change_settings(session, backups_kept=bad)
    folder = tmp_path / "backups"
    folder.mkdir()
    before = last_seq(vault)
    changed = change_settings(session, backup_folder=str(folder), backups_kept=3)
    assert changed.backup_folder == str(folder) and changed.backups_kept == 3
    assert settings(session) == changed
    assert actions(vault, before) == ["settings.changed"]
    _, details = _events(vault, "settings.changed")[-1]
    assert details["old"]["backup_folder"] == "" and details["new"]["backups_kept"] == 3
    assert list(folder.iterdir()) == []  # the write test left nothing behind
    assert change_settings(session, backup_folder="").backup_folder == ""


def test_only_the_owner_changes_the_backup_folder(vault, fast_passwords, tmp_path):  # noqa: F811
    office = make_office(vault)
    with pytest.raises(errors.NotAllowed):
        change_settings(office.session("mia"), backup_folder=str(tmp_path))


def test_a_folder_that_cannot_be_written_is_refused(created, tmp_path, monkeypatch):
    vault, _, _ = created
    folder = tmp_path / "ro"
    folder.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Root writes even into a 0500 folder: the write test itself is made to fail.
    monkeypatch.setattr(backup_folder.tempfile, "TemporaryFile", refuse)
    with pytest.raises(errors.BadInput, match="cannot write into .*Permission denied"):
        change_settings(owner_session(vault), backup_folder=str(folder))


# -- the automatic backup -------------------------------------------------------------------


def test_no_automatic_backup_without_a_folder(created):
    vault, _, _ = created
    session = owner_session(vault)
    before = last_seq(vault)
    assert backups.auto_backup(session) is None
    assert last_seq(vault) == before


def test_auto_backup_keeps_the_last_n_of_this_vault_only(created, vault, tmp_path):
    mine, _, _ = created
    other = vault  # another vault, backing up into the same folder
    folder = tmp_path / "backups"
    folder.mkdir()
    session = owner_session(mine)
    change_settings(session, backup_folder=str(folder), backups_kept=3)
    theirs = owner_session(other)
    change_settings(theirs, backup_folder=str(folder), backups_kept=3)

    their_files = [backups.auto_backup(theirs, now=T0 - timedelta(days=d)).path for d in (9, 8)]
    manual = backups.backup(session, folder / "before-the-move.crmbackup").path
    unrelated = folder / "notes.txt"
    unrelated.write_text("keep me")
    # Named like one of ours (same short id), but another vault's backup inside.
    impostor = folder / backups.auto_backup_name(mine.meta.vault_id, T0 - timedelta(days=30))
    impostor.write_bytes(their_files[0].read_bytes())

    made = [backups.auto_backup(session, now=T0 + timedelta(hours=h)) for h in range(5)]

    assert all(m is not None and m.automatic for m in made)
    newest = [m.path for m in made[2:]]
    ours_left = sorted(
        p for p in folder.iterdir() if p.name.startswith("crmdesk-" + mine.meta.vault_id[:8])
    )
    assert ours_left == sorted([impostor, *newest])
    assert made[-1].removed == (made[1].path,) and made[3].removed == (made[0].path,)
    for kept in (*their_files, manual, unrelated):
        assert kept.exists()
    name = made[0].path.name
    assert name == f"crmdesk-{mine.meta.vault_id[:8]}-20261129T173005.000Z.crmbackup"
    events = [d for _, d in _events(mine, "backup.created") if d["automatic"]]
    assert len(events) == 5 and events[-1]["file"] == str(made[-1].path)


def test_the_automatic_backup_is_made_when_the_owner_closes(
    vault,
    fast_passwords,  # noqa: F811
    tmp_path,
):
    """Only the owner holds every book's key, and a restore trusts only the owner's
    signature: someone else's close makes none (the owner's next close does)."""
    office = make_office(vault)
    folder = tmp_path / "backups"
    folder.mkdir()
    change_settings(office.owner, backup_folder=str(folder))
    for login in ("sam", "mia", "ann"):
        session = office.session(login)
        before = last_seq(vault)
        assert backups.auto_backup(session, now=T0) is None
        session.close()
        assert list(folder.iterdir()) == [] and last_seq(vault) == before
    made = backups.auto_backup(office.owner, now=T0)
    assert made is not None and made.path.parent == folder
    actor, details = _events(vault, "backup.created")[-1]
    assert actor == "zoe" and details["automatic"] is True


def test_auto_backup_into_a_missing_folder_says_so(created, tmp_path):
    vault, _, _ = created
    folder = tmp_path / "usb"
    folder.mkdir()
    session = owner_session(vault)
    change_settings(session, backup_folder=str(folder))
    folder.rmdir()  # the drive was unplugged
    with pytest.raises(errors.BadInput, match="unplugged"):
        backups.auto_backup(session)


def test_two_automatic_backups_in_one_millisecond_get_two_names(created, tmp_path):
    vault, _, _ = created
    folder = tmp_path / "b"
    folder.mkdir()
    session = owner_session(vault)
    change_settings(session, backup_folder=str(folder))
    first = backups.auto_backup(session, now=T0)
    second = backups.auto_backup(session, now=T0)
    assert first.path != second.path and first.path.exists() and second.path.exists()


# -- an office: every book, every key slot, and only the owner restores -------------------

MARKER = "BOOKMARK-c0ffee-77"


def _owner_recovery_key(office) -> str:
    """The recovery key made when the first colleague ended the keyring's part."""
    key = office.vault.unshown_recovery_key()
    assert key is not None
    return key


def _signer_of_last(vault, action: str) -> tuple[str, str]:
    return vault.connection.execute(
        "SELECT actor, signer FROM audit_events WHERE action = ? ORDER BY seq DESC LIMIT 1",
        (action,),
    ).fetchone()


@pytest.fixture
def office(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    office.recovery_key = _owner_recovery_key(office)
    for login in ("mia", "sam", "ann"):
        office.session(login).close()  # their own passwords from now on
    clients = ClientService(office.owner, today=lambda: TODAY)
    record = secret_client("Sam Reed", "Marker Mills")
    record["notes"] = f"Sam's secret plans {MARKER}"
    office.marked = clients.add(record)
    return office


def test_an_office_round_trips_every_book_and_every_key_slot(office, tmp_path):
    made = backups.backup(office.owner, tmp_path / "office.crmbackup")
    before = _everything(office.owner)
    assert backups.inspect(made.path).books == 2  # the house book and Sam's
    data = made.path.read_bytes()
    for marker in (MARKER, "Marker Mills", "golfing buddy", "Reed Supplies"):
        for encoding in ("utf-8", "utf-16-le"):
            assert marker.encode(encoding) not in data, marker
    with office.vault.reading() as conn:
        sams_book = conn.execute("SELECT id FROM books WHERE login = 'sam'").fetchone()[0]
    office.vault.close()

    # A new computer: no live vault; the owner's password of the backup's day opens it.
    target = tmp_path / "restored"
    with pytest.raises(errors.NotAllowed, match="Only the owner"):
        backups.restore(made.path, target, login="sam", password=PASSWORDS["sam"])
    with pytest.raises(errors.WrongPassphrase):
        backups.restore(made.path, target, login="zoe", password=PASSWORDS["mia"])
    info = backups.restore(made.path, target, login="zoe", password=OWNER_PASSWORD)
    assert (info.owner, info.people, info.books, info.key_storage) == ("zoe", 4, 2, "people")
    assert sorted(p.name for p in (target / "books").iterdir()) == sorted(
        [f"{sams_book}.db", "house.db"]
    )

    # Every person signs in to the restored vault with their own password, and holds
    # exactly the books their role gives.
    for login, password in PASSWORDS.items():
        session = signin.sign_in(target, login, password)
        try:
            vault = session.vault
            assert vault.holds_book(sams_book) is (login != "ann"), login
            assert vault.holds_book("house") is (login in ("zoe", "mia")), login
            if login == "zoe":
                assert _everything(session) == before
                report = vault.verify_audit()
                assert report.ok, report.problem
                actor, signer = _signer_of_last(vault, "vault.restored")
                assert actor == signer == "zoe"
        finally:
            session.close()


def test_after_the_recovery_key_the_restored_owner_needs_a_new_password(office, tmp_path):
    made = backups.backup(office.owner, tmp_path / "office.crmbackup")
    office.vault.close()
    with pytest.raises(errors.CannotUnlock, match="new password"):
        backups.restore(made.path, tmp_path / "r", login="zoe", recovery_key=office.recovery_key)
    assert not (tmp_path / "r").exists()
    new_password = "a new owner password"
    info = backups.restore(
        made.path,
        tmp_path / "r",
        login="zoe",
        recovery_key=office.recovery_key,
        new_password=new_password,
    )
    assert info.opened_with == "recovery key"
    with pytest.raises(errors.SignInFailed):
        signin.sign_in(tmp_path / "r", "zoe", OWNER_PASSWORD)
    signin.sign_in(tmp_path / "r", "zoe", new_password).close()
    signin.sign_in(tmp_path / "r", "sam", PASSWORDS["sam"]).close()


@pytest.mark.parametrize("login", ["mia", "sam", "ann"])
def test_only_the_owner_restores_beside_the_live_vault(office, tmp_path, login):
    made = backups.backup(office.owner, tmp_path / "office.crmbackup")
    session = signin.sign_in(office.vault.folder, login, PASSWORDS[login])
    before = last_seq(office.vault)
    with pytest.raises(errors.NotAllowed, match="only the Owner may") as caught:
        backups.restore(made.path, tmp_path / "theirs", by=session, password=PASSWORDS[login])
    session.close()
    assert caught.value.exit_code == errors.ExitCode.NOT_ALLOWED
    assert actions(office.vault, before) == ["access.denied"]
    assert _signer_of_last(office.vault, "access.denied") == (login, login)
    assert not (tmp_path / "theirs").exists()

    info = backups.restore(made.path, tmp_path / "mine", by=office.owner, password=OWNER_PASSWORD)
    actor, details = _events(office.vault, "vault.restored_elsewhere")[-1]
    assert actor == "zoe" and _signer_of_last(office.vault, "vault.restored_elsewhere")[1] == "zoe"
    assert details["to"] == str(info.folder) and details["by"] == "zoe"
    assert details["from"] == str(made.path) and details["sha256"] == info.sha256


@pytest.mark.parametrize("login", ["mia", "sam", "ann"])
def test_only_the_owner_recovers(office, login):
    from crmdesk.services import session as sessions

    folder = office.vault.folder
    session = signin.sign_in(office.vault.folder, login, PASSWORDS[login])
    before = last_seq(office.vault)
    with pytest.raises(errors.NotAllowed, match="only the Owner may"):
        sessions.check_may_recover(session)
    session.close()
    assert actions(office.vault, before) == ["access.denied"]
    assert _signer_of_last(office.vault, "access.denied") == (login, login)
    with pytest.raises(errors.NotAllowed, match="not the owner"):
        sessions.recover(folder, office.recovery_key, login=login, new_password="x" * 12)
    with pytest.raises(errors.SignInRequired):
        sessions.recover(folder, office.recovery_key, new_password="x" * 12)

    new_password = "the owner's new password"
    recovered = sessions.recover(
        folder, office.recovery_key, login="ZOE", new_password=new_password
    )
    recovered.close()
    assert _signer_of_last(office.vault, "key.recovered") == ("zoe", "zoe")
    with pytest.raises(errors.SignInFailed):
        signin.sign_in(folder, "zoe", OWNER_PASSWORD)
    signin.sign_in(folder, "zoe", new_password).close()
    signin.sign_in(folder, login, PASSWORDS[login]).close()


def test_the_recovery_key_opens_a_backup_from_before_an_offboarding(office, tmp_path):
    """Disabling Sam rotates the keys he held; the owner's slot, and so the recovery key,
    stay: a backup from before restores with the recovery key of today."""
    backups.backup(office.owner, tmp_path / "before.crmbackup")
    assert UserService(office.owner).disable("sam", reason="left") is None
    assert office.vault.keyfile().keys["main"].generation > 1
    backups.backup(office.owner, tmp_path / "after.crmbackup")
    office.vault.close()
    for name in ("before", "after"):
        info = backups.restore(
            tmp_path / f"{name}.crmbackup",
            tmp_path / name,
            login="zoe",
            recovery_key=office.recovery_key,
            new_password="a new owner password",
        )
        assert info.opened_with == "recovery key"
    # Sam's slot is in the backup from before only.
    signin.sign_in(tmp_path / "before", "sam", PASSWORDS["sam"]).close()
    with pytest.raises(errors.SignInFailed):
        signin.sign_in(tmp_path / "after", "sam", PASSWORDS["sam"])
