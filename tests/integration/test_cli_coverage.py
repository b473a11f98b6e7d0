"""Coverage and the meeting brief on the command line: text and JSON, on known data."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

from crmdesk.commands import common_args
from crmdesk.domain.classification import COVERAGE_KEYS
from crmdesk.reports.paper import PAPERS
from tests.integration.cli import run_cli
from tests.services.conftest import full_client

pytestmark = pytest.mark.keyring

BARE = {
    "name": "Bare Co",
    "email": "info@bare.example",
    "interactions": [{"date": "2026-01-02", "kind": "call"}],
}
PRICED = {"name": "Priced Co", "pricing": [{"product": "Widget", "price": "9.50"}]}


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    assert run_cli(folder, "init", "--name", "Nguyễn Thị Minh", "--login", "minh").returncode == 0
    for data in (full_client(), BARE, PRICED):
        added = run_cli(folder, "client", "add", stdin=json.dumps(data))
        assert added.returncode == 0, added.stderr
    return folder


def test_the_parser_names_the_same_kinds_and_papers_as_the_code():
    assert common_args.COVERAGE_KEYS == COVERAGE_KEYS
    assert tuple(PAPERS) == common_args.PAPERS


def test_client_list_shows_what_is_on_file_and_filters_what_is_missing(vault):
    listed = run_cli(vault, "client", "list", "--sort", "coverage")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[-2:] == ["ON", "FILE"]
    assert [line.split()[-1] for line in lines[1:]] == ["0/7", "1/7", "7/7"]
    assert "Bare Co" in lines[1] and "Zoë's Bakery" in lines[3]

    missing = run_cli(vault, "client", "list", "--missing", "pricing", "--json")
    assert missing.returncode == 0, missing.stderr
    rows = json.loads(missing.stdout)
    assert [r["name"] for r in rows] == ["Bare Co"]
    assert rows[0]["coverage"]["held"] == 0
    assert rows[0]["coverage"]["categories"]["interactions"] == "missing"  # no summary

    both = run_cli(vault, "client", "list", "--missing", "seasonal-needs",
                   "--missing", "personal_profiles")  # fmt: skip
    assert [line.split()[1] for line in both.stdout.splitlines()[1:]] == ["Bare", "Priced"]

    wrong = run_cli(vault, "client", "list", "--missing", "shoes")
    assert wrong.returncode == 2
    assert "invalid choice: 'shoes'" in wrong.stderr and "personal_profiles" in wrong.stderr


def test_client_show_gives_the_coverage(vault):
    shown = run_cli(vault, "client", "show", "3", "--json")
    coverage = json.loads(shown.stdout)["coverage"]
    assert coverage == {
        "held": 1,
        "of": 7,
        "categories": {k: "held" if k == "pricing" else "missing" for k in COVERAGE_KEYS},
        "withheld": None,
    }
    text = run_cli(vault, "client", "show", "3").stdout
    assert (
        "On file: 1 of 7 kinds; missing personal profiles, purchases, preferences, seasonal "
        "needs, specifications, interactions" in text
    )


def test_coverage_of_the_book_as_text_and_json(vault):
    data = json.loads(run_cli(vault, "coverage", "--json").stdout)
    assert data["clients"] == 3 and data["scope"] == "every client"
    assert data["book"]["categories"]["pricing"] == {"clients": 2, "percent": "66.7"}
    assert data["book"]["categories"]["preferences"] == {"clients": 1, "percent": "33.3"}
    assert data["book"]["any_value_added"] == {"clients": 2, "percent": "66.7"}
    assert data["since"]["purchases"] == "2025-12-01"  # the first order's own date
    assert [g["salesperson"] for g in data["by_salesperson"]] == ["zoe", ""]
    assert data["monthly"][-1]["clients"] == 3
    text = run_cli(vault, "coverage").stdout
    assert "Coverage of every client as of" in text
    assert "66.7% (2 of 3) hold value-added information; on average 2.7 of 7 kinds." in text
    assert re.search(r"^Purchases\s+1\s+33\.3%\s+2025-12-01$", text, re.M)
    assert re.search(r"^\(unassigned\)\s+2\s+0\.0%\s+0\.0%\s+50\.0%", text, re.M)


def test_the_brief_and_the_coverage_report_are_registered_and_traced(vault, tmp_path):
    brief = tmp_path / "brief.pdf"
    made = run_cli(vault, "report", "brief", "1", "-o", str(brief), "--paper", "letter")
    assert made.returncode == 0, made.stderr
    report_id = re.search(r"^Report ID: (\S+)$", made.stdout, re.M).group(1)
    assert "(1 pages)" in made.stdout
    reader = PdfReader(io.BytesIO(brief.read_bytes()))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.height)) == 792  # Letter
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Nguyễn Thị Minh ·" in text and report_id in text and "Zoë's Bakery" in text
    traced = json.loads(run_cli(vault, "trace", report_id, "--json").stdout)
    assert traced["report_id"] == report_id and traced["kind"] == "meeting-brief"
    assert traced["client_ids"] == [1] and traced["page_count"] == 1

    cover = tmp_path / "coverage.pdf"
    made = run_cli(vault, "report", "coverage", "-o", str(cover), "--paper", "a4")
    assert made.returncode == 0, made.stderr
    first = PdfReader(io.BytesIO(cover.read_bytes())).pages[0]
    assert round(float(first.mediabox.height)) == 842  # A4
    assert "2 of them (66.7%) hold value-added information" in " ".join(
        first.extract_text().split()
    )
