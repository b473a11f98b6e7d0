"""Every role through every client command's text and JSON output (issue 17, part 1).

Where information exists but is not the person's to see, the output says
"Withheld: not your client (ask …)" and never "none recorded", "0 orders" or a crash.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.cli import run_cli
from tests.integration.test_cli_roles import ALL, office  # noqa: F401
from tests.services.office import PASSWORDS, fast_passwords  # noqa: F401

pytestmark = pytest.mark.keyring

LIMITED = {"sam": {"zoes"}, "ann": {"zoes", "sams"}}  # whose clients each may not see in full
EMPTY_WORDS = ("None recorded", "No purchases", "0 orders", "0 pricing", "unexpected error")


def _env(login: str) -> dict[str, str]:
    return {"CRMDESK_USER": login, "CRMDESK_PASSWORD": PASSWORDS[login]}


@pytest.mark.parametrize("login", sorted(ALL))
@pytest.mark.parametrize("whose", ["zoes", "sams"])
def test_client_show_says_what_is_withheld(office, login, whose):  # noqa: F811
    folder, ids = office
    text = run_cli(folder, "client", "show", str(ids[whose]), env=_env(login))
    assert text.returncode == 0, text.stderr
    data = json.loads(
        run_cli(folder, "client", "show", str(ids[whose]), "--json", env=_env(login)).stdout
    )
    for words in EMPTY_WORDS:
        assert words not in text.stdout, text.stdout
    if whose in LIMITED.get(login, set()):
        assert "Withheld: not your client (ask " in text.stdout
        assert "Zoë Łukasiewicz (owner)" in text.stdout and "Mia Ortega (manager)" in text.stdout
        assert "Purchases: Withheld" in text.stdout
        assert list(data)[:2] == ["redacted", "withheld"]  # before the emptied lists
        assert data["withheld"]["note"].startswith("Withheld: not your client (ask ")
        assert "purchases" in data["withheld"]["parts"]
    else:
        assert "Withheld" not in text.stdout
        assert "Purchases: 1 orders" in text.stdout
        assert "redacted" not in data and "withheld" not in data


@pytest.mark.parametrize("login", sorted(ALL))
def test_lists_and_searches_say_what_is_withheld(office, login):  # noqa: F811
    folder, _ = office
    for args in (["client", "list"], ["search", "Harbour"]):
        text = run_cli(folder, *args, env=_env(login))
        assert text.returncode == 0, (args, text.stderr)
        rows = json.loads(run_cli(folder, *args, "--json", env=_env(login)).stdout)
        limited = [r for r in rows if r["coverage"]["held"] is None]
        if login in LIMITED and limited:
            assert "(withheld: not your client (ask " in text.stdout, text.stdout
            assert all(r["withheld"].startswith("Withheld: not your client") for r in limited)
        else:
            assert "withheld" not in text.stdout.lower()
            assert all("withheld" not in r for r in rows)


def test_a_salespersons_summary_of_anothers_client_says_withheld(office, tmp_path):  # noqa: F811
    from pypdf import PdfReader

    folder, ids = office
    login = "sam"  # an Assistant prints no client summary (the role table)
    out = tmp_path / "c.pdf"
    result = run_cli(folder, "report", "client", str(ids["zoes"]), "-o", str(out), env=_env(login))
    assert result.returncode == 0, result.stderr
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "No purchases recorded" not in text and "None recorded" not in text
    assert text.count("Withheld: not your client") >= 6


def test_a_salespersons_meeting_brief_says_whom_to_ask(office, tmp_path):  # noqa: F811
    from pypdf import PdfReader

    folder, ids = office
    out = tmp_path / "b.pdf"
    result = run_cli(folder, "report", "brief", str(ids["zoes"]), "-o", str(out), env=_env("sam"))
    assert result.returncode == 0, result.stderr
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert len(PdfReader(out).pages) == 1
    assert "Withheld: not your client" in text and "ask Zoë Łukasiewicz (owner)" in text, text


# -- the other commands that put client information out: coverage, the list report, export


REFUSED = {
    ("coverage", "ann"): "As an Assistant you may not see value-added information",
    ("report list", "ann"): "As an Assistant you may not print a list of clients",
    ("report list", "sam"): "As a Salesperson you may not print a list of clients",
    ("export", "ann"): "As an Assistant you may not export or copy lists of clients",
    ("export", "sam"): "As a Salesperson you may not export or copy lists of clients",
}


@pytest.mark.parametrize("login", sorted(ALL))
def test_coverage_says_whose_clients_it_covers(office, login):  # noqa: F811
    folder, _ = office
    result = run_cli(folder, "coverage", env=_env(login))
    refused = REFUSED.get(("coverage", login))
    if refused:
        assert result.returncode == 6 and refused in result.stderr, result.stderr
        assert "only the Owner, Manager or the client's assigned Salesperson may" in result.stderr
        assert result.stdout == ""
        return
    assert result.returncode == 0, result.stderr
    if login == "sam":  # his own clients only, said in the title
        assert "Coverage of the clients of Sam Reed" in result.stdout
        assert "1 clients" in result.stdout
    else:
        assert "Coverage of every client" in result.stdout
    assert "Personal profiles" in result.stdout and "unexpected error" not in result.stdout


@pytest.mark.parametrize("login", sorted(ALL))
def test_the_list_report_and_export_per_role(office, login, tmp_path):  # noqa: F811
    from pypdf import PdfReader

    folder, _ = office
    pdf, csv = tmp_path / "list.pdf", tmp_path / "clients.csv"
    for command, args, out in (
        ("report list", ["report", "list", "-o", str(pdf)], pdf),
        ("export", ["export", "--format", "csv", "-o", str(csv)], csv),
    ):
        result = run_cli(folder, *args, env=_env(login))
        refused = REFUSED.get((command, login))
        if refused:
            assert result.returncode == 6 and refused in result.stderr, result.stderr
            assert "only the Owner or Manager may" in result.stderr
            assert not out.exists()  # refused before anything was written
            continue
        assert result.returncode == 0, result.stderr
        if out is pdf:
            text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
            assert "Harbour Foods" in text and "Reed Supplies" in text
            assert "59.97" in text and "withheld" not in text.lower()
        else:
            rows = out.read_text(encoding="utf-8-sig").splitlines()
            assert rows[0].startswith("Client ID,Name,") and any("Harbour Foods" in r for r in rows)
