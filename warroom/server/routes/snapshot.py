"""The snapshot of folded state, for a remote console's mirror to start from: it reads the log
only after the snapshot's seq, instead of folding the whole log over HTTP (a year: 1,000,000
events, ~20 s)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from warroom.server.deps import PartsDep, Reader
from warroom.server.errors import ApiError
from warroom.server.schemas import INVALID, ErrorBody
from warroom.store.snapshot import SnapshotStore

router = APIRouter(tags=["events"], responses=INVALID)

MAX_IDS = 500
"""Most escalations one request may name (`ids`)."""

MEDIA_TYPE = "application/msgpack"


class SnapshotBody(msgspec.Struct):
    """The answer: each state msgpack-encoded as the store keeps it, and the seq they are
    current as of."""

    seq: int
    states: list[bytes]


@router.get(
    "/snapshot",
    summary="The stored snapshot of folded state",
    response_class=Response,
    responses={
        200: {"content": {MEDIA_TYPE: {}},
              "description": "msgpack `{seq, states}`: every escalation's folded state "
                             "(msgpack) as of `seq`"},
        404: {"model": ErrorBody, "description": "No snapshot written by that fold version"},
    },
)
async def get_snapshot(
    parts: PartsDep,
    who: Reader,
    version: Annotated[str, Query(min_length=1, max_length=100,
                                  description="the client's fold version")],
    open_only: Annotated[bool, Query(description="only escalations neither closed nor "
                                                 "imported")] = False,
    ids: Annotated[list[str] | None, Query(max_length=MAX_IDS,
                                           description="only these escalations")] = None,
) -> Response:
    """The snapshot the server's store keeps, when a process of the same fold version wrote
    it (the log is the truth: read the events after `seq` to be current)."""
    store = parts.store

    def build() -> Response:
        found = None
        if isinstance(store, SnapshotStore):
            found = store.read_snapshot(version, open_only=open_only, ids=ids)
        if found is None:
            raise ApiError(404, f"no snapshot of fold version {version!r}", field="version")
        return Response(msgspec.msgpack.encode(SnapshotBody(found.seq, found.states)),
                        media_type=MEDIA_TYPE)

    return await run_in_threadpool(build)
