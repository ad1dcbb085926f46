"""The log: events since a seq, and the live Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from typing import Annotated

import msgspec
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from warroom.domain.models import Event
from warroom.server.deps import PartsDep, Reader
from warroom.server.errors import ApiError
from warroom.server.schemas import INVALID, EventsPage

router = APIRouter(tags=["events"], responses=INVALID)

MAX_SEQ = 2**63 - 1
"""Largest seq or count a query may name (SQLite's integers are 64-bit)."""
RECHECK_S = 0.5
"""How often an open stream checks that its token is still valid (revoked: closed)."""


async def while_valid(chunks: AsyncIterator[bytes],
                      still_valid: Callable[[], bool]) -> AsyncGenerator[bytes, None]:
    """`chunks` until they end or `still_valid()` (checked every `RECHECK_S`) turns False."""
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(chunks))
            done, _ = await asyncio.wait({pending}, timeout=RECHECK_S)
            if not done:
                if not await run_in_threadpool(still_valid):
                    return
                continue
            try:
                chunk = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield chunk
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()


def events_response(events: Sequence[Event], last_seq: int, limit: int | None) -> Response:
    """`{"events": [...], "last_seq": N}`, each event encoded straight to JSON once."""
    if limit is not None:
        events = events[:limit]
    last = max(last_seq, events[-1].seq if events else 0)
    return Response(msgspec.json.encode({"events": events, "last_seq": last}),
                    media_type="application/json")


@router.get("/events", summary="Events since a seq", response_model=EventsPage)
async def get_events(
    parts: PartsDep,
    who: Reader,
    since: Annotated[int, Query(ge=0, le=MAX_SEQ,
                                description="return events with seq > since")] = 0,
    limit: Annotated[int | None, Query(ge=0, le=MAX_SEQ,
                                       description="at most this many")] = None,
) -> Response:
    """Every escalation's events with seq > `since`, in seq order, and the store's last seq."""

    def build() -> Response:
        last = parts.store.last_seq()
        return events_response(parts.store.read(since, limit=limit), last, limit)

    return await run_in_threadpool(build)


@router.get(
    "/stream",
    summary="Live events (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "`id: <seq>` and `data: <event JSON>` per event"}},
)
async def stream(
    request: Request,
    parts: PartsDep,
    who: Reader,
    since: Annotated[int | None, Query(ge=0, le=MAX_SEQ,
                                       description="start after this seq")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """New events as they are stored, one SSE message each (`id:` is the seq).

    Resumes after `Last-Event-ID` (or `?since=N`) without gaps or repeats; with neither, starts
    with the next new event. Comment lines (`: ping`) keep idle connections alive. A client that
    falls far behind is disconnected and should reconnect with `Last-Event-ID`. A stream whose
    token is revoked is closed within a second.
    """
    start: int
    if last_event_id is not None and last_event_id.strip():
        try:
            start = int(last_event_id.strip())
        except ValueError:
            raise ApiError(400, "Last-Event-ID: must be an event seq (integer)",
                           field="Last-Event-ID") from None
    elif since is not None:
        start = since
    else:
        start = parts.broker.last_seq
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    token = request.headers.get("authorization", "").partition(" ")[2].strip()

    def still_valid() -> bool:
        return parts.tokens.verify(token) is not None

    return StreamingResponse(while_valid(parts.broker.stream(start), still_valid),
                             media_type="text/event-stream", headers=headers)

