"""Exports, decoy settings and tracing through the real ``crmdesk`` command, with the key
in a real Secret Service."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.integration.cli import run_cli
from tests.services.conftest import full_client
from tests.services.office import fast_passwords  # noqa: F401

pytestmark = pytest.mark.keyring

DOMAIN = "canary.example.org"


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _export_id(stdout: str) -> str:
    return re.search(r"^Export ID: (\S+)$", stdout, re.M).group(1)


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    _ok(run_cli(folder, "init", "--name", "Nguyễn Thị Minh", "--login", "minh"))
    _ok(run_cli(folder, "client", "add", stdin=json.dumps(full_client())))
    for n in range(3):
        record = {"name": f"=Client {n}", "status": "prospect", "tags": ["trade show"]}
        _ok(run_cli(folder, "client", "add", stdin=json.dumps(record)))
    return folder


def test_export_csv_then_trace_the_export(vault, tmp_path):
    out = tmp_path / "clients.csv"
    made = _ok(run_cli(vault, "export", "--format", "csv", "-o", str(out), "--status", "prospect"))
    export_id = _export_id(made.stdout)
    # No count: with decoys the rows in the file and the clients matched differ.
    assert f"Wrote {out}\n" in made.stdout and "clients)" not in made.stdout
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfClient ID,Name,Kind,Status,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    names = list(dict.fromkeys(r["Name"] for r in rows))  # a row per contact person
    assert names == ["'=Client 0", "'=Client 1", "'=Client 2"]

    traced = _ok(run_cli(vault, "trace", export_id, "--json"))
    record = json.loads(traced.stdout)
    assert record["kind"] == "export" and record["client_count"] == 3
    assert record["full_name"] == "Nguyễn Thị Minh" and record["description"] == "Status: prospect"
    human = _ok(run_cli(vault, "trace", export_id.lower()))
    assert "exported by Nguyễn Thị Minh (minh)" in human.stdout
    assert "CSV file clients.csv" in human.stdout


def test_vcard_and_calendar_exports(vault, tmp_path):
    vcf = _ok(run_cli(vault, "export", "--format", "vcf", "-o", str(tmp_path / "c.vcf")))
    assert "Wrote " in vcf.stdout and "clients)" not in vcf.stdout
    assert "FN:Zoë Łukasiewicz" in (tmp_path / "c.vcf").read_text(encoding="utf-8")
    ics = _ok(run_cli(vault, "export", "--format", "ics", "-o", str(tmp_path / "c.ics")))
    assert "Wrote " in ics.stdout and "client)" not in ics.stdout
    text = (tmp_path / "c.ics").read_bytes().decode("utf-8")
    assert text.count("BEGIN:VTODO") == 1 and "SUMMARY:Send rye samples — Zoë's Bakery" in text


def test_decoys_then_trace_a_leaked_address(vault, tmp_path):
    shown = _ok(run_cli(vault, "settings", "decoys"))
    assert "Decoys are off" in shown.stdout
    bad = run_cli(vault, "settings", "decoys", "--on", "--domain", "not a domain")
    assert bad.returncode == 1 and "domain" in bad.stderr
    on = _ok(run_cli(vault, "settings", "decoys", "--on", "--domain", DOMAIN, "--per-export", "2"))
    assert f"2 in every export, with addresses at {DOMAIN}" in on.stdout

    out = tmp_path / "leak.csv"
    made = _ok(run_cli(vault, "export", "--format", "csv", "-o", str(out)))
    assert f"Wrote {out}\n" in made.stdout  # no count that the file's rows would contradict
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    decoys = [r for r in rows if r["Emails"].endswith("@" + DOMAIN)]
    assert len({r["Client ID"] for r in rows}) == 6 and len(decoys) == 2

    traced = _ok(run_cli(vault, "trace", decoys[0]["Emails"].upper(), "--json"))
    match = json.loads(traced.stdout)["matches"][0]
    assert match["export"]["export_id"] == _export_id(made.stdout)
    assert match["export"]["login"] == "minh" and match["export"]["decoy_count"] == 2
    by_name = _ok(run_cli(vault, "trace", decoys[0]["Contact name"].lower()))
    assert f"was handed out in export {_export_id(made.stdout)}" in by_name.stdout
    assert "exported by Nguyễn Thị Minh (minh)" in by_name.stdout

    listed = _ok(run_cli(vault, "client", "list", "--json"))
    assert len(json.loads(listed.stdout)) == 4  # decoys are never clients
    _ok(run_cli(vault, "settings", "decoys", "--off"))
    plain = _ok(run_cli(vault, "export", "--format", "csv", "-o", str(tmp_path / "p.csv")))
    assert DOMAIN not in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert "Export ID:" in plain.stdout


def test_trace_names_what_it_tried(vault):
    missing = run_cli(vault, "trace", "nobody@canary.example.org")
    assert missing.returncode == 1 and "No decoy with the address" in missing.stderr
    unknown = run_cli(vault, "trace", "Jane Nobody")
    assert unknown.returncode == 1 and "not a report or export ID" in unknown.stderr


def test_a_manager_above_the_threshold_needs_the_owner(tmp_path, fast_passwords):  # noqa: F811
    folder = tmp_path / "vault"
    owner = {"CRMDESK_USER": "jane", "CRMDESK_PASSWORD": "owner password 1"}
    _ok(run_cli(folder, "init", "--name", "Jane Doe", "--login", "jane"))
    _ok(run_cli(folder, "demo", "--clients", "120"))
    _ok(run_cli(folder, "user", "passwd", stdin="owner password 1\n"))
    add = ["user", "add", "mia", "--name", "Mia Ortega", "--role", "manager"]
    _ok(run_cli(folder, *add, stdin="initial password 1\n", env=owner))
    mia = ["--user", "mia", "--password-stdin"]
    _ok(run_cli(folder, *mia, "user", "passwd", stdin="initial password 1\nmia password 123\n"))
    _ok(run_cli(folder, *mia, "policy", "accept", "--version", "1", stdin="mia password 123\n"))

    out = tmp_path / "all.csv"
    refused = run_cli(folder, *mia, "export", "--format", "csv", "-o", str(out),
                      stdin="mia password 123\n")  # fmt: skip
    assert refused.returncode == 6 and "--approve-as" in refused.stderr
    assert not out.exists()
    approved = run_cli(
        folder, *mia, "export", "--format", "csv", "-o", str(out), "--approve-as", "jane",
        stdin="mia password 123\nowner password 1\n",
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    assert f"Wrote {out}" in approved.stdout and out.exists()
    log = _ok(run_cli(folder, "audit", "log", "--json", "--action", "egress", env=owner))
    assert "egress.approved" in log.stdout
