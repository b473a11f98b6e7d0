"""The role matrix through the real ``crmdesk`` command: each role x each command.

The office is set up through the services (keys in the real Secret Service), then
every command runs signed in as one person: allowed ones exit 0, refused ones exit 6
with a message naming who may.
"""

from __future__ import annotations

import json

import pytest

from crmdesk.services.clients import ClientService
from crmdesk.services.session import create_vault
from crmdesk.vault import Owner
from tests.integration.cli import run_cli
from tests.services.office import PASSWORDS, fast_passwords, make_office  # noqa: F401

pytestmark = pytest.mark.keyring

ALL = {"zoe", "mia", "sam", "ann"}
MANAGERS = {"zoe", "mia"}
SELLERS = {"zoe", "mia", "sam"}
OWNER = {"zoe"}


@pytest.fixture
def office(tmp_path, fast_passwords):  # noqa: F811
    folder = tmp_path / "vault"
    session, _ = create_vault(folder, Owner("Zoë Łukasiewicz", "zoe", "Łukasiewicz Trading"))
    office = make_office(session.vault)
    ids = {"zoes": office.zoes_client, "sams": office.sams_client}
    for login in ("mia", "sam", "ann"):
        office.session(login).close()  # first password changed, policy accepted
    for login in sorted(ALL):
        ids[f"doomed-{login}"] = ClientService(session).add({"name": f"Delete Me {login}"})
    session.close()
    return folder, ids


def commands(ids: dict[str, int], login: str, tmp) -> list[tuple[list[str], str, set[str]]]:
    zoes = str(ids["zoes"])
    return [
        (["client", "list"], "", ALL),
        (["client", "show", zoes, "--json"], "", ALL),
        (["client", "add"], json.dumps({"name": f"New from {login}"}), ALL),
        (["search", "Harbour"], "", ALL),
        (["client", "update", zoes], json.dumps({"phone": "+1 202 555 0199"}), ALL),
        (["client", "update", zoes], json.dumps({"notes": f"plan by {login}"}), MANAGERS),
        (["client", "delete", str(ids[f"doomed-{login}"])], "", MANAGERS),
        (["report", "client", zoes, "-o", str(tmp / "c.pdf")], "", SELLERS),
        (["report", "list", "-o", str(tmp / "l.pdf")], "", MANAGERS),
        (["report", "calls", "-o", str(tmp / "k.pdf")], "", ALL),
        (["user", "list"], "", OWNER),
        (["audit", "log"], "", OWNER),
        (["policy", "status"], "", OWNER),
        (["report", "measures", "-o", str(tmp / "m.pdf")], "", OWNER),
        (["rekey", "--reason", "test"], "", OWNER),
    ]


@pytest.mark.parametrize("login", sorted(ALL))
def test_every_command_obeys_the_role(office, tmp_path, login):
    folder, ids = office
    env = {"CRMDESK_USER": login, "CRMDESK_PASSWORD": PASSWORDS[login]}
    for args, stdin, allowed in commands(ids, login, tmp_path):
        result = run_cli(folder, *args, stdin=stdin, env=env)
        if login in allowed:
            assert result.returncode == 0, (login, args, result.stderr)
        else:
            assert result.returncode == 6, (login, args, result.stderr)
            assert "only the" in result.stderr and "may" in result.stderr, result.stderr
    shown = json.loads(run_cli(folder, "client", "show", str(ids["zoes"]), "--json",
                               env=env).stdout)  # fmt: skip
    assert shown.get("redacted", False) is (login in {"sam", "ann"})
