"""The recovery kit PDF: the key, the vault and the owner come back out, privately."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from crmdesk.reports.recovery_kit import key_lines, render_recovery_kit

KEY = "7K3M-Q2ZD-ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789-ABCD-EFGH-JKMN-PQRS"
VAULT_ID = "3f1c9e2a7b8d4c6e9f0a1b2c3d4e5f60"


def _write(path: Path) -> None:
    data = render_recovery_kit(
        vault_id=VAULT_ID,
        recovery_key=KEY,
        owner_name="Zoë Łukasiewicz",
        business="Łukasiewicz Trading",
        vault_folder=Path("/home/zoe/crmdesk vault"),
        created=datetime(2026, 11, 29, 14, 3, tzinfo=UTC),
    )
    path.write_bytes(data)


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_kit_holds_the_key_the_vault_and_the_owner(tmp_path):
    path = tmp_path / "kit.pdf"
    _write(path)
    text = _text(path)
    compact = re.sub(r"[\s-]", "", text)
    assert KEY.replace("-", "") in compact
    assert VAULT_ID in text
    assert "Zoë Łukasiewicz" in text
    assert "Łukasiewicz Trading" in text
    assert "crmdesk recovery kit" in text
    assert "CONFIDENTIAL" in text
    assert "Keep this page locked away" in text
    assert "crmdesk recover" in text
    assert "Stored at:" in text
    assert "2026-11-29" in text


def test_kit_is_one_page(tmp_path):
    path = tmp_path / "kit.pdf"
    _write(path)
    assert len(PdfReader(path).pages) == 1


def test_key_prints_as_two_lines_of_seven_groups():
    lines = key_lines(KEY)
    assert len(lines) == 2
    assert all(len(line.split("-")) == 7 for line in lines)
    assert "-".join(lines) == KEY


def test_kit_is_reproducible(tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    _write(first)
    _write(second)
    assert first.read_bytes() == second.read_bytes()
