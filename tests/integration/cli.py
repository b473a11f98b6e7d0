"""Run the ``crmdesk`` command as a user or a script would.

:func:`run_cli` calls :func:`crmdesk.cli.main` in this process, with its own arguments,
standard input, environment variables and output (Python's streams and file descriptor
2, where SQLCipher would log): what a child process adds to that is Python's start-up,
paid on every call. :func:`run_cli_process` runs the real ``python -m crmdesk`` in a
child process, for what only a process shows: the exit code of the real entry point, a
keyring backend chosen afresh from the environment, a key stored by one process and
read by another.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from crmdesk.cli import main


def _command(vault: Path | None, args: Sequence[str]) -> list[str]:
    return (["--vault", str(vault)] if vault is not None else []) + list(args)


_SQLCIPHER_LOG = re.compile(r"hmac check failed|sqlcipher_[a-z_]+:|ERROR CORE", re.IGNORECASE)


def _checked(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    # Whatever happened, a user never sees a traceback or SQLCipher's own log lines.
    assert "Traceback" not in result.stderr, result.stderr
    # (SQLCipher's lines read "ERROR CORE sqlcipher_page_cipher: hmac check failed…"; a
    # bare "hmac" would also match a printed recovery key's random group "HMAC".)
    assert not _SQLCIPHER_LOG.search(result.stderr), result.stderr
    return result


def run_cli(
    vault: Path | None,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``crmdesk [--vault VAULT] ARGS`` in this process; the result as a child's would be."""
    argv = _command(vault, args)
    out, err = io.StringIO(), io.StringIO()
    with (
        _environment(env or {}),
        _descriptor_2() as native_err,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _stdin(stdin),
    ):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: usage errors and --help
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return _checked(
        subprocess.CompletedProcess(
            ["crmdesk", *argv], code, out.getvalue(), err.getvalue() + native_err.getvalue()
        )
    )


def run_cli_process(
    vault: Path | None,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real ``crmdesk`` command in a child process."""
    result = subprocess.run(
        [sys.executable, "-m", "crmdesk", *_command(vault, args)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    return _checked(result)


@contextlib.contextmanager
def _environment(changes: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.StringIO(text)  # not a terminal: crmdesk never prompts, as with a pipe
    try:
        yield
    finally:
        sys.stdin = saved


class _Captured:
    def __init__(self) -> None:
        self.text = ""

    def getvalue(self) -> str:
        return self.text


@contextlib.contextmanager
def _descriptor_2() -> Iterator[_Captured]:
    """What native code (SQLCipher) writes to file descriptor 2 meanwhile."""
    captured = _Captured()
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read().decode("utf-8", errors="replace")
