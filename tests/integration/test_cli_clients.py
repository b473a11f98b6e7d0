"""Client records through the ``crmdesk`` command: JSON in, JSON out, exit codes."""

from __future__ import annotations

import json

import pytest

from crmdesk.domain import client_from_json, client_to_json
from tests.integration.cli import run_cli
from tests.services.conftest import full_client

pytestmark = pytest.mark.keyring


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    result = run_cli(folder, "init", "--name", "Jane Doe", "--login", "jane")
    assert result.returncode == 0, result.stderr
    return folder


def _add(vault, data) -> int:
    result = run_cli(vault, "client", "add", stdin=json.dumps(data))
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


def test_add_then_show_gives_back_everything(vault):
    client_id = _add(vault, full_client())
    shown = run_cli(vault, "client", "show", str(client_id), "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    expected = client_to_json(client_from_json(full_client()))
    assert {k: data[k] for k in expected} == expected
    assert data["patterns"]["lifetime_spend"] == "325.05"
    human = run_cli(vault, "client", "show", str(client_id))
    assert "Zoë's Bakery" in human.stdout and "325.05" in human.stdout


def test_update_delete_and_the_version_check(vault):
    client_id = _add(vault, {"name": "Kowalski & Sons Plumbing", "status": "prospect"})
    ok = run_cli(vault, "client", "update", str(client_id), stdin='{"status": "active"}')
    assert ok.returncode == 0 and "version 2" in ok.stdout
    stale = run_cli(
        vault, "client", "update", str(client_id), stdin='{"version": 1, "notes": "late edit"}'
    )
    assert stale.returncode == 5 and "reload" in stale.stderr
    data = json.loads(run_cli(vault, "client", "show", str(client_id), "--json").stdout)
    assert data["status"] == "active" and data["notes"] == ""
    gone = run_cli(vault, "client", "delete", str(client_id))
    assert gone.returncode == 0 and "Kowalski" in gone.stdout
    assert run_cli(vault, "client", "show", str(client_id)).returncode == 1


def test_bad_input_is_refused_with_field_names(vault):
    not_json = run_cli(vault, "client", "add", stdin="{name: 1}")
    assert not_json.returncode == 1 and "not valid JSON" in not_json.stderr
    invalid = run_cli(
        vault, "client", "add", stdin=json.dumps({"name": "X", "email": "x@", "tasks": [{}]})
    )
    assert invalid.returncode == 1
    assert "email:" in invalid.stderr and "tasks[0].due" in invalid.stderr


def test_list_and_search_with_filters(vault):
    _add(vault, {"name": "Søren's Hardware", "status": "active", "tags": ["vip"]})
    _add(vault, {"name": "Soren Lake Hotel", "status": "prospect"})
    found = run_cli(vault, "search", "soren", "--json")
    assert found.returncode == 0, found.stderr
    assert {r["name"] for r in json.loads(found.stdout)} == {"Søren's Hardware", "Soren Lake Hotel"}
    active = json.loads(run_cli(vault, "search", "soren", "--status", "active", "--json").stdout)
    assert [r["name"] for r in active] == ["Søren's Hardware"]
    listed = json.loads(run_cli(vault, "client", "list", "--tag", "VIP", "--json").stdout)
    assert [r["name"] for r in listed] == ["Søren's Hardware"]
    assert listed[0]["spend_12m"] == "0.00"
    bad_month = run_cli(vault, "client", "list", "--buys-in-month", "13")
    assert bad_month.returncode == 1 and "1 to 12" in bad_month.stderr


def test_every_change_is_in_a_verified_audit_trail(vault):
    client_id = _add(vault, {"name": "Audit Me Ltd"})
    run_cli(vault, "client", "update", str(client_id), stdin='{"status": "active"}')
    run_cli(vault, "client", "delete", str(client_id))
    result = run_cli(vault, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "7 entries" in result.stdout
    log = run_cli(vault, "audit", "log", "--json")
    assert [e["action"] for e in json.loads(log.stdout)["events"]] == [
        "vault.created",
        "user.added",  # the owner, the vault's first user
        "policy.published",  # the default confidentiality policy...
        "policy.accepted",  # ...which its publisher accepts
        "client.created",
        "client.updated",
        "client.deleted",
    ]


def test_demo_from_the_command_line(vault):
    result = run_cli(vault, "demo", "--clients", "30")
    assert result.returncode == 0, result.stderr
    assert "Created 30 demo clients" in result.stdout
    assert "100%" in result.stderr  # progress
    listed = json.loads(run_cli(vault, "client", "list", "--limit", "100", "--json").stdout)
    assert len(listed) == 30


def test_status_says_it_counts_and_its_counts_are_exact(vault):
    """Every record table is read for the counts: said on standard error, output as before."""
    for n in range(3):
        _add(vault, {"name": f"Counted {n}"})
    assert run_cli(vault, "client", "delete", str(_add(vault, {"name": "Gone"}))).returncode == 0
    result = run_cli(vault, "status")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Counting the records of every table")
    assert "Records:" in result.stdout
    counted = {
        line.split()[0]: int(line.split()[1].replace(",", ""))
        for line in result.stdout.split("Records:\n", 1)[1].splitlines()
    }
    assert counted["clients"] == 3
    data = json.loads(run_cli(vault, "status", "--json").stdout)
    assert data["table_counts"]["clients"] == 3
