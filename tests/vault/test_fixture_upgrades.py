"""Vaults made by earlier releases open with today's code, every record intact.

tests/fixtures/vaults/ keeps, for each release before a schema change, a vault whose key
is in a keyring entry and one protected by a master passphrase (made by
tools/make-fixture-vaults), with what opens them and a logical dump of their records made
at the same time. Each is copied, its key put where that release put it, opened with
today's code (which migrates it), and its records compared with the dump one by one.
"""

from __future__ import annotations

import contextlib
import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmdesk.errors import CannotUnlock, SignInFailed
from crmdesk.services.activity import ActivityFilter, ActivityService
from crmdesk.services.people import UserService
from crmdesk.services.session import Session, sign_in_at, status, unlock, verify_audit
from crmdesk.vault import VaultKey, migrations
from crmdesk.vault.connection import open_database
from crmdesk.vault.keys import passphrase, recovery
from crmdesk.vault.keys.keyfile import read_keyfile
from crmdesk.vault.keys.keystore import SERVICE, entry_name, system_keystore
from crmdesk.vault.keys.slots import RECOVERY, open_slot
from tests.fixtures.logical_dump import Difference, compare_dumps, logical_dump
from tests.fixtures.vault_fixtures import (
    MODES,
    FixtureVault,
    coverage_problems,
    fixture_vaults,
    missing_fixtures,
    parse_name,
)

FIXTURES = fixture_vaults()


def _params(*modes: str) -> list[Any]:
    """The fixtures as test parameters; keyring ones need the real Secret Service."""
    return [
        pytest.param(f, id=f.name, marks=[pytest.mark.keyring] if f.mode == "keyring" else [])
        for f in FIXTURES
        if f.mode in (modes or MODES)
    ]


def _copy(fixture: FixtureVault, tmp_path: Path) -> Path:
    """The vault folder as a user of that release has it (the rest stays behind)."""
    folder = tmp_path / "vault"
    folder.mkdir(mode=0o700)
    for name in fixture.vault_files:
        if (fixture.folder / name).is_dir():
            shutil.copytree(fixture.folder / name, folder / name)
            (folder / name).chmod(0o700)
            for inner in (folder / name).iterdir():
                inner.chmod(0o600)
            continue
        shutil.copyfile(fixture.folder / name, folder / name)
        (folder / name).chmod(0o600)
    return folder


@contextlib.contextmanager
def _key_in_place(fixture: FixtureVault) -> Iterator[None]:
    """A keyring vault's key in the real Secret Service, under the entry its vault.json
    names, for as long as the test needs it; nothing for a passphrase vault."""
    if fixture.mode != "keyring" or fixture.secrets()["keyring"]["key_hex"] is None:
        # A passphrase vault; or from schema 7, a keyring vault that adding the first
        # colleague locked to passwords (its key left the keyring then).
        yield
        return
    meta, secrets = fixture.metadata(), fixture.secrets()
    vault_id = meta["vault_id"]
    assert (meta["keyring_service"], meta["keyring_entry"]) == (SERVICE, entry_name(vault_id))
    store = system_keystore()
    store.put(vault_id, VaultKey.from_hex(secrets["keyring"]["key_hex"]))
    try:
        yield
    finally:
        store.delete(vault_id)


def _open_as_owner(fixture: FixtureVault, folder: Path) -> Session:
    secrets = fixture.secrets()
    owner = fixture.dump()["records"]["vault"]["info"]["owner_login"]
    return unlock(
        folder,
        passphrase=secrets.get("passphrase"),
        login=owner,
        password=secrets["users"][owner]["password"],
    )


def upgrade_differences(
    fixture: FixtureVault, folder: Path, expected: dict[str, Any]
) -> tuple[list[Difference], list[str]]:
    """Open the copy in ``folder`` with today's code as its owner, check its audit chain,
    and compare its records with ``expected``; also the actions appended to the trail."""
    with _open_as_owner(fixture, folder) as session:
        assert status(session).schema_version == migrations.LATEST_VERSION
        verify_audit(session)  # raises AuditChainBroken naming the first bad entry
        dump = logical_dump(session)
    last = max(int(seq) for seq in expected["records"]["audit"])
    appended = [e["action"] for seq, e in dump["records"]["audit"].items() if int(seq) > last]
    return compare_dumps(expected, dump), appended


def _report(differences: list[Difference], when: str) -> str:
    shown = "\n".join(f"  {d}" for d in differences[:40])
    more = f"\n  ... and {len(differences) - 40} more" if len(differences) > 40 else ""
    return f"{len(differences)} differences from dump.json {when}:\n{shown}{more}"


# -- the upgrade ----------------------------------------------------------------------------


def intended(difference: Difference, expected: dict[str, Any], schema: int) -> bool:
    """Differences an upgrade makes on purpose, each with its reason.

    From schema 6 to 7 (key slots, issue 13): users other than the owner have no key slot
    until the owner gives them a new password (their old password hashes were readable
    by every colleague, so they are dropped): ``has_password`` becomes False for them.
    """
    if schema < 7 and difference.section == "users" and difference.field == "has_password":
        owner = expected["records"]["vault"]["info"]["owner_login"]
        return difference.key != owner
    # Settings added since (issue 17) read as their defaults where the owner never set
    # them: nothing stored changes.
    if difference.section == "settings" and difference.field in _NEW_SETTINGS:
        return (
            difference.expected == "<absent>"
            and _NEW_SETTINGS[difference.field] == difference.actual
        )
    return False


_NEW_SETTINGS: dict[str, Any] = {
    "thresholds.refused_actions": 10,
    "thresholds.refused_window_minutes": 10,
    "decoy_domains": [],
    "decoy_addresses": [],
    "decoy_phones": [],
}


# What opening an old vault adds to its trail: the schema migration (unsigned, by the old
# key), and from schema 7 on the upgrade itself: the owner's endorsed key, a book for each
# salesperson, the owner's new recovery key, the upgrade's own entry, the sign-in; and in
# a vault of schema 7, the failed sign-ins its signin.json kept waiting for the next
# sign-in, which records them.
UPGRADE_ACTIONS = {
    "vault.migrated",
    "vault.upgraded",
    "book.created",
    "key.recovery_replaced",
    "signin.ok",
}
WAITING_SIGNINS = {"signin.failed", "signin.throttled"}


@pytest.mark.parametrize("fixture", _params())
def test_a_fixture_vault_opens_with_every_record_as_dumped(fixture, tmp_path):
    folder = _copy(fixture, tmp_path)
    expected = fixture.dump()
    migrated = 1 if fixture.schema < migrations.LATEST_VERSION else 0
    with _key_in_place(fixture):
        differences, appended = upgrade_differences(fixture, folder, expected)
        differences = [d for d in differences if not intended(d, expected, fixture.schema)]
        if differences:
            pytest.fail(_report(differences, "after opening it with today's code"))
        assert appended.count("vault.migrated") == migrated
        waiting = WAITING_SIGNINS if fixture.schema >= 7 else set()
        assert set(appended) <= UPGRADE_ACTIONS | waiting, appended
        assert appended.count("vault.upgraded") == (1 if fixture.schema < 7 else 0)

        # Opening again migrates nothing more and changes no record.
        differences, appended = upgrade_differences(fixture, folder, expected)
        differences = [d for d in differences if not intended(d, expected, fixture.schema)]
        if differences:
            pytest.fail(_report(differences, "after opening it a second time"))
        assert appended.count("vault.migrated") == migrated
        assert appended.count("vault.upgraded") == (1 if fixture.schema < 7 else 0)


@pytest.mark.parametrize("fixture", _params())
def test_every_user_of_a_fixture_vault_signs_in_after_the_upgrade(fixture, tmp_path):
    """The owner signs in with their password; everyone else waits for a new password from
    the owner (from schema 7 only a person's password opens their key slot, and the old
    hashes were readable by every colleague), then signs in with it in their role."""
    folder = _copy(fixture, tmp_path)
    users = fixture.dump()["records"]["users"]
    secrets = fixture.secrets()
    assert set(secrets["users"]) == set(users)
    owner_login = fixture.dump()["records"]["vault"]["info"]["owner_login"]
    if fixture.schema >= 7:
        _everyone_signs_in_with_their_own_password(fixture, folder)
        return
    with _key_in_place(fixture):
        # Someone else first: the old vault waits for its owner.
        other = next(u for u in users if u != owner_login and not users[u]["disabled"])
        with pytest.raises(CannotUnlock, match="owner"):
            unlock(
                folder,
                passphrase=secrets.get("passphrase"),
                login=other,
                password=secrets["users"][other]["password"],
            )
        owner = _open_as_owner(fixture, folder)
        try:
            assert owner.role.value == "owner"
            for login, user in users.items():
                if login == owner_login:
                    continue
                password = secrets["users"][login]["password"]
                if user["disabled"]:
                    with pytest.raises(SignInFailed, match="disabled"):
                        sign_in_at(folder, login, password)
                    continue
                with pytest.raises(SignInFailed, match="wrong"):
                    sign_in_at(folder, login, password)
                UserService(owner).reset_password(login, "a new password 1")
                with sign_in_at(folder, login, "a new password 1") as session:
                    assert session.role.value == user["role"]
                    assert session.must_change_password
        finally:
            owner.close()


def _everyone_signs_in_with_their_own_password(fixture: FixtureVault, folder: Path) -> None:
    """From schema 7 every person has their own key slot: anyone may open the vault first
    (the migration needs nobody's keys), each with the password they had, in their role;
    a disabled person is refused."""
    users = fixture.dump()["records"]["users"]
    secrets = fixture.secrets()
    owner_login = fixture.dump()["records"]["vault"]["info"]["owner_login"]
    others = sorted(u for u in users if u != owner_login)
    for login in [*others, owner_login]:
        password = secrets["users"][login]["password"]
        if users[login]["disabled"]:
            with pytest.raises(SignInFailed, match="disabled"):
                sign_in_at(folder, login, password)
            continue
        with sign_in_at(folder, login, password) as session:
            assert session.role.value == users[login]["role"]
            assert session.must_change_password == users[login]["must_change_password"]


# -- the fixtures themselves ----------------------------------------------------------------


@pytest.mark.parametrize("fixture", _params())
def test_an_upgraded_vault_counts_its_whole_trail_by_day(fixture, tmp_path):
    """Schema 9 counts the trail per day, person and action (for the Activity page): the
    upgrade counts every entry the old vault holds, and the entries its opening appends
    are counted as they are written. The page's counts equal a count of the entries."""
    folder = _copy(fixture, tmp_path)
    dump = fixture.dump()
    with _key_in_place(fixture), _open_as_owner(fixture, folder) as session:
        with session.vault.reading() as conn:
            stored = conn.execute(
                "SELECT day, actor, action, filed, n FROM audit_day_counts WHERE n != 0"
                " ORDER BY 1, 2, 3, 4"
            ).fetchall()
            recounted = conn.execute(
                "SELECT substr(ts, 1, 10), actor, action,"
                " CASE WHEN action LIKE 'signin.%' THEN object ELSE '' END, count(*)"
                " FROM audit_events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
            ).fetchall()
            length = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        assert stored == recounted
        assert length > len(dump["records"]["audit"]) > 0
        activity = ActivityService(session)
        assert activity.count() == length
        owner = dump["records"]["vault"]["info"]["owner_login"]
        everyone = activity.counts()
        assert sum(n for per in everyone.values() for n in per.values()) == length
        old = [e for e in dump["records"]["audit"].values() if e["actor"] == owner]
        assert sum(activity.counts(ActivityFilter(login=owner)).get(owner, {}).values()) >= len(old)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_a_fixture_vault_is_of_the_schema_its_name_says(fixture, tmp_path):
    """Read before any migration: a copy opened with the raw key, not through Vault.open."""
    assert sorted(p.name for p in fixture.folder.iterdir()) == sorted(fixture.files)
    meta, secrets, dump = fixture.metadata(), fixture.secrets(), fixture.dump()
    vault_id = meta["vault_id"]
    if fixture.schema < 7:
        key = recovery.decode(secrets["recovery_key"])
        assert key.matches(vault_id, meta["key_check"]), "the recovery key is not this vault's"
        if fixture.mode == "keyring":
            assert meta["key_storage"] == "keyring"
            assert VaultKey.from_hex(secrets["keyring"]["key_hex"]) == key
        else:
            assert meta["key_storage"] == "passphrase"
            assert passphrase.unwrap_key(meta["passphrase"], secrets["passphrase"], vault_id) == key
    else:
        # Key slots: the recovery key opens the owner's slot, the database key is kept.
        owner = dump["records"]["vault"]["info"]["owner_login"]
        slot = read_keyfile(fixture.folder).slot(owner)
        assert slot is not None
        open_slot(slot, vault_id, RECOVERY, key=recovery.decode(secrets["recovery_key"]))
        key = VaultKey.from_hex(secrets["main_key_hex"])
    db = tmp_path / "crmdesk.db"
    shutil.copyfile(fixture.folder / "crmdesk.db", db)
    conn = open_database(db, key)
    try:
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    assert schema == fixture.schema == dump["made_by"]["schema_version"]
    assert dump["made_by"]["release"] == fixture.release
    assert dump["records"]["vault"]["info"]["vault_id"] == vault_id


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_a_fixture_vault_holds_every_kind_of_record(fixture):
    assert coverage_problems(fixture.dump()) == []


def test_every_schema_before_the_latest_has_its_fixtures():
    """The rule: every schema change adds the vaults of the release before it.

    For every schema version from the first one with fixtures (6) up to
    migrations.LATEST_VERSION - 1, tests/fixtures/vaults/ must hold a keyring and a
    passphrase vault of that schema (``<release>-schema<N>-keyring`` and
    ``-passphrase``): those are the releases whose users' vaults today's code must
    migrate. The latest schema needs none until a change follows it. Make them with
    tools/make-fixture-vaults at the last commit before the change (see
    tests/fixtures/vaults/README.md).
    """
    assert missing_fixtures([f.name for f in FIXTURES], migrations.LATEST_VERSION) == []
    assert {f.mode for f in FIXTURES} == set(MODES)


# -- the checks can fail --------------------------------------------------------------------


def test_the_rule_names_each_missing_fixture():
    today = ["0.1.0-schema6-keyring", "0.1.0-schema6-passphrase"]
    assert missing_fixtures(today, latest=6) == []
    assert missing_fixtures(today, latest=7) == []
    missing = missing_fixtures([*today, "0.2.0-schema7-keyring"], latest=9)
    assert len(missing) == 3
    assert "no passphrase fixture vault of schema 7" in missing[0]
    assert "no keyring fixture vault of schema 8" in missing[1]
    assert "no passphrase fixture vault of schema 8" in missing[2]
    assert missing_fixtures([*today, "9.0.0-schema8-keyring"], latest=7) == [
        "a fixture vault of schema 8 (keyring) is newer than this code's schema 7"
    ]
    assert parse_name("1.2.0rc1-schema12-passphrase") == ("1.2.0rc1", 12, "passphrase")
    for bad in ("0.1.0-keyring", "0.1.0-schema6-usb", "schema6-keyring", "0.1.0-schemaX-keyring"):
        with pytest.raises(ValueError, match="release"):
            parse_name(bad)


def test_the_comparison_names_the_record_and_field_that_differ():
    expected = FIXTURES[0].dump()
    records = expected["records"]
    client_key = next(k for k, c in records["clients"].items() if c["contacts"][0]["birthday"])
    name = records["clients"][client_key]["name"]
    assert compare_dumps(expected, copy.deepcopy(expected)) == []

    changed = copy.deepcopy(expected)
    changed["records"]["clients"][client_key]["contacts"][0]["birthday"] = None
    (only,) = compare_dumps(expected, changed)
    assert (only.section, only.key, only.field) == ("clients", client_key, "contacts[0].birthday")
    assert only.actual is None
    assert str(only).startswith(f"clients[{client_key!r}] ({name}) contacts[0].birthday: expected")

    # Entries appended to the audit trail are allowed; a lost or altered one is not.
    last = max(records["audit"], key=int)
    grown = copy.deepcopy(expected)
    grown["records"]["audit"][str(int(last) + 1)] = {
        **records["audit"][last],
        "seq": int(last) + 1,
        "action": "vault.migrated",
    }
    assert compare_dumps(expected, grown) == []
    lost = copy.deepcopy(expected)
    del lost["records"]["audit"]["3"]
    lost["records"]["audit"]["5"]["hash"] = "0" * 64
    lost["records"]["users"]["intruder"] = {"login": "intruder", "role": "owner"}
    del lost["records"]["decoys"]
    lost["records"]["books"] = {}  # a kind of record the old release did not have: fine
    lost["records"]["slots"] = {"1": {"login": "zoe"}}  # but not records of it
    found = {(d.section, d.key, d.field) for d in compare_dumps(expected, lost)}
    assert found == {
        ("audit", "3", ""),
        ("audit", "5", "hash"),
        ("users", "intruder", ""),
        ("decoys", "", ""),
        ("slots", "", ""),
    }


@pytest.mark.parametrize("fixture", _params("passphrase")[:1])
def test_an_upgrade_that_changed_a_record_fails(fixture, tmp_path):
    """The upgrade check itself, on a real open, against a dump with one price changed."""
    folder = _copy(fixture, tmp_path)
    expected = fixture.dump()
    client_key, client = next(
        (k, c) for k, c in expected["records"]["clients"].items() if c["purchases"]
    )
    corrupted = copy.deepcopy(expected)
    item = corrupted["records"]["clients"][client_key]["purchases"][0]["items"][0]
    item["unit_price"] = "0.01" if item["unit_price"] != "0.01" else "0.02"
    differences, _ = upgrade_differences(fixture, folder, corrupted)
    differences = [d for d in differences if not intended(d, corrupted, fixture.schema)]
    assert [(d.section, d.key, d.field) for d in differences] == [
        ("clients", client_key, "purchases[0].items[0].unit_price")
    ]
    assert client["name"] in _report(differences, "in this test")
