"""``crmdesk import`` as a person runs it: summaries, options, exit codes."""

from __future__ import annotations

import json

import pytest

from tests.integration.cli import run_cli

pytestmark = pytest.mark.keyring

CSV = (
    "Name,Email,Phone,Contact name,Contact birthday\r\n"
    "Zoë's Bakery,orders@zoes-bakery.example,+1 202 555 0173,Zoë Łukasiewicz,25/12/1975\r\n"
    "Bad Mail,x@,,,\r\n"
    "Zoe's Bakery,orders@zoes-bakery.example,,Ann Lee,\r\n"
)


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    result = run_cli(folder, "init", "--name", "Jane Doe", "--login", "jane")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def clients_csv(tmp_path):
    path = tmp_path / "clients.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode("utf-8"))
    return path


def listed(vault):
    result = run_cli(vault, "client", "list", "--json")
    assert result.returncode == 0, result.stderr
    return sorted(r["name"] for r in json.loads(result.stdout))


def test_dry_run_shows_the_plan_and_changes_nothing(vault, clients_csv, tmp_path):
    mapping = tmp_path / "mapping.json"
    result = run_cli(vault, "import", str(clients_csv), "--dry-run", "--save-mapping", str(mapping))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Encoding:  UTF-8 with BOM" in out and "Delimiter: comma" in out
    assert "Contact birthday -> contact.birthday" in out
    # Issue 15: a bad email address costs that address (kept in the notes), not the row.
    assert "Rows: 3; to add: 2, to merge: 0, to skip: 1" in out
    assert 'row 3 (add): invalid email: column "Email"' in out and "kept in the notes" in out
    assert "row 4: duplicate within the file: likely the same as row 2" in out
    assert "Dry run: nothing was changed." in out
    assert listed(vault) == []
    assert json.loads(mapping.read_text(encoding="utf-8"))["Email"] == "email"


def test_import_merges_on_request_and_reuses_a_mapping(vault, clients_csv, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"Name": "name", "Email": "email", "Phone": "phone", "Contact name": "contact.name"}
        ),
        encoding="utf-8",
    )
    result = run_cli(
        vault, "import", str(clients_csv), "--mapping", str(mapping), "--on-duplicate", "merge"
    )
    assert result.returncode == 0, result.stderr
    assert "mapping from --mapping" in result.stdout
    assert "Imported 2 new clients (ids 1..2), merged 1 row into 1 client" in result.stdout
    assert listed(vault) == ["Bad Mail", "Zoë's Bakery"]
    shown = json.loads(run_cli(vault, "client", "show", "1", "--json").stdout)
    assert [c["name"] for c in shown["contacts"]] == ["Zoë Łukasiewicz", "Ann Lee"]
    log = run_cli(vault, "audit", "log", "--action", "clients.imported", "--json")
    assert log.returncode == 0, log.stderr
    (event,) = json.loads(log.stdout)["events"]
    details = event["details"]
    assert (details["file"], details["added"], details["merged"]) == ("clients.csv", 2, 1)


def test_on_invalid_abort_imports_nothing(vault, clients_csv):
    result = run_cli(vault, "import", str(clients_csv), "--on-invalid", "abort")
    assert result.returncode == 1
    assert "1 row with invalid values (first: row 3" in result.stderr
    assert listed(vault) == []


def test_json_output(vault, clients_csv):
    result = run_cli(vault, "import", str(clients_csv), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["dry_run"] is False
    assert data["plan"]["counts"]["to_add"] == 2 and data["plan"]["encoding"] == "UTF-8 with BOM"
    assert data["result"]["added"] == 2 and data["result"]["skipped"] == 1
    assert {p["row"] for p in data["plan"]["problems"]} == {3, 4}


def test_vcard_import(vault, tmp_path):
    path = tmp_path / "contacts.txt"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Sam Reed\nEMAIL:sam@reed.example\nEND:VCARD\n",
        encoding="utf-8",
    )
    result = run_cli(vault, "import", str(path), "--format", "vcf")
    assert result.returncode == 0, result.stderr
    assert "vCard" in result.stdout and "Cards: 1" in result.stdout
    assert listed(vault) == ["Sam Reed"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is a PNG image, not a CSV or vCard file"),
        (b'Name,Notes\r\nA,"never closed\r\n', "ends inside a quoted value"),
        (b"Name\nZo\xc3\xab\nCaf\xe9\n", "not valid UTF-8 on line 3"),
    ],
)
def test_unreadable_files_exit_1_with_a_clear_message(vault, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run_cli(vault, "import", str(path))
    assert result.returncode == 1
    assert message in result.stderr and result.stdout == ""
    assert listed(vault) == []


def test_a_missing_file_exits_1(vault, tmp_path):
    result = run_cli(vault, "import", str(tmp_path / "nope.csv"))
    assert result.returncode == 1 and "There is no file" in result.stderr


def test_big_files_show_progress_on_stderr(vault, tmp_path):
    path = tmp_path / "big.csv"
    rows = "".join(f"Client {i:05d},client{i}@example.com,{'x' * 60}\r\n" for i in range(14_000))
    path.write_text("Name,Email,Notes\r\n" + rows, encoding="utf-8")
    assert path.stat().st_size > 1 << 20
    result = run_cli(vault, "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "Checking big.csv (KB)" in result.stderr and "Importing big.csv (KB)" in result.stderr
    assert "Imported 14,000 new clients" in result.stdout


def test_settings_region_and_import_region(vault, tmp_path):
    # Issue 15: national numbers are read in the vault's region, or in --region.
    shown = run_cli(vault, "settings", "region", "--json")
    assert shown.returncode == 0, shown.stderr
    assert set(json.loads(shown.stdout)) == {"phone_region", "set"}
    changed = run_cli(vault, "settings", "region", "de")
    assert changed.returncode == 0 and "numbers of DE" in changed.stdout
    bad = run_cli(vault, "settings", "region", "Germany")
    assert bad.returncode == 1 and "two-letter country code" in bad.stderr
    path = tmp_path / "phones.csv"
    path.write_text("Name,Phone\nKarl Müller,0351 223344\nPriya Sharma,098765 43210\n")
    plan = run_cli(vault, "import", str(path), "--dry-run")
    assert "read as numbers of DE" in plan.stdout
    result = run_cli(vault, "import", str(path), "--region", "IN", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["plan"]["counts"]["to_add"] == 2
    shown = json.loads(run_cli(vault, "client", "show", "2", "--json").stdout)
    assert shown["phones"] == ["+919876543210"]
    # Shown in the national format of the vault's region (DE), others internationally.
    second = tmp_path / "dresden.csv"
    second.write_text("Name,Phone\nAnna Schmidt,0351 223344\n")
    assert run_cli(vault, "import", str(second)).returncode == 0
    assert "Phone: 0351 223344" in run_cli(vault, "client", "show", "3").stdout
    assert "Phone: +91 98765 43210" in run_cli(vault, "client", "show", "2").stdout


def test_a_file_without_a_header_needs_a_mapping(vault, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("Acme Ltd,info@acme.example\nZoë's Bakery,orders@zoes.example\n")
    refused = run_cli(vault, "import", str(path), "--no-header")
    assert refused.returncode == 1 and "needs a mapping" in refused.stderr
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Column 1": "name", "Column 2": "email"}))
    result = run_cli(vault, "import", str(path), "--no-header", "--mapping", str(mapping))
    assert result.returncode == 0, result.stderr
    assert listed(vault) == ["Acme Ltd", "Zoë's Bakery"]
