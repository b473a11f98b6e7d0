"""Run the real ``crmdesk`` command in a child process, as a user or a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    vault: Path | None,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crmdesk"]
    if vault is not None:
        command += ["--vault", str(vault)]
    result = subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    # Whatever happened, a user never sees a traceback or SQLCipher's own log lines.
    assert "Traceback" not in result.stderr, result.stderr
    assert "hmac" not in result.stderr.lower(), result.stderr
    return result
