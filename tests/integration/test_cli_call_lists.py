"""Call lists for the people who make the calls (issue 17, part 2), through the real
``crmdesk report calls``: scoped, complete, and printable within one's own book."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from crmdesk.domain.alerts import AlertThresholds
from crmdesk.services.clients import ClientService
from crmdesk.services.session import create_vault
from crmdesk.services.settings import change_settings
from crmdesk.vault import Owner
from tests.integration.cli import run_cli
from tests.services.office import PASSWORDS, fast_passwords, make_office  # noqa: F401

pytestmark = pytest.mark.keyring

LIMIT = 3
EACH = 5  # clients with a follow-up due, for Sam and for the owner: more than LIMIT


@pytest.fixture
def office(tmp_path, fast_passwords):  # noqa: F811
    folder = tmp_path / "vault"
    session, _ = create_vault(folder, Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"))
    office = make_office(session.vault)
    for login in ("mia", "sam", "ann"):
        office.session(login).close()
    due = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    clients = ClientService(session)
    for owner, name in (("Sam Reed", "Sams"), ("zoe", "Zoes")):
        for n in range(EACH):
            clients.add(
                {"name": f"{name} Call {n}", "salesperson": owner,
                 "tasks": [{"due": due, "title": f"Ring {name} {n}", "done": False}]}
            )  # fmt: skip
    change_settings(session, thresholds=AlertThresholds(egress_clients=LIMIT))
    session.close()
    return folder


def _env(login: str) -> dict[str, str]:
    return {"CRMDESK_USER": login, "CRMDESK_PASSWORD": PASSWORDS[login]}


def _text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_salespersons_call_list_is_their_own_and_needs_no_approval(office, tmp_path):
    out = tmp_path / "sam.pdf"
    result = run_cli(office, "report", "calls", "-o", str(out), env=_env("sam"))
    assert result.returncode == 0, result.stderr
    text = _text(out)
    assert all(f"Sams Call {n}" in text for n in range(EACH))
    assert "Zoes Call" not in text and "Harbour Foods" not in text  # not theirs to call
    assert f"{EACH + 1} follow-ups due" in text  # theirs, all of them (Reed Supplies too)


def test_an_assistants_call_list_is_complete_and_says_the_outlook_is_withheld(office, tmp_path):
    out = tmp_path / "ann.pdf"
    refused = run_cli(office, "report", "calls", "-o", str(out), env=_env("ann"))
    assert refused.returncode == 6 and "approve" in refused.stderr  # everyone's: a bulk print
    chosen = run_cli(office, "report", "calls", "--limit", "2", "-o", str(out), env=_env("ann"))
    assert chosen.returncode == 0, chosen.stderr
    text = _text(out)
    total = 2 * EACH + 2  # both office clients have a follow-up due too
    assert f"2 follow-ups listed and {total - 2} more due" in text
    assert f"And {total - 2} more follow-ups due, not listed." in text
    assert "Withheld: not your client (ask " in text  # the seasonal outlook
    assert "No client usually buys" not in text


def test_the_owners_call_list_holds_every_follow_up(office, tmp_path):
    out = tmp_path / "zoe.pdf"
    result = run_cli(office, "report", "calls", "-o", str(out), env=_env("zoe"))
    assert result.returncode == 0, result.stderr
    assert f"{2 * EACH + 2} follow-ups due" in _text(out)
