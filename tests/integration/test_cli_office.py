"""An office of laptops through the real ``crmdesk`` command only (issue 14): the owner's
vault and a salesperson's laptop vault (each its key in a real Secret Service) exchange
change files through a plain shared folder."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.cli import run_cli
from tests.services.office import fast_passwords  # noqa: F401

pytestmark = pytest.mark.keyring

JANE = {"CRMDESK_USER": "jane", "CRMDESK_PASSWORD": "owner password 1"}


def _ok(result):
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def owner_with_sam(owner: Path) -> None:
    """Jane's vault made by command, with her password and Sam Reed, a salesperson."""
    _ok(run_cli(owner, "init", "--name", "Jane Doe", "--login", "jane", "--company", "Doe & Co"))
    _ok(run_cli(owner, "user", "passwd", stdin="owner password 1\n"))
    _ok(
        run_cli(
            owner, "user", "add", "sam", "--name", "Sam Reed", "--role", "salesperson",
            stdin="initial password 1\nowner password 1\n",
        )
    )  # fmt: skip


@dataclass
class Office:
    owner: Path
    laptop: Path
    shared: Path
    invitation: Path
    tmp: Path

    def at_owner(self, *args: str, stdin: str = ""):
        return run_cli(self.owner, *args, stdin=stdin, env=JANE)

    def at_laptop(self, *args: str, stdin: str = ""):
        return run_cli(self.laptop, *args, stdin=stdin)

    def client_id(self, on: str, name: str) -> int:
        run = self.at_owner if on == "owner" else self.at_laptop
        listed = json.loads(_ok(run("client", "list", "--json")).stdout)
        rows = listed["clients"] if isinstance(listed, dict) else listed
        return next(int(r["id"]) for r in rows if r["name"] == name)

    def show(self, on: str, client_id: int) -> dict:
        run = self.at_owner if on == "owner" else self.at_laptop
        return json.loads(_ok(run("client", "show", str(client_id), "--json")).stdout)

    def sync_all(self, rounds: int = 2) -> None:
        for _ in range(rounds):
            _ok(self.at_laptop("sync"))
            _ok(self.at_owner("sync"))


@pytest.fixture
def office(tmp_path, fast_passwords):  # noqa: F811
    """Jane's vault made an office, Sam (a salesperson) added with a client, and Sam's
    invitation written: all with commands."""
    owner, shared = tmp_path / "office-vault", tmp_path / "shared"
    owner_with_sam(owner)
    record = {"name": "Reed Supplies", "salesperson": "Sam Reed", "notes": "Decides in January"}
    _ok(run_cli(owner, "client", "add", stdin=json.dumps(record), env=JANE))
    created = _ok(run_cli(owner, "office", "create", "--sync-folder", str(shared), env=JANE))
    assert "Office id:" in created.stdout and f"Shared folder: {shared}" in created.stdout
    assert "This device:" in created.stdout
    invitation = tmp_path / "sam.invitation"
    _ok(run_cli(owner, "office", "invite", "sam", "-o", str(invitation), env=JANE))
    return Office(owner, tmp_path / "sam-laptop", shared, invitation, tmp_path)


def _join(office: Office):
    return office.at_laptop(
        "join", str(office.invitation), "--sync-folder", str(office.shared), "--name", "Sam Reed"
    )


def test_the_invitation_is_a_secret_file_never_written_over(office):
    assert stat.S_IMODE(os.stat(office.invitation).st_mode) == 0o600
    again = office.at_owner("office", "invite", "sam", "-o", str(office.invitation))
    assert again.returncode == 1 and "--force" in again.stderr
    office.invitation.chmod(0o644)
    invite = ("office", "invite", "sam", "-o", str(office.invitation))
    forced = _ok(office.at_owner(*invite, "--force"))
    assert stat.S_IMODE(os.stat(office.invitation).st_mode) == 0o600
    said = forced.stdout
    assert "holds a secret" in said and "in person or on a USB stick" in said
    assert "valid for one laptop until 20" in said
    unknown = office.at_owner("office", "invite", "nobody", "-o", str(office.tmp / "x"))
    assert unknown.returncode == 1 and "crmdesk user add LOGIN" in unknown.stderr
    assert not (office.tmp / "x").exists()


def test_a_laptop_joins_syncs_and_both_edits_of_a_client_survive(office):
    joined = _ok(_join(office))
    assert "RECOVERY KEY" in joined.stdout and "Owner: Sam Reed (sam)" in joined.stdout
    assert "No password was set for you (crmdesk user passwd sets one)." in joined.stdout
    assert "owner must sync once" in joined.stdout
    waiting = _ok(office.at_laptop("sync"))
    assert "waits for the owner's approval" in waiting.stdout
    answered = _ok(office.at_owner("sync"))
    assert "sam's laptop joined the office" in answered.stdout
    received = _ok(office.at_laptop("sync"))
    assert "Took in 1 file" in received.stdout and "clients 1 created" in received.stdout

    on_laptop = office.client_id("laptop", "Reed Supplies")
    on_owner = office.client_id("owner", "Reed Supplies")
    assert office.show("laptop", on_laptop)["notes"] == "Decides in January"
    _ok(office.at_laptop("client", "update", str(on_laptop), stdin='{"notes": "Moved to Q2"}'))
    _ok(office.at_owner("client", "update", str(on_owner), stdin='{"website": "reed.example"}'))
    office.sync_all()
    for on, client_id in (("laptop", on_laptop), ("owner", on_owner)):
        shown = office.show(on, client_id)
        assert shown["notes"] == "Moved to Q2" and shown["website"] == "https://reed.example"

    status = json.loads(_ok(office.at_laptop("sync", "status", "--json")).stdout)
    assert status["kind"] == "member" and status["login"] == "sam"
    assert status["office_name"] == "Doe & Co" and status["folder"] == str(office.shared)
    assert status["waiting_for_grant"] is False and status["changes_waiting"] == 0
    assert status["conflicts"] == 0 and status["rejected"] == []
    assert status["last_sync"].endswith("+00:00")
    (peer,) = status["peers"]
    assert peer["is_office"] and peer["files_taken"] >= 2 and peer["revoked_at"] is None
    assert peer["last_taken_at"].endswith("+00:00")
    owner_status = json.loads(_ok(office.at_owner("sync", "status", "--json")).stdout)
    assert owner_status["kind"] == "owner" and owner_status["office"] == status["office"]
    assert [p["login"] for p in owner_status["peers"]] == ["sam"]
    text = _ok(office.at_owner("sync", "status")).stdout
    assert "Office:          Doe & Co" in text and "the office's own vault" in text
    (sams,) = owner_status["peers"]
    assert any(
        line.split()[:2] == ["sam", sams["device"][:8]] and "taken, last 20" in line
        for line in text.splitlines()
    ), text


def test_a_conflict_is_listed_and_settled_by_command(office):
    _ok(_join(office))
    office.sync_all()
    on_laptop = office.client_id("laptop", "Reed Supplies")
    on_owner = office.client_id("owner", "Reed Supplies")
    _ok(office.at_laptop("client", "update", str(on_laptop), stdin='{"website": "sam.example"}'))
    _ok(office.at_owner("client", "update", str(on_owner), stdin='{"website": "jane.example"}'))
    office.sync_all()

    listed = _ok(office.at_owner("conflicts")).stdout
    assert f"Client {on_owner} Reed Supplies: website" in listed
    kept_line = next(line for line in listed.splitlines() if line.strip().startswith("kept:"))
    lost_line = next(line for line in listed.splitlines() if line.strip().startswith("lost:"))
    assert "by sam," in kept_line + lost_line and "by jane," in kept_line + lost_line
    assert json.loads(_ok(office.at_owner("sync", "status", "--json")).stdout)["conflicts"] == 1
    lost_id = lost_line.rsplit("[", 1)[1].rstrip("]")
    lost_value = json.loads(lost_line.split("lost: ", 1)[1].split("  by ")[0])

    wrong = office.at_owner("conflicts", "settle", str(on_owner), "website", "--keep", "zzzz")
    assert wrong.returncode == 1 and "id in brackets" in wrong.stderr
    _ok(office.at_owner("conflicts", "settle", str(on_owner), "website", "--keep", lost_id[:5]))
    assert _ok(office.at_owner("conflicts")).stdout.strip() == "No conflicts."
    office.sync_all()
    assert _ok(office.at_laptop("conflicts")).stdout.strip() == "No conflicts."
    assert office.show("laptop", on_laptop)["website"] == lost_value
    assert office.show("owner", on_owner)["website"] == lost_value


def test_a_tampered_change_file_is_refused_and_reported(office):
    _ok(_join(office))
    office.sync_all()
    on_laptop = office.client_id("laptop", "Reed Supplies")
    _ok(office.at_laptop("client", "update", str(on_laptop), stdin='{"notes": "Tampered?"}'))
    _ok(office.at_laptop("sync"))
    owner_status = json.loads(_ok(office.at_owner("sync", "status", "--json")).stdout)
    sam = next(p["device"] for p in owner_status["peers"] if p["login"] == "sam")
    newest = sorted((office.shared / owner_status["office"] / "devices" / sam).glob("*.crmsync"))
    data = bytearray(newest[-1].read_bytes())
    data[len(data) // 2] ^= 0x01
    newest[-1].write_bytes(bytes(data))

    refused = _ok(office.at_owner("sync"))  # a refusal is reported, not a failure
    assert "Refused (1)" in refused.stdout
    line = refused.stdout.split("Refused (1)", 1)[1].splitlines()[1]
    assert line.startswith(f"  {sam[:8]} #")
    on_owner = office.client_id("owner", "Reed Supplies")
    assert office.show("owner", on_owner)["notes"] == "Decides in January"
    status = json.loads(_ok(office.at_owner("sync", "status", "--json")).stdout)
    assert len(status["rejected"]) == 1 and sam[:8] in status["rejected"][0]
    assert "Refused recently" in _ok(office.at_owner("sync", "status")).stdout


def test_a_vault_that_is_no_office_says_so(office):
    plain = office.tmp / "plain"
    _ok(run_cli(plain, "init", "--name", "Ann Lee", "--login", "ann"))
    for args in (("sync", "status"), ("sync",), ("sync", "status", "--json")):
        said = run_cli(plain, *args)
        assert said.returncode == 1 and "crmdesk office create --sync-folder DIR" in said.stderr
    expired = office.tmp / "bad.invitation"
    expired.write_text("not an invitation")
    bad = run_cli(office.tmp / "other", "join", str(expired), "--sync-folder", str(office.shared),
                  "--name", "X Y")  # fmt: skip
    assert bad.returncode == 1 and "not a crmdesk invitation" in bad.stderr
    assert not (office.tmp / "other").exists()
    body = json.loads(office.invitation.read_text())
    expired.write_text(json.dumps({**body, "expires_at": "2020-01-08T10:00:00+00:00"}))
    old = run_cli(office.tmp / "other", "join", str(expired), "--sync-folder", str(office.shared),
                  "--name", "X Y")  # fmt: skip
    assert old.returncode == 1 and "crmdesk office invite sam -o FILE" in old.stderr
    assert not (office.tmp / "other").exists()


def test_a_failed_exchange_ends_non_zero_without_a_traceback(office):
    _ok(_join(office))
    office.sync_all()
    status = json.loads(_ok(office.at_laptop("sync", "status", "--json")).stdout)
    own = office.shared / status["office"] / "devices" / status["device"]
    own.mkdir(parents=True, exist_ok=True)
    taken = sorted(own.glob("changes-*.crmsync"))
    # A file in this laptop's own place that it never wrote: its own line is broken.
    (own / f"changes-{len(taken) + 1:08d}.crmsync").write_bytes(b"not a change file")
    failed = office.at_laptop("sync")
    assert failed.returncode == 1 and failed.stderr.startswith("crmdesk: ")
    assert "unexpected error" not in failed.stderr
    assert f"own file #{len(taken) + 1} in the shared folder was refused" in failed.stderr
    assert f"devices/{status['device']}" in failed.stderr


def test_a_shared_folder_that_cannot_be_used_is_said_plainly(office):
    office.shared.rename(office.tmp / "moved")
    office.shared.write_text("a file where the shared folder was")
    failed = office.at_owner("sync")
    assert failed.returncode == 1 and "cannot be read or written" in failed.stderr
    assert "connect it; then run crmdesk sync again" in failed.stderr


def test_join_asks_the_person_to_set_their_password(office):
    from crmdesk.services.signin import slot_has_password
    from crmdesk.vault.keys.keyfile import read_keyfile

    joined = _ok(
        office.at_laptop(
            "--password-stdin", "join", str(office.invitation), "--sync-folder",
            str(office.shared), "--name", "Sam Reed", stdin="sam's laptop password 1\n",
        )
    )  # fmt: skip
    assert "Your password is set." in joined.stdout
    assert slot_has_password(read_keyfile(office.laptop), "sam")
    short = run_cli(
        office.tmp / "other-laptop", "--password-stdin", "join", str(office.invitation),
        "--sync-folder", str(office.shared), "--name", "Sam Reed", stdin="x\n",
    )  # fmt: skip
    assert short.returncode == 1
    assert not (office.tmp / "other-laptop").exists()  # refused before anything was made
