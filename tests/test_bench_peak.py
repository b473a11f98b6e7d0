"""The benchmark's peak memory of a child process is the child's own.

Linux counts in a child's ``ru_maxrss`` the resident set its parent had when it forked,
so the benchmark, grown to a gigabyte by then, once reported a gigabyte for reports that
used a fifth of it (issue 19's list and Access report figures).
"""

from __future__ import annotations

from benchmarks.common import own_peak_bytes, run_child

PARENT_BYTES = 400 * 1024 * 1024


def test_a_child_peak_leaves_out_what_the_parent_holds() -> None:
    held = bytearray(PARENT_BYTES)
    held[::4096] = b"\1" * len(range(0, PARENT_BYTES, 4096))  # every page resident
    parent = own_peak_bytes()
    assert parent is not None and parent > PARENT_BYTES  # the parent does hold it

    child = run_child("benchmarks.child", "idle")

    assert child.made == "nothing"
    # Python with the reports imported: well under what the parent holds.
    assert 20 < child.peak_mb < PARENT_BYTES / 2 / 1e6
    del held
