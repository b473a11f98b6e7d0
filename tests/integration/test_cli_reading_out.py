"""Bulk reading counts as bulk however it is sliced, and withheld values are no oracle
(issue 17, parts 3 and 4), through the real ``crmdesk`` command."""

from __future__ import annotations

import json

import pytest

from crmdesk.domain.alerts import BULK_READING, REFUSED_BURST, AlertThresholds
from crmdesk.services.activity import ActivityService
from crmdesk.services.clients import ClientService
from crmdesk.services.session import create_vault
from crmdesk.services.settings import change_settings
from crmdesk.vault import Owner
from tests.integration.cli import run_cli
from tests.services.office import (  # noqa: F401
    PASSWORDS,
    fast_passwords,
    make_office,
    secret_client,
)

pytestmark = pytest.mark.keyring

LIMIT = 5  # the owner's export threshold in these tests
CLIENTS = 14  # more than the threshold: the whole list is a bulk read


@pytest.fixture
def office(tmp_path, fast_passwords):  # noqa: F811
    folder = tmp_path / "vault"
    session, _ = create_vault(folder, Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"))
    office = make_office(session.vault)
    for login in ("mia", "sam", "ann"):
        office.session(login).close()
    clients = ClientService(session)
    for n in range(CLIENTS - 2):
        clients.add({"name": f"Harbour Client {n:02d}", "salesperson": "zoe", "notes": "x"})
    change_settings(session, thresholds=AlertThresholds(egress_clients=LIMIT))
    session.close()
    return folder, {"zoes": office.zoes_client, "sams": office.sams_client}


def _env(login: str) -> dict[str, str]:
    return {"CRMDESK_USER": login, "CRMDESK_PASSWORD": PASSWORDS[login]}


def _owner_view(folder):
    from crmdesk.services.signin import sign_in

    session = sign_in(folder, "zoe", PASSWORDS["zoe"])
    return session


def _listed(session, login):
    rows = session.vault.connection.execute(
        "SELECT details FROM audit_events WHERE actor = ? AND action = 'clients.listed'"
        " ORDER BY seq",
        (login,),
    )
    return [json.loads(r[0]) for r in rows]


@pytest.mark.parametrize("as_json", [True, False])
def test_a_manager_paging_through_the_list_hits_the_threshold(office, as_json):
    folder, _ = office
    got: list[str] = []
    codes = []
    for offset in range(0, CLIENTS, 2):
        args = ["client", "list", "--limit", "2", "--offset", str(offset)]
        result = run_cli(folder, *args, *(["--json"] if as_json else []), env=_env("mia"))
        codes.append(result.returncode)
        if result.returncode == 0:
            got += [r["name"] for r in json.loads(result.stdout)] if as_json else [result.stdout]
        else:
            assert result.returncode == 6
            assert "within the hour" in result.stderr and "--approve-as" in result.stderr
    # Two rows a page: the pages up to the threshold pass, every later one is refused.
    assert codes == [0, 0] + [6] * (CLIENTS // 2 - 2)
    session = _owner_view(folder)
    try:
        pages = _listed(session, "mia")
        assert len(pages) == CLIENTS // 2  # every page recorded, the refused ones too
        assert [p["hour_total"] for p in pages[:3]] == [2, 4, 6]
        assert [p.get("refused", False) for p in pages] == [False, False] + [True] * 5
        alerts = [a for a in ActivityService(session).alerts() if a.kind == BULK_READING]
        assert [a.actor for a in alerts] == ["mia"]
        assert "page by page on the command line" in alerts[0].message
    finally:
        session.close()


def test_the_owner_approves_a_bulk_read_on_the_spot(office):
    folder, _ = office
    result = run_cli(folder, "client", "list", "--limit", "6", env=_env("mia"))
    assert result.returncode == 6
    result = run_cli(
        folder, "client", "list", "--limit", "6", "--approve-as", "zoe",
        "--password-stdin", stdin=f"{PASSWORDS['mia']}\n{PASSWORDS['zoe']}\n",
        env={"CRMDESK_USER": "mia"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_search_pages_after_the_first_are_recorded_and_counted(office):
    folder, _ = office
    for offset in (0, 2, 4):
        result = run_cli(
            folder, "search", "Harbour", "--limit", "2", "--offset", str(offset), "--json",
            env=_env("sam"),
        )  # fmt: skip
        assert result.returncode == (0 if offset < 4 else 6), result.stderr
    session = _owner_view(folder)
    try:
        pages = _listed(session, "sam")
        assert [p["text"] for p in pages] == ["Harbour"] * 3
        assert [p["hour_total"] for p in pages] == [2, 4, 6]
    finally:
        session.close()


def test_an_assistant_paging_through_basic_rows_is_counted_too(office):
    folder, _ = office
    codes = [
        run_cli(
            folder, "client", "list", "--limit", "3", "--offset", str(o), env=_env("ann")
        ).returncode
        for o in (0, 3)
    ]
    assert codes == [0, 6]  # an Assistant may not export: refused, and recorded


def test_a_guessed_withheld_value_is_refused_like_any_other(office):
    folder, ids = office
    zoes = str(ids["zoes"])
    right = {"notes": "Decides every January; golfing buddy of the CFO."}
    contact = {
        "contacts": [{"name": "Pat Doe", "email": "pat@example.com", "birthday": "1970-12-03"}]
    }
    for login in ("sam", "ann"):
        for patch in (right, {"notes": "a wrong guess"}, contact):
            result = run_cli(
                folder, "client", "update", zoes, stdin=json.dumps(patch), env=_env(login)
            )
            assert result.returncode == 6, (login, patch, result.stdout)
    # Blank withheld values, as the person saw them, still mean "unchanged".
    seen = json.loads(run_cli(folder, "client", "show", zoes, "--json", env=_env("sam")).stdout)
    result = run_cli(
        folder, "client", "update", zoes,
        stdin=json.dumps({"contacts": seen["contacts"], "notes": seen["notes"]}),
        env=_env("sam"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_burst_of_refusals_raises_an_alert(office):
    folder, ids = office
    for day in range(1, 11):
        patch = {"contacts": [{"name": "Pat Doe", "birthday": f"1970-12-{day:02d}"}]}
        result = run_cli(
            folder, "client", "update", str(ids["zoes"]), stdin=json.dumps(patch),
            env=_env("sam"),
        )  # fmt: skip
        assert result.returncode == 6
    session = _owner_view(folder)
    try:
        alerts = [a for a in ActivityService(session).alerts() if a.kind == REFUSED_BURST]
        assert [a.actor for a in alerts] == ["sam"]
        assert len(alerts[0].seqs) == 10
    finally:
        session.close()
