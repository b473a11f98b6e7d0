"""Users, sign-in, throttling, the first-use gates, and what each person sees."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crmdesk import errors
from crmdesk.domain import READ_ONLY_KEYS
from crmdesk.domain.policy_text import default_policy
from crmdesk.services import audit_sealing, signin
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.session import Unlocked, owner_session
from tests.services.office import (  # noqa: F401
    PASSWORDS,
    actions,
    fast_passwords,
    last_seq,
    make_office,
)


def test_a_single_user_vault_needs_no_sign_in_until_a_second_user_exists(
    vault,
    keystore,
    fast_passwords,  # noqa: F811
):
    owner = owner_session(vault)
    assert not signin.sign_in_required(vault)
    with pytest.raises(errors.BadInput, match="Set your own sign-in password first"):
        UserService(owner).add("mia", "Mia Ortega", "manager", "initial password 1")
    signin.set_password(owner, "owner password 1")
    with pytest.raises(errors.BadInput, match="confirm your own password"):
        UserService(owner).add("mia", "Mia Ortega", "manager", "initial password 1")
    UserService(owner).add(
        "mia", "Mia Ortega", "manager", "initial password 1", owner_password="owner password 1"
    )
    assert signin.sign_in_required(vault)
    # From the second person on, nothing in the keyring opens the vault...
    assert keystore.entries == {}
    with pytest.raises(errors.SignInRequired, match="sign in with your login and password"):
        Unlocked(vault.folder, None).sole_user()
    # ... and a new recovery key was made for the owner, to show once.
    assert vault.unshown_recovery_key() is not None
    UserService(owner).disable("mia")
    assert not signin.sign_in_required(vault)


def test_passwords_are_never_stored_only_key_slots_they_open(vault, fast_passwords):  # noqa: F811
    make_office(vault)
    columns = {r[1] for r in vault.connection.execute("PRAGMA table_info(users)")}
    if "password_hash" in columns:
        rows = vault.connection.execute("SELECT password_hash FROM users").fetchall()
        assert all(h is None for (h,) in rows)
    keys = (vault.folder / "keys.json").read_text()
    for password in ("initial password 1", *PASSWORDS.values()):
        assert password not in keys
    slots = vault.keyfile().people
    assert {s.wraps["password"]["kdf"] for s in slots.values()} == {"argon2id"}
    dump = "\n".join(r[0] for r in vault.connection.execute("SELECT details FROM audit_events"))
    assert "initial password 1" not in dump and "owner password 1" not in dump


def test_wrong_password_then_throttling_then_waiting_it_out(vault, fast_passwords):  # noqa: F811
    make_office(vault)
    clock = [dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)]

    def now():
        return clock[0]

    for _ in range(signin.FREE_FAILURES - 1):
        with pytest.raises(errors.SignInFailed, match="login or password is wrong"):
            signin.sign_in(vault.folder, "mia", "guess", now=now)
    with pytest.raises(errors.SignInFailed):
        signin.sign_in(vault.folder, "mia", "guess", now=now)  # the fifth: now throttled
    with pytest.raises(errors.SignInThrottled, match="wait 30 seconds") as caught:
        signin.sign_in(vault.folder, "mia", "initial password 1", now=now)  # even the right one
    assert caught.value.retry_after_seconds == 30
    clock[0] += dt.timedelta(seconds=31)
    with pytest.raises(errors.SignInFailed):
        signin.sign_in(vault.folder, "mia", "guess again", now=now)  # the sixth: 60 s now
    clock[0] += dt.timedelta(seconds=45)
    with pytest.raises(errors.SignInThrottled, match="15 seconds"):
        signin.sign_in(vault.folder, "mia", "initial password 1", now=now)
    clock[0] += dt.timedelta(seconds=16)
    session = signin.sign_in(vault.folder, "mia", "initial password 1", now=now)
    assert session.actor == "mia"
    failed = [a for a in actions(vault) if a.startswith("signin.")]
    assert failed.count("signin.failed") == 6 and failed.count("signin.throttled") == 2
    assert failed[-1] == "signin.ok"


def test_unknown_logins_are_throttled_too_and_get_the_same_message(vault, fast_passwords):  # noqa: F811
    make_office(vault)
    for _ in range(signin.FREE_FAILURES):
        with pytest.raises(errors.SignInFailed, match="login or password is wrong"):
            signin.sign_in(vault.folder, "mallory", "x")
    with pytest.raises(errors.SignInThrottled):
        signin.sign_in(vault.folder, "mallory", "x")


def test_a_disabled_account_cannot_sign_in(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    UserService(office.owner).disable("sam", reason="left")
    with pytest.raises(errors.SignInFailed, match="disabled"):
        signin.sign_in(vault.folder, "sam", "initial password 1")
    # Said whatever the password, so that the answer never confirms a right guess; and
    # their key slot is gone, so no password opens anything for them.
    with pytest.raises(errors.SignInFailed, match="disabled"):
        signin.sign_in(vault.folder, "sam", "not it at all")
    assert vault.keyfile().slot("sam") is None


def test_first_sign_in_must_change_password_then_accept_the_policy(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    session = signin.sign_in(vault.folder, "sam", "initial password 1")
    assert session.must_change_password
    before = last_seq(vault)
    with pytest.raises(errors.PasswordChangeRequired, match="new password"):
        ClientService(session).get(office.sams_client)
    with pytest.raises(errors.SignInFailed):
        signin.change_password(session, "not the initial one", "seller password 1")
    signin.change_password(session, "initial password 1", "seller password 1")
    assert not session.must_change_password
    with pytest.raises(errors.PolicyNotAccepted, match="confidentiality policy"):
        ClientService(session).list()
    assert "client.viewed" not in actions(vault, before)  # nothing was shown
    version = PolicyService(session).current().version
    PolicyService(session).accept(version)
    assert ClientService(session).get(office.sams_client).notes  # now shown
    accepted = vault.connection.execute(
        "SELECT details FROM audit_events WHERE action = 'policy.accepted' AND actor = 'sam'"
    ).fetchone()[0]
    assert PolicyService(session).current().sha256 in accepted


def test_a_new_policy_version_must_be_accepted_again(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    sam = office.session("sam")
    ClientService(sam).list()
    old = PolicyService(sam).current().version
    PolicyService(office.owner).publish(default_policy("X") + "\n\nNew: no phones at desks.")
    with pytest.raises(errors.PolicyNotAccepted):
        ClientService(sam).list()
    with pytest.raises(errors.BadInput, match="changed to version"):
        PolicyService(sam).accept(old)  # the text they read is not the one in force
    PolicyService(sam).accept(old + 1)
    assert ClientService(sam).list()


def test_the_policy_must_keep_the_whistleblower_notice(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    with pytest.raises(errors.BadInput, match="1833"):
        PolicyService(office.owner).publish("Keep everything secret.")


def test_a_salesperson_sees_their_own_clients_in_full_and_only_basics_of_others(
    vault,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    sam = ClientService(office.session("sam"))
    own = sam.get_json(office.sams_client)
    assert own["notes"] and own["pricing"] and own["patterns"] and "redacted" not in own
    other = sam.get_json(office.zoes_client)
    assert other["redacted"] is True and other["name"] == "Harbour Foods"
    assert other["notes"] is None and other["pricing"] == [] and other["purchases"] == []
    assert other["contacts"][0]["personal"] is None and other["contacts"][0]["email"]
    rows = {r.name: r for r in sam.list(ClientQuery(limit=10))}
    assert rows["Reed Supplies"].full and rows["Reed Supplies"].spend_12m is not None
    assert not rows["Harbour Foods"].full and rows["Harbour Foods"].spend_12m is None


def test_search_never_reveals_value_added_text_of_clients_not_seen_in_full(
    vault,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    # "golfing" is in both clients' notes: value-added text.
    found = {r.name for r in ClientService(office.owner).search("golfing")}
    assert found == {"Reed Supplies", "Harbour Foods"}
    sam = ClientService(office.session("sam"))
    assert {r.name for r in sam.search("golfing")} == {"Reed Supplies"}
    assert sam.count(ClientQuery(text="golfing")) == 1
    assert {r.name for r in sam.search("Harbour")} == {"Harbour Foods"}  # names: basic
    ann = ClientService(office.session("ann"))
    assert ann.search("golfing") == [] and ann.count(ClientQuery(text="golfing")) == 0
    assert {r.name for r in ann.search("Reed")} == {"Reed Supplies"}
    seasonal = sam.list(ClientQuery(buys_in_month=10))
    assert [r.name for r in seasonal] == ["Reed Supplies"]  # own buying seasons only


def test_saving_a_redacted_record_keeps_what_was_withheld(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    ann = ClientService(office.session("ann"))
    shown = ann.get_json(office.zoes_client)
    version = shown["version"]
    # What the editor sends back: every editable key, as it was shown, with one change.
    shown = {k: v for k, v in shown.items() if k not in READ_ONLY_KEYS and k != "phone"}
    shown["phones"] = ["+1 202 555 0177"]
    ann.update(office.zoes_client, shown, expected_version=version)
    stored = ClientService(office.owner).get_json(office.zoes_client)
    assert stored["phone"] == "+12025550177"
    assert stored["notes"].startswith("Decides") and stored["pricing"]
    assert stored["contacts"][0]["personal"]["hobbies"] == "golf"
    with pytest.raises(errors.NotAllowed, match="value-added"):
        ann.update(office.zoes_client, {**shown, "notes": "overwritten"})


def test_views_of_value_added_information_are_recorded_with_old_and_new_values(
    vault,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    sam = ClientService(office.session("sam"))
    before = last_seq(vault)
    sam.get(office.sams_client)
    sam.get(office.zoes_client)  # basics only: not a value-added view
    assert actions(vault, before) == ["client.viewed"]
    sam.update(office.sams_client, {"notes": "Now decides in March"})
    stored = vault.connection.execute(
        "SELECT details FROM audit_events ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    # Sealed to the Owner and Managers: the owner reads them, the stored text does not.
    assert "Decides every January" not in stored and "Now decides in March" not in stored
    opened = audit_sealing.open_details(
        audit_sealing.opener(office.owner.vault), json.loads(stored)
    )
    assert opened["value_added_changes"]["notes"] == {
        "old": "Decides every January; golfing buddy of the CFO.",
        "new": "Now decides in March",
    }


def test_a_salesperson_cannot_take_over_someone_elses_client(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    sam = ClientService(office.session("sam"))
    with pytest.raises(errors.NotAllowed, match="assign"):
        sam.update(office.zoes_client, {"salesperson": "Sam Reed"})
    new_id = sam.add({"name": "Fresh Lead", "notes": "met at the fair"})
    assert ClientService(office.owner).get(new_id).salesperson == "Sam Reed"
    with pytest.raises(errors.NotAllowed, match="assign"):
        sam.add({"name": "Not Mine", "salesperson": "Mia Ortega"})
