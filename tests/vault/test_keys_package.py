"""vault/keys/ holds key material only: nothing in it opens a database or reads vault.json."""

from __future__ import annotations

import ast
from pathlib import Path

KEYS = Path(__file__).resolve().parents[2] / "src" / "crmdesk" / "vault" / "keys"

# Of crmdesk itself, key material may use only the errors and its own package.
ALLOWED_OWN = ("crmdesk.errors", "crmdesk.vault.keys")
NO_DATABASE = ("sqlcipher3", "sqlite3")


def _imported(path: Path) -> set[str]:
    """Every module an import in ``path`` may load, in each form (also inside functions)."""
    package = "crmdesk.vault.keys"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top in NO_DATABASE:
        return False
    # "from crmdesk import errors" names the bare package too: that alone loads nothing.
    if top != "crmdesk" or name == "crmdesk":
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED_OWN)


def _offences(path: Path) -> list[str]:
    return [f"{path.name} imports {name}" for name in sorted(_imported(path)) if not _allowed(name)]


def test_key_material_opens_no_database():
    modules = sorted(KEYS.rglob("*.py"))
    assert len(modules) >= 5
    assert [o for path in modules for o in _offences(path)] == []


def test_the_check_sees_each_import_form(tmp_path):
    planted = tmp_path / "planted.py"
    for line, expected in (
        ("import sqlcipher3", "sqlcipher3"),
        ("from crmdesk.vault import connection", "crmdesk.vault.connection"),
        ("from ..metadata import read_metadata", "crmdesk.vault.metadata"),
        ("def f():\n    from crmdesk.vault.vault import Vault", "crmdesk.vault.vault"),
    ):
        planted.write_text(line + "\n", encoding="utf-8")
        assert any(expected in o for o in _offences(planted)), line
    planted.write_text("from crmdesk.vault.keys.vault_key import VaultKey\n", encoding="utf-8")
    assert _offences(planted) == []
