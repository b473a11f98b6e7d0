"""Offboarding through the service layer: disable, rotate, evidence, exit form."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from crmdesk import errors
from crmdesk.services import session as sessions
from crmdesk.services import signin
from crmdesk.services.clients import ClientService
from crmdesk.services.offboarding import OffboardingService
from crmdesk.services.reports import ReportService
from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.paths import DATABASE_NAME
from tests.services.office import fast_passwords, make_office  # noqa: F401
from tests.support import MemoryKeyStore


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_offboarding_leaves_the_employee_nothing_that_opens_a_later_copy(
    vault,
    vault_dir,
    keystore,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    sam = office.session("sam")
    ClientService(sam).get(office.sams_client)  # a value-added view
    ReportService(sam).client_summary(office.sams_client)  # a print to account for
    old_key = keystore.get(vault.meta.vault_id)
    old_copy = old_key.raw  # what Sam could have copied from the keyring

    result = OffboardingService(office.owner, keystore=keystore).offboard("sam", days=30)

    with pytest.raises(errors.SignInFailed, match="disabled"):
        signin.sign_in(vault, "sam", "seller password 1")
    access = _text(result.access_report.data)
    assert "Sam Reed" in access and "Reed Supplies" in access  # who, and what they viewed
    assert "Zoë Łukasiewicz" in access  # printed by the owner: watermark
    certificate = _text(result.certificate.data)
    assert "Sam Reed" in certificate and "Signature" in certificate
    printed_id = vault.connection.execute(
        "SELECT id FROM reports WHERE login = 'sam' AND kind = 'client-summary'"
    ).fetchone()[0]
    assert printed_id in certificate  # the page Sam printed is listed to account for

    # The old key opens no copy of the vault made after the rotation.
    db = vault_dir / DATABASE_NAME

    with pytest.raises(UnreadableDatabase):
        open_database(db, VaultKey(old_copy)).execute("SELECT count(*) FROM clients")
    # The new recovery key opens it on a fresh keyring; nothing was lost.
    office.owner.close()
    fresh = MemoryKeyStore()
    with sessions.recover(vault_dir, result.recovery_key, keystore=fresh) as owner:
        assert ClientService(owner).count() == 2
        assert sessions.verify_audit(owner).ok
        actions = [
            r[0]
            for r in owner.vault.connection.execute(
                "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 6"
            )
        ]
    # Newest first: the recovery, Sam's refused sign-in, then the offboarding's own events.
    assert actions[:3] == ["key.recovered", "signin.failed", "user.offboarded"]
    assert "key.rotated" in actions


def test_the_old_recovery_key_is_refused_after_rotation(vault, vault_dir, keystore):
    owner = sessions.owner_session(vault)
    from crmdesk.services.keys import rotate_key
    from crmdesk.vault.keys import recovery

    old_recovery = recovery.encode(keystore.get(vault.meta.vault_id))
    rotate_key(owner, reason="test", keystore=keystore)
    owner.close()
    with pytest.raises(errors.WrongKey, match="recovery key"):
        sessions.recover(vault_dir, old_recovery, keystore=MemoryKeyStore())


def test_only_the_owner_offboards(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    with pytest.raises(errors.NotAllowed, match="only the Owner"):
        OffboardingService(office.session("mia")).offboard("sam")
    assert signin.sign_in(vault, "sam", "initial password 1")  # still enabled
