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
from crmdesk.vault.books import book_path
from crmdesk.vault.connection import UnreadableDatabase, open_database
from crmdesk.vault.keys import VaultKey
from crmdesk.vault.paths import DATABASE_NAME
from tests.services.office import PASSWORDS, fast_passwords, make_office  # noqa: F401
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
    # Every key Sam's crmdesk process holds: what Sam could have copied.
    copied = {k: VaultKey(v.raw) for k, v in sam.vault.held.current.items()}
    sams_book = next(k for k in copied if k.startswith("book:"))
    sam.close()

    result = OffboardingService(office.owner, keystore=keystore).offboard("sam", days=30)

    assert result.rotated and result.recovery_key is None
    with pytest.raises(errors.SignInFailed, match="disabled"):
        signin.sign_in(vault.folder, "sam", "seller password 1")
    assert vault.keyfile().slot("sam") is None
    access = _text(result.access_report.data)
    assert "Sam Reed" in access and "Reed Supplies" in access  # who, and what they viewed
    assert "Zoë Łukasiewicz" in access  # printed by the owner: watermark
    certificate = _text(result.certificate.data)
    assert "Sam Reed" in certificate and "Signature" in certificate
    printed_id = vault.connection.execute(
        "SELECT id FROM reports WHERE login = 'sam' AND kind = 'client-summary'"
    ).fetchone()[0]
    assert printed_id in certificate  # the page Sam printed is listed to account for

    # Sam's old keys open nothing of the vault as it is now: not the main database, not
    # the book that was his.
    with pytest.raises(UnreadableDatabase):
        open_database(vault_dir / DATABASE_NAME, copied["main"])
    with pytest.raises(UnreadableDatabase):
        open_database(book_path(vault_dir, sams_book.split(":", 1)[1]), copied[sams_book])
    # Everyone else goes on as before, without having been asked for a password.
    mia = office.session("mia")
    assert ClientService(mia).get(office.sams_client).notes
    mia.close()
    office.owner.close()
    with sessions.unlock(vault_dir, login="zoe", password=PASSWORDS["zoe"]) as owner:
        assert ClientService(owner).count() == 2
        assert sessions.verify_audit(owner).ok
        actions = [
            r[0]
            for r in owner.vault.connection.execute(
                "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 20"
            )
        ]
    assert "user.offboarded" in actions and "key.rotated" in actions
    assert "signin.failed" in actions  # Sam's refused sign-in, recorded at the next one


def test_rekey_gives_the_owner_a_new_recovery_key_and_the_old_one_stops(vault, vault_dir, keystore):
    owner = sessions.owner_session(vault)
    from crmdesk.services.keys import rotate_key

    _, first = sessions.create_vault(
        vault_dir.parent / "other", sessions.Owner("A B", "ab"), keystore=MemoryKeyStore()
    )
    del first
    before = dict(keystore.entries)
    new_recovery = rotate_key(owner, reason="test", keystore=keystore)
    assert keystore.entries != before  # a new keyring secret too
    owner.close()
    with sessions.recover(vault_dir, new_recovery, keystore=MemoryKeyStore()) as again:
        assert again.actor == "zoe"


def test_only_the_owner_offboards(vault, fast_passwords):  # noqa: F811
    office = make_office(vault)
    with pytest.raises(errors.NotAllowed, match="only the Owner"):
        OffboardingService(office.session("mia")).offboard("sam")
    assert signin.sign_in(vault.folder, "sam", "initial password 1")  # still enabled
