"""Decoys that blend in (issue 17, part 5), through the real ``crmdesk`` command: the
same decoys in every export of one person, filled in like the vault's real records,
at contact points the owner lists, and no count that the file contradicts."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.integration.cli import run_cli

pytestmark = pytest.mark.keyring

DOMAINS = ("harbour-trading.example", "north-mill.example", "blue-kettle.example")


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    _ok(run_cli(folder, "init", "--name", "Jane Doe", "--login", "jane"))
    for n in range(12):
        record = {
            "name": f"Real Client {n:02d}",
            "status": "active",
            "website": f"https://real{n}.example.net",
            "notes": "Orders in spring.",
            "email": f"office@real{n}.example.net",
            "contacts": [{"name": f"Person {n}", "email": f"p{n}@real{n}.example.net"}],
        }
        _ok(run_cli(folder, "client", "add", stdin=json.dumps(record)))
    _ok(
        run_cli(
            folder, "settings", "decoys", "--on", "--domain", "canary.example.org",
            "--more-domain", DOMAINS[0], "--more-domain", DOMAINS[1],
            "--more-domain", DOMAINS[2], "--address", "desk.sales@owner-mail.example",
            "--phone", "+1 202 555 0142", "--per-export", "3",
        )
    )  # fmt: skip
    return folder


def test_two_exports_by_one_person_hold_the_same_decoys(vault, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    made = _ok(run_cli(vault, "export", "--format", "csv", "-o", str(first)))
    _ok(run_cli(vault, "export", "--format", "csv", "-o", str(second)))
    assert first.read_bytes() == second.read_bytes()  # nothing to compare
    rows = _rows(first)
    assert len(rows) == 15
    assert f"Wrote {first}\n" in made.stdout and "clients)" not in made.stdout
    decoys = [r for r in rows if not r["Name"].startswith("Real Client")]
    assert len(decoys) == 3
    contacts = sorted(r["Contact emails"] for r in decoys)
    assert "desk.sales@owner-mail.example" in contacts  # the listed address first
    # Filled in like the real ones: a website and notes, its own office address.
    assert all(r["Website"] and r["Notes"] for r in decoys), decoys
    assert all(r["Emails"] != r["Contact emails"] for r in decoys)
    assert len({r["Emails"].rsplit("@", 1)[1] for r in decoys}) >= 2  # not one shared domain
    digits = [re.sub(r"\D", "", r["Contact phones"]) for r in decoys]
    assert "12025550142" in digits  # the number the owner listed


def test_decoy_vcards_keep_their_uids_like_real_ones(vault, tmp_path):
    uids = []
    for name in ("a.vcf", "b.vcf"):
        _ok(run_cli(vault, "export", "--format", "vcf", "-o", str(tmp_path / name)))
        uids.append(re.findall(r"^UID:(\S+)", (tmp_path / name).read_text(), re.M))
    assert uids[0] == uids[1] and len(uids[0]) == len(set(uids[0]))


def test_a_decoy_traced_by_any_of_its_addresses(vault, tmp_path):
    out = tmp_path / "a.csv"
    _ok(run_cli(vault, "export", "--format", "csv", "-o", str(out)))
    decoy = next(r for r in _rows(out) if not r["Name"].startswith("Real Client"))
    for address in (decoy["Emails"], decoy["Contact emails"]):
        traced = _ok(run_cli(vault, "trace", address, "--json"))
        assert json.loads(traced.stdout)["kind"] == "decoy"
