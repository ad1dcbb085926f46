"""Holds on the garbage collector nest, release once, and restore it as it was found."""

from __future__ import annotations

import gc
import threading

from warroom.gcpause import MIN_BATCH, collector_paused


def test_holds_nest_and_the_last_release_enables_the_collector() -> None:
    assert gc.isenabled()
    startup = collector_paused()
    with collector_paused(MIN_BATCH):
        assert not gc.isenabled()
        startup.release()
        startup.release()  # once only: the block's hold still counts
        assert not gc.isenabled()
    assert gc.isenabled()


def test_small_batches_and_other_threads() -> None:
    with collector_paused(MIN_BATCH - 1):
        assert gc.isenabled()
    held = collector_paused()
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(_paused_in_thread()))
    worker.start()
    worker.join()
    assert seen == [False] and not gc.isenabled()
    held.release()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _paused_in_thread() -> bool:
    with collector_paused():
        return gc.isenabled()
