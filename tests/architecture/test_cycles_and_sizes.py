"""No import cycles between modules, and files small enough to read."""

from __future__ import annotations

from tests.architecture.imports import PACKAGE, cycles, dependency_graph, imports_in

MAX_LINES = 600
# Data tables may be long; their code may not.
DATA_TABLES = {"domain/decoy_tables.py"}


def test_no_import_cycles():
    assert cycles(dependency_graph()) == []


def test_a_planted_cycle_is_found():
    graph = dependency_graph()
    graph["crmdesk.services.access"] = graph["crmdesk.services.access"] | {
        "crmdesk.services.clients"
    }
    found = cycles(graph)
    assert any({"crmdesk.services.access", "crmdesk.services.clients"} <= set(c) for c in found)


def test_function_local_and_relative_imports_count():
    source = "def later():\n    from ..backup import make_backup\n"
    [imp] = imports_in(source, "crmdesk.services.settings")
    assert (imp.origin, imp.alias) == ("crmdesk.backup", "make_backup")
    [imp] = imports_in("from . import backup", "crmdesk.services.settings")
    assert (imp.origin, imp.alias) == ("crmdesk.services", "backup")


def test_no_source_file_is_over_the_size_limit():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if str(p.relative_to(PACKAGE)) not in DATA_TABLES
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
