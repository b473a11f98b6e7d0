"""Dependencies point one way (README, "Development"): every module obeys the rule of
its package, in every import form; and no audit event is written outside the services
(and the vault's own life-cycle events)."""

from __future__ import annotations

import ast

import pytest

from tests.architecture.imports import (
    Import,
    imports_in,
    imports_of,
    source_modules,
    target,
)
from tests.architecture.rules import OWNED_THIRD_PARTY, RULES, in_scope, rule_for


def offences(module: str, imports: list[Import]) -> list[str]:
    rule = rule_for(module)
    if rule is None:
        return [f"{module}: no rule says what it may import"]
    modules = source_modules()
    found = []
    for imp in imports:
        top = imp.origin.split(".")[0]
        if top in OWNED_THIRD_PARTY:
            if not any(in_scope(module, owner) for owner in OWNED_THIRD_PARTY[top]):
                found.append(f"{module}:{imp.line} imports {imp.origin}")
            continue
        if top != "crmdesk":
            continue
        if (imp.origin, imp.alias) == ("crmdesk", "__version__"):
            continue  # the version number: anyone may print it
        dep = target(imp, modules) or imp.origin
        allowed = (rule.scope, *rule.may_import)
        ok = any(in_scope(dep, a) for a in allowed)
        if not ok:
            found.append(f"{module}:{imp.line} imports {dep} ({rule.why})")
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.scope)
def test_each_package_imports_only_what_its_rule_allows(rule):
    checked = {name: path for name, path in source_modules().items() if rule_for(name) is rule}
    assert checked, f"the rule for {rule.scope} covers no module: remove it"
    found = [o for name, path in checked.items() for o in offences(name, imports_of(path))]
    assert found == []


def test_every_module_has_a_rule():
    assert [m for m in source_modules() if rule_for(m) is None] == []


# Each planted line is a shortcut the code once took (issue 12) or could take.
PLANTED = [
    ("crmdesk.gui.main_window", "from crmdesk import vault"),
    ("crmdesk.gui.main_window", "import crmdesk.vault.unlocked"),
    ("crmdesk.gui.data_io.import_wizard", "from crmdesk.io import mapping"),
    ("crmdesk.gui.vault_flows.welcome", "from crmdesk.reports.recovery_kit import x"),
    ("crmdesk.gui.clients.list_panel", "from ...audit import chain"),
    ("crmdesk.gui.clients.list_panel", "def f():\n    import sqlcipher3"),
    ("crmdesk.commands.vault_cmds", "from crmdesk.vault import Vault"),
    ("crmdesk.commands.import_cmds", "from ..io.mapping import guess_mapping"),
    ("crmdesk.cli", "from crmdesk.vault.paths import resolve_vault_dir"),
    ("crmdesk.services.clients", "from crmdesk.gui import app"),
    ("crmdesk.services.clients", "from PySide6.QtCore import QObject"),
    ("crmdesk.domain.entities", "from crmdesk.services import clients"),
    ("crmdesk.domain.entities", "import sqlite3"),
    ("crmdesk.reports.layout", "from crmdesk.services.reports import x"),
    ("crmdesk.io.csv_import", "from crmdesk.vault.connection import open_database"),
    ("crmdesk.vault.keys.keystore", "from crmdesk.vault.connection import open_database"),
    ("crmdesk.vault.unlocked", "from crmdesk.domain import Client"),
    ("crmdesk.selftest", "from crmdesk.vault import Vault"),
    ("crmdesk.services.clients", "import keyring"),
]


@pytest.mark.parametrize(("module", "line"), PLANTED)
def test_a_planted_shortcut_is_caught(module, line):
    is_package = source_modules()[module].stem == "__init__"
    assert offences(module, list(imports_in(line, module, is_package=is_package))) != []


RECORDERS = ("record_event", "record")
MAY_RECORD = ("crmdesk.services", "crmdesk.vault", "crmdesk.audit")


def audit_writes(module: str, source: str) -> list[str]:
    """Calls that append to the audit trail: ``x.record_event(...)``, ``audit.record(...)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr == "record_event" or (
                node.func.attr == "record" and isinstance(owner, ast.Name) and owner.id == "audit"
            ):
                found.append(f"{module}:{node.lineno}")
    return found


def test_no_audit_event_is_written_outside_the_services():
    found = [
        w
        for name, path in source_modules().items()
        if not any(in_scope(name, s) for s in MAY_RECORD)
        for w in audit_writes(name, path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_planted_audit_write_is_caught():
    assert audit_writes("crmdesk.gui.main_window", "session.vault.record_event('x', 'y')")
    assert audit_writes("crmdesk.commands.x", "audit.record(conn, vid, actor='a', action='b')")


# A Session hands the GUI and the command line its user; its vault is for services only.
EDGES = ("crmdesk.gui", "crmdesk.commands", "crmdesk.cli", "crmdesk.selftest")


def vault_uses(module: str, source: str) -> list[str]:
    return [
        f"{module}:{node.lineno} uses .vault"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr == "vault"
        and not (isinstance(node.value, ast.Name) and node.value.id == "args")
    ]


def test_the_edges_never_hold_the_vault_itself():
    found = [
        u
        for name, path in source_modules().items()
        if any(in_scope(name, e) for e in EDGES)
        for u in vault_uses(name, path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_planted_vault_use_is_caught():
    assert vault_uses("crmdesk.gui.x", "print(self._session.vault.folder)")
    assert not vault_uses("crmdesk.commands.x", "open(args.vault)")
