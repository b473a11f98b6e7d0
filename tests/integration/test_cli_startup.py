"""The command line starts fast: ``--version`` and ``--help`` load nothing heavy, and a
command loads only what it needs (``client show --json`` no PDF, export or Qt code).

Each check runs ``crmdesk.cli.main`` in a fresh child process and reads the modules it
loaded from ``sys.modules``: a heavy import added at the top of ``cli.py``, a
``commands/*_args`` module or a module on a command's path makes it fail.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crmdesk.cli import build_parser
from crmdesk.commands import common_args, export_args, import_args
from crmdesk.commands.lazy import Handler
from crmdesk.domain.decoys import MAX_PER_EXPORT
from crmdesk.services.client_query import SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.exports import FORMATS
from crmdesk.services.import_mappings import DateOrder
from crmdesk.services.imports import Choice
from crmdesk.services.session import Owner, create_vault
from tests.support import FAST_KDF

PHRASE = "startup test passphrase one"

# Loaded by no command that does not print, export or show a window.
PRINTING_AND_WINDOWS = ("PySide6", "reportlab", "pypdf", "vobject", "phonenumbers")
# Besides those, --version and --help load none of the vault's and data's code.
EVERYTHING_HEAVY = (
    *PRINTING_AND_WINDOWS,
    "keyring",
    "argon2",
    "sqlcipher3",
    "cryptography",
    "crmdesk.services",
    "crmdesk.vault",
    "crmdesk.domain",
    "crmdesk.audit",
    "crmdesk.io",
    "crmdesk.reports",
    "crmdesk.gui",
)

_CHILD = """
import json, sys
from crmdesk.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as stop:
    code = stop.code
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def _loaded(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, set[str], str]:
    """Run main(args) in a fresh process: its exit code, modules loaded, and stdout."""
    report = tmp_path / "modules.json"
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(report), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.exists(), child.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    return data["code"], set(data["modules"]), child.stdout


def _heavy(modules: set[str], names: tuple[str, ...]) -> set[str]:
    return {m for m in modules for n in names if m == n or m.startswith(n + ".")}


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_nothing_heavy(tmp_path, option):
    code, modules, out = _loaded(tmp_path, option)
    assert code == 0 and out.startswith(("crmdesk ", "usage: crmdesk"))
    assert _heavy(modules, EVERYTHING_HEAVY) == set()
    assert {m for m in modules if m.endswith("_cmds")} == set()  # no handler module


def test_client_show_json_loads_no_printing_export_or_qt_code(tmp_path):
    folder = tmp_path / "vault"
    session, _ = create_vault(
        folder, Owner("Zoë Łukasiewicz", "zoe"), passphrase=PHRASE, kdf=FAST_KDF
    )
    with session:
        client_id = ClientService(session).add({"name": "Zoë's Bakery"})
    code, modules, out = _loaded(
        tmp_path,
        "--vault",
        str(folder),
        "--passphrase-stdin",
        "client",
        "show",
        str(client_id),
        "--json",
        stdin=PHRASE + "\n",
    )
    assert code == 0 and json.loads(out)["name"] == "Zoë's Bakery"
    assert "crmdesk.services.clients" in modules  # the check sees what was loaded
    assert _heavy(modules, PRINTING_AND_WINDOWS) == set()
    assert _heavy(modules, ("crmdesk.reports", "crmdesk.io", "crmdesk.gui")) == set()


# -- the light parser and the handlers it names ---------------------------------------------


def test_the_parser_choices_are_the_services_choices():
    assert list(common_args.SORT_KEYS) == [s.value for s in SortKey]
    assert list(export_args.FORMATS) == list(FORMATS)
    assert export_args.MAX_DECOYS_PER_EXPORT == MAX_PER_EXPORT
    assert list(import_args.ON_DUPLICATE) == [c.value for c in Choice]
    assert list(import_args.DATE_ORDERS) == [d.value for d in DateOrder]


def _handlers(parser: argparse.ArgumentParser, path: str = "crmdesk") -> dict[str, Handler]:
    found = {}
    if "handler" in parser._defaults:
        found[path] = parser._defaults["handler"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _handlers(sub, f"{path} {name}")
    return found


def test_every_command_names_a_handler_that_exists():
    handlers = _handlers(build_parser())
    assert len(handlers) >= 30 and "crmdesk client show" in handlers
    for command, handler in handlers.items():
        assert isinstance(handler, Handler), command
        assert handler.module.endswith("_cmds"), command
        assert callable(handler.resolve()), command
