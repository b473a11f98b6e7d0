"""The desktop package keeps its shape: no import cycles between its modules, data only
through services/, and files small enough to read.

Every import form counts: ``import a.b``, ``from a import b``, relative imports, and
imports inside functions or under ``TYPE_CHECKING`` (a cycle kept alive by any of them is
still a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
GUI = SRC / "crmdesk" / "gui"
MAX_LINES = 600
# Packages that hold data or its formats: the app reaches them through services/ only.
DATA_PACKAGES = ("crmdesk.vault", "crmdesk.audit", "crmdesk.io", "crmdesk.reports")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module name ``source`` (the text of ``module``) imports, in any form; for
    ``from a import b``, both ``a`` and ``a.b`` (b may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def gui_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in GUI.rglob("*.py")}
    return {
        name: {
            n
            for n in imported(path.read_text(encoding="utf-8"), name, path.stem == "__init__")
            if n in paths and n != name
        }
        for name, path in paths.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_reader_sees_every_form():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import words\n"
        "from ..people.gates import complete_sign_in\n"
        "if TYPE_CHECKING:\n"
        "    from crmdesk.gui.main_window import MainWindow\n"
        "def later():\n"
        "    import crmdesk.vault.vault\n"
    )
    names = imported(source, "crmdesk.gui.activity.page")
    assert {
        "crmdesk.gui.activity.words",
        "crmdesk.gui.people.gates",
        "crmdesk.gui.main_window",
        "crmdesk.vault.vault",
    } <= names


def test_the_cycle_check_finds_a_planted_cycle():
    graph = gui_graph()
    assert cycles(graph) == []
    graph["crmdesk.gui.widgets.style"] = {"crmdesk.gui.main_window"}
    assert any("crmdesk.gui.main_window" in c for c in cycles(graph))


def test_no_import_cycles_between_gui_modules():
    assert cycles(gui_graph()) == []


def test_the_gui_reaches_data_through_services_only():
    offences = []
    for path in sorted(GUI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = module_name(path)
        for imp in sorted(imported(source, name, path.stem == "__init__")):
            if any(imp == bad or imp.startswith(bad + ".") for bad in DATA_PACKAGES):
                offences.append(f"{name} imports {imp}")
        for node in ast.walk(ast.parse(source)):
            # A session's or an unlocked vault's own Vault, or an audit event written here.
            if isinstance(node, ast.Attribute) and node.attr in ("vault", "record_event"):
                offences.append(f"{name}:{node.lineno} uses .{node.attr}")
    assert offences == []


def test_no_gui_file_is_over_the_size_limit():
    long = {
        str(p.relative_to(GUI)): n
        for p in GUI.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
