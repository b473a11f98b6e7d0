"""An import pauses the garbage collector's automatic walks, and only while it runs."""

from __future__ import annotations

import gc
import threading

import pytest

from crmdesk.services.gc_pause import collections_paused


def test_the_collector_is_paused_inside_and_on_again_after_the_last_block():
    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_an_error_inside_still_ends_the_pause():
    with pytest.raises(ZeroDivisionError), collections_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_blocks_on_two_threads_end_the_pause_when_both_are_done():
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collections_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with collections_paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's block is still open
    leave.set()
    thread.join(10)
    assert gc.isenabled()
