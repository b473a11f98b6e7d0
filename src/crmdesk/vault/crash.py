"""A test hook: this process dies (as by kill -9) at a named step of a multi-file change.

The crash-safety tests run a move, an upgrade or a commit in a child process with
``CRMDESK_TEST_CRASH_AT=<step>`` and check, after reopening, that nothing was lost or
duplicated (the steps of moves and upgrades are in services/client_store; the vault's
own is ``audit:committed``, between a commit and the write of its audit head). Nothing
else sets the variable; unset, a step costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal

_VARIABLE = "CRMDESK_TEST_CRASH_AT"


def point(step: str) -> None:
    if os.environ.get(_VARIABLE) == step:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
