"""The smaller points of issue 17 (part 8), through the real ``crmdesk`` command."""

from __future__ import annotations

import json

import pytest

from crmdesk.services.signin import sign_in
from tests.integration.cli import run_cli
from tests.integration.test_cli_roles import office  # noqa: F401
from tests.services.office import PASSWORDS, fast_passwords  # noqa: F401

pytestmark = pytest.mark.keyring


def _env(login: str) -> dict[str, str]:
    return {"CRMDESK_USER": login, "CRMDESK_PASSWORD": PASSWORDS[login]}


def _trail(folder, login: str, action: str) -> list[tuple[str, dict]]:
    session = sign_in(folder, "zoe", PASSWORDS["zoe"])
    try:
        rows = session.vault.connection.execute(
            "SELECT object, details FROM audit_events WHERE actor = ? AND action = ? ORDER BY seq",
            (login, action),
        ).fetchall()
    finally:
        session.close()
    return [(obj, json.loads(details)) for obj, details in rows]


def test_one_signin_entry_per_person_per_hour_and_every_failure(office):  # noqa: F811
    folder, _ = office
    before = len(_trail(folder, "sam", "signin.ok"))
    for _ in range(4):
        assert run_cli(folder, "client", "list", env=_env("sam")).returncode == 0
    wrong = {"CRMDESK_USER": "sam", "CRMDESK_PASSWORD": "not the password"}
    for _ in range(2):
        assert run_cli(folder, "client", "list", env=wrong).returncode == 3
    assert run_cli(folder, "client", "list", env=_env("sam")).returncode == 0
    # The fixture's sign-ins were through the services (recorded each); the command
    # line's five add at most one within the hour, and each failure is recorded.
    assert len(_trail(folder, "sam", "signin.ok")) <= before + 1
    assert len(_trail(folder, "sam", "signin.failed")) == 2


def test_views_of_basic_information_are_counted_once_a_day(office):  # noqa: F811
    folder, ids = office
    for _ in range(3):
        run_cli(folder, "client", "show", str(ids["zoes"]), env=_env("ann"))
        run_cli(folder, "client", "show", str(ids["sams"]), env=_env("ann"))
    views = _trail(folder, "ann", "client.viewed")
    assert sorted(obj for obj, _ in views) == sorted(
        [f"client:{ids['zoes']}", f"client:{ids['sams']}"]
    )
    assert all(details == {"value_added": False} for _, details in views)


@pytest.mark.parametrize(
    "args",
    [
        ["report", "calls"],
        ["report", "list"],
        ["export", "--format", "csv"],
        ["report", "client", "ZOES"],
    ],
)
def test_every_output_file_keeps_the_backup_rule(office, tmp_path, args):  # noqa: F811
    folder, ids = office
    args = [str(ids["zoes"]) if a == "ZOES" else a for a in args]
    out = tmp_path / "out.file"
    out.write_bytes(b"keep me")
    refused = run_cli(folder, *args, "-o", str(out), env=_env("mia"))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert out.read_bytes() == b"keep me"
    assert refused.stdout == "" and "finished" not in refused.stderr
    missing = tmp_path / "no such folder" / "out.file"
    refused = run_cli(folder, *args, "-o", str(missing), env=_env("mia"))
    assert refused.returncode == 1 and "does not exist" in refused.stderr
    assert not missing.parent.exists()
    done = run_cli(folder, *args, "-o", str(out), "--force", env=_env("mia"))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() != b"keep me"


def test_no_progress_before_a_refusal(office, tmp_path):  # noqa: F811
    folder, _ = office
    refused = run_cli(folder, "demo", "--clients", "5", env=_env("sam"))
    assert refused.returncode == 6
    assert refused.stderr.startswith("crmdesk: ") and "Creating demo" not in refused.stderr
    refused = run_cli(
        folder, "export", "--format", "csv", "-o", str(tmp_path / "x.csv"), env=_env("ann")
    )
    assert refused.returncode == 6 and refused.stderr.startswith("crmdesk: ")


def test_the_policy_version_message_is_right(office):  # noqa: F811
    folder, _ = office
    ahead = run_cli(folder, "policy", "accept", "--version", "2", env=_env("sam"))
    assert ahead.returncode == 1
    assert "There is no version 2 of the policy: the current one is version 1" in ahead.stderr
    assert "changed to version 1 after you read version 2" not in ahead.stderr
    assert run_cli(folder, "policy", "accept", "--version", "1", env=_env("sam")).returncode == 0


def test_an_update_that_changes_nothing_says_so(office):  # noqa: F811
    folder, ids = office
    zoes = str(ids["zoes"])
    first = run_cli(
        folder, "client", "update", zoes, stdin='{"phone": "+1 202 555 0199"}', env=_env("mia")
    )
    assert first.returncode == 0 and "Updated client" in first.stdout
    again = run_cli(
        folder, "client", "update", zoes, stdin='{"phone": "+1 202 555 0199"}', env=_env("mia")
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Nothing changed: client {zoes} is still version ")


def test_account_disabled_is_said_whatever_the_password(office):  # noqa: F811
    from crmdesk.services.people import UserService

    folder, _ = office
    owner = sign_in(folder, "zoe", PASSWORDS["zoe"])
    try:
        UserService(owner).disable("ann", reason="left")
    finally:
        owner.close()
    for password in (PASSWORDS["ann"], "a wrong guess"):
        result = run_cli(
            folder, "client", "list", env={"CRMDESK_USER": "ann", "CRMDESK_PASSWORD": password}
        )
        assert result.returncode == 3 and "is disabled" in result.stderr
