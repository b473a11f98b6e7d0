"""Reports and tracing from the command line, against a real Secret Service."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

from tests.integration.cli import run_cli
from tests.services.conftest import full_client

pytestmark = pytest.mark.keyring


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    assert run_cli(folder, "init", "--name", "Nguyễn Thị Minh", "--login", "minh").returncode == 0
    added = run_cli(folder, "client", "add", stdin=json.dumps(full_client()))
    assert added.returncode == 0, added.stderr
    return folder


def _report_id(stdout: str) -> str:
    return re.search(r"^Report ID: (\S+)$", stdout, re.M).group(1)


def test_report_then_trace(vault, tmp_path):
    out = tmp_path / "summary.pdf"
    made = run_cli(vault, "report", "client", "1", "-o", str(out))
    assert made.returncode == 0, made.stderr
    report_id = _report_id(made.stdout)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages]
    assert all("Nguyễn Thị Minh" in text and report_id in text for text in pages)

    traced = run_cli(vault, "trace", report_id, "--json")
    assert traced.returncode == 0, traced.stderr
    data = json.loads(traced.stdout)
    assert data["full_name"] == "Nguyễn Thị Minh" and data["client_ids"] == [1]
    human = run_cli(vault, "trace", report_id.lower())
    assert "printed by Nguyễn Thị Minh (minh)" in human.stdout


def test_list_and_call_reports(vault, tmp_path):
    listed = run_cli(vault, "report", "list", "-o", str(tmp_path / "l.pdf"), "--status", "active")
    assert listed.returncode == 0, listed.stderr
    calls = run_cli(vault, "report", "calls", "-o", str(tmp_path / "c.pdf"))
    assert calls.returncode == 0, calls.stderr
    assert _report_id(listed.stdout) != _report_id(calls.stdout)


def test_unknown_report_id_gets_a_clear_answer(vault):
    result = run_cli(vault, "trace", "ABCD-EFGH-JK0")
    assert result.returncode == 1
    assert "No report with ID" in result.stderr or "typo" in result.stderr
