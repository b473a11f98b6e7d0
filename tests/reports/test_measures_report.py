"""The reasonable-measures report: every section's facts, flagged users, marked pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from crmdesk.domain.report_ids import new_report_id
from crmdesk.domain.roles import Permission, Role
from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.measures import (
    AuditFacts,
    BackupFacts,
    EncryptionFacts,
    KeyRotation,
    MeasuresData,
    PolicyAcceptanceFacts,
    PolicyVersionFacts,
    UsageFacts,
    UserFacts,
    render_measures,
    users_without_current_policy,
)

PRINTER = "Ada Owner-Nguyễn"
BUSINESS = "Łukasiewicz Trading"
UTC_MINUS_5 = dt.timezone(dt.timedelta(hours=-5))
HEAD = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
V1, V2 = "a1" * 32, "b2" * 32


def _t(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _ctx() -> ReportContext:
    return ReportContext(
        report_id=new_report_id(),
        kind="measures",
        title="Reasonable measures",
        printed_by=PRINTER,
        login="ada",
        business=BUSINESS,
        printed_at=_t(2026, 11, 29, 14, 3),
        audit_head=HEAD,
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _marked_pages(pdf: bytes, ctx: ReportContext) -> list[str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    for number, text in enumerate(pages, start=1):
        assert PRINTER in text, f"page {number}"
        assert ctx.report_id in text, f"page {number}"
        assert f"page {number} of {len(pages)}" in text, f"page {number}"
        assert "CONFIDENTIAL" in text, f"page {number}"
    return pages


USERS = [
    UserFacts("ada", PRINTER, "owner", _t(2024, 1, 1, 14), None, _t(2026, 11, 29, 13)),
    UserFacts("zoe", "Zoë Łukasiewicz", "salesperson", _t(2024, 1, 5, 14),
              _t(2026, 11, 28, 22, 30), _t(2026, 11, 28, 13)),
    UserFacts("bob", "Bob Brown", "assistant", _t(2025, 3, 1, 14)),
    UserFacts("mia", "Mia Nguyễn", "manager", _t(2025, 3, 1, 14), None, _t(2026, 11, 20, 13)),
]  # fmt: skip
ALERT = "zoe printed report 7K3M-Q2ZD-AB5 (2,500 clients) at 22:14 on Saturday 7 March 2026."


def _data(**changes) -> MeasuresData:
    values = dict(
        business=BUSINESS,
        period_start=_t(2026, 8, 31, 14, 3),
        period_end=_t(2026, 11, 29, 14, 3),
        encryption=EncryptionFacts(
            key_held_in="the Secret Service (GNOME Keyring) of the owner's account",
            vault_created_at=_t(2024, 1, 1, 14),
            rotations=[KeyRotation(_t(2026, 11, 28, 23), "Zoë left; she had seen the kit", "ada")],
        ),
        audit=AuditFacts(
            ok=True,
            length=123_456,
            head=HEAD,
            first_at=_t(2024, 1, 1, 14),
            last_at=_t(2026, 11, 29, 19),
        ),  # fmt: skip
        users=USERS,
        policy_versions=[
            PolicyVersionFacts(1, _t(2024, 1, 1, 14), V1, "ada"),
            PolicyVersionFacts(2, _t(2026, 2, 1, 14), V2, "ada"),
        ],
        acceptances=[
            PolicyAcceptanceFacts("ada", 1, _t(2024, 1, 1, 14)),
            PolicyAcceptanceFacts("ada", 2, _t(2026, 2, 1, 14)),
            PolicyAcceptanceFacts("zoe", 1, _t(2024, 1, 5, 14)),
            PolicyAcceptanceFacts("bob", 1, _t(2025, 3, 1, 14)),
            PolicyAcceptanceFacts("mia", 2, _t(2026, 2, 3, 14)),
        ],
        usage=[
            UsageFacts(
                "zoe", value_added_views=1112, prints=31, exports=2, copies=5, clients_out=4567
            ),
            UsageFacts("ada", value_added_views=10, prints=1, clients_out=1),
        ],  # fmt: skip
        alerts=[ALERT],
        backups=[BackupFacts(_t(2026, 11, 1, 23), "/media/backup/crmdesk-2026-11-01", "ada")],
        tz=UTC_MINUS_5,
    )
    values.update(changes)
    return MeasuresData(**values)


def test_measures_report_has_every_section_and_its_facts():
    ctx = _ctx()
    text = _flat("\n".join(_marked_pages(render_measures(ctx, _data()), ctx)))
    for expected in (
        "Reasonable measures to keep client information secret",
        # Encryption
        "SQLCipher 4",
        "AES-256",
        "HMAC-SHA512",
        "the Secret Service (GNOME Keyring) of the owner's account",
        "recovery kit",
        "28 Nov 2026 18:00 ada Zoë left; she had seen the kit",  # rotation, in UTC-5
        # Access control
        "Salesperson the clients assigned to them in full",
        "Assistant basic contact information only",
        "Zoë Łukasiewicz zoe Salesperson Disabled 28 Nov 2026 17:30",
        "Bob Brown bob Assistant Active 1 Mar 2025 09:00 never",
        "Mia Nguyễn",
        "What each role may do",
        "Action Owner Manager Salesperson Assistant",
        "See value-added information ✓ ✓ ✓ —",
        "Manage users ✓ — — —",
        # Policy
        "Confidentiality policy",
        V1[:32],
        V2[32:],
        "Version 2, 1 Feb 2026 09:00 Current version accepted",
        "NOT ACCEPTED: version 2 is current",
        "1 active user has not accepted version 2",
        "Account disabled",
        # Audit trail
        "Verified",
        "123,456",
        HEAD,
        "1 Jan 2024 09:00",
        "29 Nov 2026 14:00",
        "vault.json",
        # Use
        "1,112 31 2 5 4,567",
        ALERT,
        # Backups
        "1 Nov 2026 18:00 /media/backup/crmdesk-2026-11-01 ada",
        # Limits
        "Limits",
        "can open the vault and copy the whole file",
        "attributable",
    ):
        assert expected in text, expected


def test_users_without_the_current_policy():
    assert users_without_current_policy(_data()) == ["bob"]  # zoe is disabled
    assert users_without_current_policy(_data(policy_versions=[])) == []


def test_role_matrix_comes_from_the_roles_table_by_default():
    data = _data()
    assert list(data.role_names) == [r.title for r in Role]
    whats = [what for what, _ in data.role_matrix]
    assert Permission.VIEW_VALUE_ADDED.value in whats


def test_empty_sections_say_so():
    ctx = _ctx()
    data = _data(
        encryption=EncryptionFacts(key_held_in="a master passphrase"),
        audit=AuditFacts(ok=False, length=7, head=HEAD, first_bad_seq=5, problem="hash mismatch"),
        users=[],
        policy_versions=[],
        acceptances=[],
        usage=[],
        alerts=[],
        backups=[],
    )
    text = _flat("\n".join(_marked_pages(render_measures(ctx, data), ctx)))
    for expected in (
        "The key has not been changed since the vault was created.",
        "No users recorded.",
        "No policy has been published.",
        "BROKEN at entry 5: hash mismatch.",
        "No use recorded in the period.",
        "No alerts were raised in the period.",
        "No backups recorded.",
        "a master passphrase",
    ):
        assert expected in text, expected


def test_measures_report_can_be_cancelled():
    with pytest.raises(ReportCancelled):
        render_measures(_ctx(), _data(), cancelled=lambda: True)
