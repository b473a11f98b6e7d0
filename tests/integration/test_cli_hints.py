"""Every command crmdesk tells people to run runs as written (issue 17, part 7).

:data:`HINTS` is every hint the command line prints; a scan of the messages checks that
no hint is missing from it. Each one is run for real through ``crmdesk`` with its
placeholders filled in (on a one-user vault kept by a passphrase, the global options
given after the command, as a person would add them): argparse never refuses it
(exit 2), and most succeed outright.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import pytest

import crmdesk
from crmdesk.cli import build_parser
from tests.integration.cli import run_cli

pytestmark = pytest.mark.keyring

PHRASE = "maple harbour violet seventeen"
SOURCES = ("commands/words.py", "commands/*_cmds.py", "gui/closing.py")
# hint as printed -> the exit code it has here when run as written
HINTS: dict[str, int] = {
    'crmdesk init --name "Full Name" --login LOGIN': 0,
    'crmdesk init --name "Full Name" --login LOGIN --passphrase-stdin': 0,
    "crmdesk backup FILE": 0,
    "crmdesk recover": 1,  # no recovery key given here: refused, not misunderstood
    "crmdesk recover (add --passphrase-stdin": 1,
    "crmdesk --user OWNER recover": 1,  # no recovery key given here: refused
    "crmdesk rekey": 0,
    "crmdesk restore FILE --to DIR --recovery-key-stdin": 1,
    "crmdesk --user LOGIN restore FILE --to DIR": 1,
    "crmdesk audit verify": 0,
    "crmdesk import FILE --dry-run": 1,
    "crmdesk search NAME": 0,
    "crmdesk user list": 0,
    "crmdesk user passwd": 3,  # the password is asked for: no terminal here
    "crmdesk --user {login} user passwd": 3,
    "crmdesk policy show": 0,
    "crmdesk policy accept": 1,  # says to name the version read: the next hint
    "crmdesk policy accept --version {x}": 0,
    "crmdesk client show ID --json": 0,
    "crmdesk offboard LOGIN -o FILE": 1,
    "crmdesk settings decoys --on --domain DOMAIN": 0,
    "crmdesk settings region XX": 0,
    # An office of laptops: refused on this vault, which is not part of an office.
    "crmdesk office create --sync-folder DIR": 0,
    "crmdesk office invite LOGIN -o FILE": 1,
    "crmdesk office invite {login} -o FILE": 1,
    "crmdesk --vault DIR join FILE --sync-folder DIR": 1,  # no invitation file here
    "crmdesk --vault DIR join {x} --sync-folder DIR": 1,
    "crmdesk sync": 1,
    "crmdesk --user {login} sync": 3,  # the password is asked for: no terminal here
    "crmdesk sync status": 1,
    "crmdesk sync setup --syncthing": 1,
    "crmdesk sync setup --syncthing --device ID": 1,
    "crmdesk conflicts": 0,
    "crmdesk conflicts settle CLIENT_ID FIELD --keep VERSION": 1,
    'crmdesk user add LOGIN --name "Full Name" --role salesperson': 1,
    "crmdesk user enable LOGIN": 0,
}
# "crmdesk backup" as a noun, not a command to run.
PROSE = ("crmdesk backup file", "crmdesk backup wrote")


def _literals() -> list[str]:
    root = Path(crmdesk.__file__).parent
    texts = []
    for pattern in SOURCES:
        for path in sorted(root.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    texts.append(node.value)
                elif isinstance(node, ast.JoinedStr):
                    texts.append(
                        "".join(
                            v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values
                        )
                    )
    return texts


def test_every_hint_printed_is_in_the_list():
    commands = "|".join(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    hint = re.compile(rf"crmdesk (?:--[\w-]+(?: [A-Z]+| \{{\w+\}})? )*(?:{commands})\b[^.,;)'\n]*")
    found = {m.group(0).strip() for text in _literals() for m in hint.finditer(text)}
    missing = [
        f
        for f in found
        if not f.startswith(PROSE)
        and not any(f == h or f.startswith(h + " ") for h in HINTS)
        and not any(h.startswith(f) for h in HINTS)
    ]
    assert missing == []
    # Each listed hint is still printed (up to a value filled in when it is printed).
    printed = [h.split(" LOGIN -o")[0] for h in HINTS]
    assert [h for h in printed if not any(h in text for text in _literals())] == []


def _argv(hint: str, folder: Path, tmp: Path) -> list[str]:
    filled = hint.removesuffix(" (add --passphrase-stdin") + (
        " --passphrase-stdin" if "(add" in hint else ""
    )
    for placeholder, value in (
        ("CLIENT_ID", "1"), ("FILE", str(tmp / "file.crmbackup")), ("DIR", str(tmp / "restored")),
        ("LOGIN", "jane"), ("OWNER", "owner"), ("{login}", "jane"), ("{x}", "1"),
        ("NAME", "Acme"), ("DOMAIN", "example.com"), ("ID", "1"), ("XX", "DE"),
    ):  # fmt: skip
        filled = filled.replace(placeholder, value)
    argv = shlex.split(filled)[1:]
    if argv[:2] == ["init", "--name"] or "init" in argv:
        return [*argv, "--vault", str(tmp / f"new-{len(argv)}")]
    # The global options after the command, as a person adds them to a hint.
    extra = [] if "--passphrase-stdin" in argv else ["--passphrase-stdin"]
    return [*argv, *extra, "--vault", str(folder)]


@pytest.mark.parametrize("hint", sorted(HINTS))
def test_each_hint_runs_as_written(tmp_path, hint):
    folder = tmp_path / "vault"
    made = run_cli(
        None, "init", "--name", "Jane Doe", "--login", "jane", "--passphrase-stdin",
        "--vault", str(folder), stdin=PHRASE + "\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    added = run_cli(
        folder,
        "--passphrase-stdin",
        "client",
        "add",
        stdin=PHRASE + "\n" + json.dumps({"name": "Acme"}),
    )
    assert added.returncode == 0, added.stderr
    argv = _argv(hint, folder, tmp_path)
    result = run_cli(None, *argv, stdin=PHRASE + "\n" + PHRASE + "\n")
    assert result.returncode != 2, (argv, result.stderr)  # never a usage error
    assert result.returncode == HINTS[hint], (argv, result.stdout, result.stderr)
