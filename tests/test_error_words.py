"""Errors carry a code and facts; the command line and the app each word them.

- The core (services, vault, io, domain, audit, reports) names no command-line flag or
  command in anything a person may read: those words belong to the command line.
- Every code raised has words at each edge that can show it, or is declared neutral
  there (its message is right as it is), and every template uses only facts its raise
  sites give.
- The command line names its flags and commands for the important codes.
- gui/ and commands/ never decide what happened by reading an error's words.

The app's words, checked against its real menus and buttons, are in
tests/gui/test_error_words_gui.py.
"""

from __future__ import annotations

import argparse
import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from crmdesk.cli import build_parser
from crmdesk.commands import words as cli_words
from crmdesk.domain.alerts import AlertThresholds, ThresholdError
from crmdesk.errors import BadInput, CrmdeskError, KeyringUnavailable, template_fields
from crmdesk.gui import words as gui_words
from crmdesk.io.import_dates import DateEvidence
from crmdesk.vault.keys.keystore import key_missing, system_keystore
from crmdesk.vault.location import warning_text
from tests.integration.cli import run_cli

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crmdesk"
CORE = ("services", "vault", "io", "domain", "audit", "reports")


def _modules(*parts: str) -> list[Path]:
    roots = [PACKAGE / p for p in parts] if parts else [PACKAGE]
    return sorted(p for root in roots for p in (root.rglob("*.py") if root.is_dir() else [root]))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


# -- (a) the core names no flag and no command ------------------------------------------


def _commands() -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(subparsers.choices)


# Strings that name a command but never reach a person as an error or a notice, each
# with the reason.
_NOT_FOR_PEOPLE = {
    # The hash input of the audit trail's first entry: changing it breaks every vault.
    ("audit/chain.py", "crmdesk audit genesis:"),
    # What an owner signs to vouch for an audit key generation: changing it voids them.
    ("services/audit_keys.py", "crmdesk audit key v1"),
    # The printed recovery kit names both ways on purpose: the command for people at a
    # terminal, and the app's "Restore access with a recovery key" choice.
    ("reports/recovery_kit.py", "crmdesk recover"),
    # PDF metadata keywords: "crmdesk report <ID>" makes a report findable by its ID.
    ("reports/recovery_kit.py", "crmdesk report "),
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def _literals(path: Path):
    """Every str literal of a module (f-strings' fixed parts too), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def _cli_phrases(text: str, commands: list[str]) -> list[str]:
    # "a crmdesk backup file" is a kind of file, not the command.
    command = re.compile(r"\bcrmdesk (?:" + "|".join(commands) + r")\b(?! file)")
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
    return command.findall(text) + flag.findall(text)


def test_the_core_names_no_command_line_flag_or_command():
    commands = _commands()
    assert {"init", "recover", "import", "restore", "backup"} <= set(commands)
    offences, used = [], set()
    for path in _modules(*CORE):
        for line, text in _literals(path):
            found = _cli_phrases(text, commands)
            allowed = {(f, a) for f, a in _NOT_FOR_PEOPLE if _rel(path) == f and a in text}
            used |= allowed if found else set()
            if found and not allowed:
                offences.append(f"{_rel(path)}:{line}: {found} in {text[:60]!r}")
    assert offences == []
    assert used == _NOT_FOR_PEOPLE  # each exception still has a string to excuse


def test_the_flag_check_finds_what_it_looks_for():
    commands = _commands()
    assert _cli_phrases("import it with --format csv.", commands) == ["--format"]
    assert _cli_phrases("use your recovery key: crmdesk recover.", commands) == ["crmdesk recover"]
    assert _cli_phrases("(crmdesk init --passphrase-stdin)", commands) == [
        "crmdesk init",
        "--passphrase-stdin",
    ]
    # Not flags or commands: a birthday without a year, crmdesk as the subject.
    assert _cli_phrases("--12-02 is kept; crmdesk records who did what", commands) == []


# -- (b) every code raised has words or is declared neutral, at each edge ---------------


def _error_classes() -> set[str]:
    """The names of CrmdeskError and every class under it defined in src/."""
    bases: dict[str, set[str]] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id for b in node.bases if isinstance(b, ast.Name)}
    found = {"CrmdeskError"}
    while True:
        more = {name for name, of in bases.items() if of & found} - found
        if not more:
            return found
        found |= more


def _code_values(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _code_values(node.body), _code_values(node.orelse)
        if body is not None and orelse is not None:
            return body + orelse
    return None


def _raised_codes() -> dict[str, list[tuple[str, set[str]]]]:
    """Each code given at a raise site in src/: where, and the facts given there (None
    when a site passes facts on with ``**``)."""
    sites: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            codes: list[str] | None = None
            facts: set[str] = set()
            if "code" in keywords:
                codes = _code_values(keywords["code"])
                facts = {k for k in keywords if k not in ("code", None)}
                if None in keywords:  # **facts passed on: an error re-raised with its code
                    continue
                if codes is None:
                    continue  # checked by test_every_raise_sets_its_code
            elif (
                isinstance(node.func, ast.Name) and node.func.id == "Notice" and len(node.args) > 1
            ):
                codes = _code_values(node.args[1])
                if len(node.args) > 2 and isinstance(node.args[2], ast.Dict):
                    facts = {k.value for k in node.args[2].keys if isinstance(k, ast.Constant)}
            for code in codes or []:
                sites[code].append((f"{_rel(path)}:{node.lineno}", facts))
    return sites


def _edge_codes(edge: str) -> dict[str, list[tuple[str, set[str]]]]:
    """The codes an edge can show: raised anywhere but in the other edge."""
    other = ("gui/",) if edge == "cli" else ("commands/", "cli.py")
    return {
        code: sites
        for code, sites in _raised_codes().items()
        if not code.startswith("field.")  # a field's problem: listed inside record.invalid
        and any(not where.startswith(other) for where, _ in sites)
    }


EDGES = {"cli": cli_words, "gui": gui_words}


def test_the_collector_finds_the_codes():
    codes = _raised_codes()
    assert {"vault.exists", "key.missing", "signin.throttled", "import.mapping.unusable"} <= set(
        codes
    )
    assert "import.dates.ambiguous" in codes  # a notice
    assert ("vault/vault.py", frozenset({"folder"})) in {
        (where.split(":")[0], frozenset(facts)) for where, facts in codes["vault.exists"]
    }


def test_every_raise_sets_its_code():
    """A crmdesk error is raised with its code at the raise site, not left to its class."""
    classes = _error_classes()
    assert {"BadInput", "KeyMissing", "MappingError", "ImportCancelled"} <= classes
    missing = []
    for path in _modules():
        if _rel(path) == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            named = isinstance(func, ast.Name) and func.id in classes
            rebuilt = isinstance(func, ast.Call) and getattr(func.func, "id", "") == "type"
            if not (named or rebuilt):
                continue
            code = next((k.value for k in node.keywords if k.arg == "code"), None)
            passed_on = isinstance(code, ast.Attribute) and code.attr == "code"
            if code is None or (_code_values(code) is None and not passed_on):
                missing.append(f"{_rel(path)}:{node.lineno}")
    assert missing == []


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_every_code_has_words_or_is_neutral(edge):
    table = EDGES[edge]
    unworded = sorted(set(_edge_codes(edge)) - set(table.WORDS) - table.NEUTRAL)
    assert unworded == [], f"add these to {table.__name__}: WORDS or NEUTRAL"
    assert set(table.WORDS) & table.NEUTRAL == set()


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_no_words_for_codes_nothing_raises(edge):
    table = EDGES[edge]
    stale = sorted((set(table.WORDS) | table.NEUTRAL) - set(_edge_codes(edge)))
    assert stale == []


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_templates_use_only_facts_every_raise_site_gives(edge):
    table = EDGES[edge]
    sites = _raised_codes()
    wrong = [
        f"{code}: {sorted(template_fields(wording) - facts)} not given at {where}"
        for code, wording in table.WORDS.items()
        for where, facts in sites.get(code, [])
        if template_fields(wording) - facts
    ]
    assert wrong == []


def test_threshold_codes_reach_the_edges_through_the_settings():
    """Settings pass a refused threshold on as BadInput with its code and facts."""
    with pytest.raises(ThresholdError) as refused:
        AlertThresholds(failed_signins=0).validated()
    passed_on = BadInput(str(refused.value), code=refused.value.code, **refused.value.facts)
    assert passed_on.code == "threshold.out_of_range" and passed_on.facts["low"] == 1
    assert cli_words.words(passed_on) == passed_on.message


# -- (c) the command line's words ---------------------------------------------------------


def test_key_missing_names_crmdesk_recover():
    err = key_missing(None, "0" * 32)
    assert "crmdesk recover" not in err.message and "use your recovery key" in err.message
    said = cli_words.words(err)
    assert said.endswith("use your recovery key: crmdesk recover.")
    assert f"entry crmdesk/vault-{'0' * 32}" in said


def test_the_command_prints_its_own_words(tmp_path):
    result = run_cli(tmp_path / "nothing", "status")
    assert result.returncode == 1
    assert result.stderr.startswith("crmdesk: No crmdesk vault in ")
    assert "Create one with 'crmdesk init'" in result.stderr and "--vault DIR" in result.stderr


def test_an_ambiguous_date_names_date_order():
    evidence = DateEvidence()
    evidence.feed("03/04/1975", 2)
    note = evidence.decide().assumptions[0]
    assert cli_words.words(note).endswith(
        "if they are day/month/year, import with --date-order dmy"
    )
    assert "--" not in note and "--" not in gui_words.words(note)


def test_a_wrapped_error_words_its_cause_too(monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(KeyringUnavailable) as info:
        system_keystore()
    cause = info.value
    wrapped = KeyringUnavailable(
        f"{cause.message} This vault's key is kept in the OS keyring; without it, open the "
        "vault with your recovery key.",
        code="keyring.unavailable.for_vault",
        cause=cause,
    )
    said = cli_words.words(wrapped)
    assert said.startswith("No OS keyring is available on this computer.")
    assert "(crmdesk init --passphrase-stdin)" in said  # the cause, in the CLI's words
    assert said.endswith("(add --passphrase-stdin to protect it by a passphrase from then on).")
    shown = gui_words.words(wrapped)
    assert "--" not in shown and "crmdesk recover" not in shown
    assert shown.endswith(
        "(choose “Use recovery key…”) and choose a master passphrase to protect it from then on."
    )


@pytest.mark.parametrize(
    ("code", "facts", "named"),
    [
        ("backup.exists", {"path": "/b.crmbackup"}, "add --force to replace it"),
        ("signin.required", {}, "--user LOGIN"),
        ("import.mapping.no_name_guessed", {"first": "No name.", "columns": ""}, "--mapping"),
        ("egress.approval_required", {"what": "export", "count": 9, "limit": 5}, "--approve-as"),
        (
            "restore.key_missing",
            {"keyring": "Secret Service", "entry": "e"},
            "--recovery-key-stdin",
        ),
        ("signin.password_change_required", {"login": "mia"}, "crmdesk --user mia user passwd"),
        ("policy.not_accepted", {"version": 2}, "crmdesk policy accept"),
    ],
)
def test_the_command_line_names_its_flags(code, facts, named):
    err = CrmdeskError("The neutral sentence.", code=code, **facts)
    assert named in cli_words.words(err)
    assert named not in gui_words.words(err)


def test_the_sharing_warning_names_each_edges_way():
    note = warning_text(Path("/home/ann/Dropbox/vault"), "inside /home/ann/Dropbox")
    assert "--vault DIR" in cli_words.words(note) and "crmdesk backup" in cli_words.words(note)
    assert "Office › Backup settings…" in gui_words.words(note)
    for said in (cli_words.words(note), gui_words.words(note)):
        assert said.startswith("The vault folder /home/ann/Dropbox/vault is inside")


def test_a_neutral_code_prints_its_message():
    err = BadInput("Keep 1 to 100 automatic backups.", code="backup.kept_out_of_range", most=100)
    assert err.code in cli_words.NEUTRAL and err.code in gui_words.NEUTRAL
    assert cli_words.words(err) == gui_words.words(err) == err.message == str(err)


# -- (d) the edges never read an error's words --------------------------------------------

_TEXT_METHODS = {"startswith", "endswith", "replace", "split", "find", "index", "lower", "upper"}


def _reads_text(node: ast.AST) -> bool:
    """An error's words: ``x.message`` (an error's, or an inline message widget's),
    ``str(exc)``, and what is made of them (``.text()``, ``.lower()``...)."""
    if isinstance(node, ast.Attribute) and node.attr == "message":
        return True
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "str" and node.args:
            arg = node.args[0]
            return isinstance(arg, ast.Name) and arg.id in ("exc", "err", "error", "e")
        if isinstance(func, ast.Attribute) and func.attr in _TEXT_METHODS | {"text"}:
            return _reads_text(func.value)
    return False


def _inspections(source: str) -> list[int]:
    """Lines that decide something from an error's words: a comparison or ``in`` test,
    a string method, or a regular expression applied to them."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            if any(_reads_text(side) for side in [node.left, *node.comparators]):
                lines.add(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr in _TEXT_METHODS and _reads_text(func.value):
                lines.add(node.lineno)
            module = func.value
            regex = isinstance(module, ast.Name) and module.id == "re"
            if regex and any(_reads_text(arg) for arg in node.args):
                lines.add(node.lineno)
    return sorted(lines)


def test_the_edges_never_read_an_errors_words():
    offences = [
        f"{_rel(path)}:{line}"
        for path in _modules("gui", "commands", "cli.py")
        for line in _inspections(path.read_text(encoding="utf-8"))
    ]
    assert offences == []


@pytest.mark.parametrize(
    "planted",
    [
        'wrong = "The login or password is wrong" in exc.message',
        'text = exc.message.replace("The login", "That")',
        'text = re.sub(r" \\([a-z_]+\\)", "", exc.message)',
        'if "passphrase" in page.message.text().lower(): pass',
        'if str(exc).startswith("No OS keyring"): pass',
        'same = exc.message == "The vault is locked."',
    ],
)
def test_the_word_reading_check_finds_what_it_looks_for(planted):
    assert _inspections(planted) == [1]


def test_showing_words_is_not_reading_them():
    shown = (
        "box.setText(error_text(exc))\nlabel.setText(f'{exc.message} Choose another.')\n"
        "reason = ' '.join(self.reason_edit.text().split())"
    )
    decided = 'if exc.code == "signin.wrong": pass'
    assert _inspections(shown) == [] and _inspections(decided) == []
