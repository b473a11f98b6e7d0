"""Dependencies point one way: gui / cli -> services -> domain, vault, audit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crmdesk"

# For each layer, the imports it must never make.
FORBIDDEN = {
    "domain": ("PySide6", "sqlcipher3", "sqlite3", "keyring", "crmdesk.vault",
               "crmdesk.services", "crmdesk.audit", "crmdesk.commands", "crmdesk.cli",
               "crmdesk.gui", "crmdesk.reports"),
    "vault": ("PySide6", "crmdesk.services", "crmdesk.commands", "crmdesk.cli", "crmdesk.gui",
              "crmdesk.domain"),
    "audit": ("PySide6", "sqlcipher3", "crmdesk.vault", "crmdesk.services", "crmdesk.commands",
              "crmdesk.gui"),
    "services": ("PySide6", "sqlcipher3", "keyring", "crmdesk.commands", "crmdesk.cli",
                 "crmdesk.gui"),
    "gui": ("sqlcipher3", "sqlite3", "keyring", "crmdesk.vault", "crmdesk.audit",
            "crmdesk.commands", "crmdesk.cli"),
    "commands": ("PySide6", "sqlcipher3", "crmdesk.gui", "crmdesk.vault.connection"),
    # The demo data generator: the domain's entities and its own tables, nothing else.
    "demo": ("PySide6", "sqlcipher3", "sqlite3", "keyring", "crmdesk.vault", "crmdesk.services",
             "crmdesk.audit", "crmdesk.commands", "crmdesk.cli", "crmdesk.gui",
             "crmdesk.reports"),
    # File formats: stdlib, parsers and the domain only; never the vault or a service.
    "io": ("PySide6", "sqlcipher3", "sqlite3", "keyring", "crmdesk.vault", "crmdesk.services",
           "crmdesk.commands", "crmdesk.cli", "crmdesk.gui"),
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer):
    assert _modules(layer), f"no modules found in {layer}/"
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules(layer)
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


def test_qt_is_imported_only_under_gui():
    offences = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "gui" not in path.relative_to(PACKAGE).parts
        and any(n.split(".")[0] == "PySide6" for n in _imports(path))
    ]
    assert offences == []


def test_only_the_vault_opens_databases():
    offences = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] != "vault"
        and {n.split(".")[0] for n in _imports(path)} & {"sqlcipher3", "sqlite3"}
    ]
    assert offences == []
