"""Hold the cyclic garbage collector off while building many long-lived objects.

Decoding or folding 100k events allocates hundreds of thousands of tracked objects, which sets
off several full collections over a large heap (40-50 % of the time). Pauses nest across threads
and restore the collector exactly as it was found.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MIN_BATCH = 1000
"""Smaller batches are not worth it."""

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused(batch: int) -> Iterator[None]:
    """Pause the collector for the block if `batch` (objects to build) is large."""
    global _depth, _was_enabled
    if batch < MIN_BATCH:
        yield
        return
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
