"""The owner's sign-in password: hashed, checked, every attempt audited."""

from __future__ import annotations

import pytest

from crmdesk import errors
from crmdesk.services import signin


def _actions(vault):
    return [r[0] for r in vault.connection.execute("SELECT action FROM audit_events ORDER BY seq")]


def test_password_opens_the_key_slot_is_checked_and_audited(session, vault):
    assert not signin.has_password(session)
    assert signin.check_password(session, "anything")  # no password: nothing to check
    signin.set_password(session, "blue whale orbit")
    assert signin.has_password(session)
    # Nothing about the password is stored but the slot it opens (Argon2id, AES-GCM).
    wrap = vault.keyfile().slot("zoe").wraps["password"]
    assert wrap["kdf"] == "argon2id" and wrap["cipher"] == "aes-256-gcm"
    assert "blue whale" not in (vault.folder / "keys.json").read_text()
    assert not signin.check_password(session, "blue whale orbiT")
    assert signin.check_password(session, "blue whale orbit")
    assert _actions(vault)[-3:] == ["signin.password_set", "signin.failed", "signin.ok"]


def test_short_password_is_refused(session):
    with pytest.raises(errors.BadInput, match="at least 10"):
        signin.set_password(session, "short")
    assert not signin.has_password(session)


def test_lock_records_the_event_then_forgets_the_key(session, vault):
    from crmdesk.services.session import lock

    lock(session)
    assert not vault.is_open
    with pytest.raises(errors.CannotUnlock, match="locked"):
        vault.status()


def test_failed_sign_ins_waiting_outside_the_database_are_recorded_by_whoever_reads_them(
    session, vault
):
    from crmdesk.services.activity import ActivityFilter, ActivityService
    from crmdesk.services.people import UserService
    from crmdesk.services.session import verify_audit

    signin.set_password(session, "owner password 123")
    UserService(session).add(
        "bob", "Bob Stone", "salesperson", "initial pass 123", owner_password="owner password 123"
    )
    for _ in range(2):
        with pytest.raises(errors.SignInFailed):
            signin.sign_in(vault.folder, "bob", "not his password")
    activity = ActivityService(session)
    assert activity.log(ActivityFilter(action="signin.failed")) == []  # not in the trail yet
    assert activity.record_waiting_signins() == 2
    failed = activity.log(ActivityFilter(action="signin.failed"))
    assert [(e.actor, e.object) for e in failed] == [("bob", "bob")] * 2
    assert {e.details["recorded_by"] for e in failed} == {"zoe"}
    assert activity.record_waiting_signins() == 0  # each written once
    assert verify_audit(session).ok  # signed by the owner, in bob's name: allowed for these
