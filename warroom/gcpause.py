"""Hold the cyclic garbage collector off while building many long-lived objects.

Start-up (imports, Textual's CSS, widgets) and decoding or folding 100k events allocate hundreds
of thousands of tracked objects and little garbage: collecting then sets off several full
collections over a large heap (40-50 % of the time). Everything that holds the collector off does
it through `collector_paused`, so holds nest across threads and the collector is enabled again,
exactly as it was found, when the last one is released.
"""

from __future__ import annotations

import gc
import threading
from types import TracebackType

MIN_BATCH = 1000
"""Smaller batches are not worth pausing for."""

_lock = threading.Lock()
_holds = 0
_was_enabled = False


class Pause:
    """One hold on the collector, released once: by `release()` or by leaving a `with` block."""

    def __init__(self, active: bool) -> None:
        global _holds, _was_enabled
        self._active = active
        if not active:
            return
        with _lock:
            if _holds == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _holds += 1

    def release(self) -> None:
        """Let go (again: nothing); the last hold let go enables the collector if it was on."""
        global _holds
        with _lock:
            if not self._active:
                return
            self._active = False
            _holds -= 1
            if _holds == 0 and _was_enabled:
                gc.enable()

    def __enter__(self) -> Pause:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


def collector_paused(batch: int = MIN_BATCH) -> Pause:
    """Hold the collector off until released, if `batch` (objects to build) is large enough."""
    return Pause(batch >= MIN_BATCH)


def settle() -> None:
    """What is alive now lives long (a decoded snapshot, a folded log: millions of objects):
    move it to the collector's permanent generation, so later collections stop walking it
    again and again (a full one took ~0.4 s over a year's states). Reference counting still
    frees it; only cycles among it would stay (folded states have none)."""
    gc.freeze()
