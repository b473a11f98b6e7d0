"""The garbage collector's automatic walks paused while an import reads or writes
thousands of records.

An import's plan keeps every row it checked (a client with its contacts, lists and
problems: a dozen objects the collector tracks), and Python walks all tracked objects
again and again as their number grows: at 20,000 rows that was about a sixth of the
import's time, and more at 100,000. The import makes no reference cycles worth
collecting meanwhile, so the walks find nothing; they resume when it ends (the last
of several paused blocks, on any thread, ends the pause).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_paused = 0  # blocks inside collections_paused() now
_resume = False  # the collector was on when the first of them began


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic garbage collection inside this block (explicit gc.collect() still
    works); as it was before once the last such block ends."""
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()
