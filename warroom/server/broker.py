"""SSE fan-out: one watcher of the store per process, each event encoded once.

The broker follows the store two ways: `store.watch` (catches writes by anyone, e.g. a CLI on the
same file) and `nudge()` after this server's own commands (no poll delay). Both feed `_publish`,
which drops seqs already published, encodes each new event once as an SSE frame and hands the
same bytes to every subscriber's bounded queue. A subscriber that falls too far behind is dropped;
its client reconnects with `Last-Event-ID` and catches up from the recent-frame ring or the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

import msgspec

from warroom.domain.models import Event
from warroom.store.base import Store, StoreError

log = logging.getLogger("warroom.server")

PING = b": ping\n\n"


def encode(event: Event) -> bytes:
    """One SSE frame: `id:` is the seq, `data:` the event JSON (one line)."""
    return b"id: %d\ndata: %s\n\n" % (event.seq, msgspec.json.encode(event))


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive encoded events, written to every subscriber as one piece."""

    first: int
    last: int
    frames: tuple[bytes, ...]
    data: bytes

    def after(self, seq: int) -> bytes:
        """The bytes of the frames with seq > `seq`."""
        if seq < self.first:
            return self.data
        if seq >= self.last:
            return b""
        return b"".join(self.frames[seq - self.first + 1:])


class Subscriber:
    """One stream's queue of chunks (bounded; overflowing drops the subscriber)."""

    def __init__(self, start: int, maxsize: int) -> None:
        self.start = start
        """The broker's last seq when this subscriber joined: live chunks begin after it."""
        self.dropped = False
        self._chunks: deque[Chunk | bytes] = deque()
        self._maxsize = maxsize
        self._wake = asyncio.Event()

    def put(self, item: Chunk | bytes) -> None:
        """Queue a chunk or a control frame; drop the subscriber when full."""
        if self.dropped:
            return
        if len(self._chunks) >= self._maxsize:
            self.dropped = True
            self._chunks.clear()
        else:
            self._chunks.append(item)
        self._wake.set()

    def drop(self) -> None:
        """End this subscriber's stream."""
        self.dropped = True
        self._chunks.clear()
        self._wake.set()

    async def get(self) -> list[Chunk | bytes]:
        """Wait for and take everything queued (empty list once dropped)."""
        while not self._chunks and not self.dropped:
            self._wake.clear()
            await self._wake.wait()
        items = list(self._chunks)
        self._chunks.clear()
        return items


class Broker:
    """Follows the store and fans new events out to subscribers."""

    def __init__(
        self,
        store: Store,
        *,
        heartbeat: float = 10.0,
        queue_size: int = 2000,
        ring_size: int = 10000,
        coalesce: float = 0.02,
    ) -> None:
        self.store = store
        self.heartbeat = heartbeat
        self.coalesce = coalesce
        """Least seconds between two reads after nudges: under load, events arriving together
        are read, encoded and written to every subscriber as one chunk."""
        self.queue_size = queue_size
        self.last_seq = 0
        self.published = 0
        self.dropped = 0
        self._subs: set[Subscriber] = set()
        self._ring: deque[tuple[int, bytes]] = deque(maxlen=ring_size)
        self._nudged = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def subscribers(self) -> int:
        """How many streams are attached."""
        return len(self._subs)

    async def start(self) -> None:
        """Begin following the store from its current end."""
        self._loop = asyncio.get_running_loop()
        self.last_seq = await asyncio.to_thread(self.store.last_seq)
        self._tasks = [
            asyncio.create_task(self._follow_watch(), name="warroom-watch"),
            asyncio.create_task(self._follow_nudges(), name="warroom-nudge"),
            asyncio.create_task(self._beat(), name="warroom-heartbeat"),
        ]

    async def stop(self) -> None:
        """Stop following and end every stream."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self.close_streams()

    def close_streams(self) -> None:
        """End every open stream (server shutdown); clients reconnect elsewhere or later."""
        for sub in list(self._subs):
            sub.drop()
        self._subs.clear()

    def nudge(self) -> None:
        """Ask for an immediate read of new events (safe from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._nudged.set()
        else:
            loop.call_soon_threadsafe(self._nudged.set)

    async def _follow_watch(self) -> None:
        delay = 0.05
        while True:
            try:
                async for batch in self.store.watch(self.last_seq):
                    self._publish(batch)
                    delay = 0.05
            except asyncio.CancelledError:
                raise
            except StoreError as exc:
                # The store is unreachable: end the streams, so clients reconnect and hear
                # "503 store unavailable" (and catch up with Last-Event-ID once it is back).
                log.error("store watch failed: %s; restarting", exc)
                self.close_streams()
            except Exception:
                log.exception("store watch failed; restarting")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _follow_nudges(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._nudged.wait()
            started = loop.time()
            self._nudged.clear()
            try:
                events = await asyncio.to_thread(self.store.read, self.last_seq)
            except Exception:
                log.exception("store read failed")
                continue
            self._publish(events)
            rest = started + self.coalesce - loop.time()
            if rest > 0:
                await asyncio.sleep(rest)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            for sub in list(self._subs):
                sub.put(PING)

    def _publish(self, events: Sequence[Event]) -> None:
        fresh = [e for e in events if e.seq > self.last_seq]
        if not fresh:
            return
        if fresh[0].seq != self.last_seq + 1:
            # Never skip: a hole means a read raced past something; fetch it on the next pass.
            log.warning("gap before seq %d (last %d); re-reading", fresh[0].seq, self.last_seq)
            self.nudge()
            return
        frames = tuple(encode(e) for e in fresh)
        chunk = Chunk(fresh[0].seq, fresh[-1].seq, frames, b"".join(frames))
        self._ring.extend(zip((e.seq for e in fresh), frames, strict=True))
        self.last_seq = chunk.last
        self.published += len(frames)
        for sub in self._subs:
            sub.put(chunk)
            if sub.dropped:
                self.dropped += 1
        self._subs = {s for s in self._subs if not s.dropped}

    def recent(self, since: int, upto: int) -> bytes | None:
        """Frames for seqs in (since, upto] from the ring; None if the ring no longer has them."""
        if since >= upto:
            return b""
        if not self._ring or self._ring[0][0] > since + 1:
            return None
        first = self._ring[0][0]
        out = [frame for seq, frame in list(self._ring)[since + 1 - first:] if seq <= upto]
        return b"".join(out)

    def subscribe(self) -> Subscriber:
        """Attach a new subscriber; live chunks start after `subscriber.start`."""
        sub = Subscriber(self.last_seq, self.queue_size)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Detach a subscriber."""
        self._subs.discard(sub)

    async def stream(self, since: int, *, backlog_batch: int = 500) -> AsyncGenerator[bytes, None]:
        """Bytes of an SSE stream: events with seq > `since`, then live ones, with heartbeats.

        Ends when the subscriber is dropped (the client should resume with Last-Event-ID).
        """
        sub = self.subscribe()
        try:
            yield b"retry: 1000\n\n"
            cursor = since
            if cursor < sub.start:
                cached = self.recent(cursor, sub.start)
                if cached is not None:
                    if cached:
                        yield cached
                    cursor = sub.start
                else:
                    while cursor < sub.start:
                        events = await asyncio.to_thread(self.store.read, cursor)
                        events = [e for e in events if e.seq <= sub.start]
                        if not events:
                            break
                        for i in range(0, len(events), backlog_batch):
                            part = events[i:i + backlog_batch]
                            yield b"".join(encode(e) for e in part)
                        cursor = events[-1].seq
            while True:
                items = await sub.get()
                if sub.dropped:
                    return
                out: list[bytes] = []
                for item in items:
                    if isinstance(item, Chunk):
                        if item.last > cursor:
                            out.append(item.after(cursor))
                            cursor = item.last
                    else:
                        out.append(item)
                if out:
                    yield b"".join(out)
        finally:
            self.unsubscribe(sub)
