"""`POST /commands`: run any command (the CLI's full set) as the token's person."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from warroom.domain.commands import AnyCommand
from warroom.server.deps import Parts, PartsDep, Reader, Sender, bot_may
from warroom.server.errors import ApiError, error_response
from warroom.server.schemas import (
    INVALID,
    MAX_KEY,
    CommandOutcome,
    CommandRequest,
    ErrorBody,
)

router = APIRouter(tags=["commands"], responses=INVALID)

KeyHeader = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=MAX_KEY,
    description="Same as the body's `idempotency_key` (they must agree when both are sent).")]


def pick_key(body_key: str | None, header: str | None) -> str | None:
    """The idempotency key from the body or the header (they must agree)."""
    if body_key and header and body_key != header:
        raise ApiError(422, "idempotency_key: differs from the Idempotency-Key header",
                       field="idempotency_key", reason="differs from the Idempotency-Key header")
    return body_key or header or None


async def execute(parts: Parts, command: AnyCommand, person: str,
                  key: str | None) -> dict[str, Any]:
    """Run a command as `person` and wake the stream at once."""
    result = await run_in_threadpool(parts.service.execute, command, person, key)
    if result.get("seqs") and not result.get("duplicate"):
        parts.broker.nudge()
    return {**result, "actor": person}


@router.post("/commands", summary="Run a command", response_model=CommandOutcome)
async def post_command(
    body: CommandRequest,
    parts: PartsDep,
    who: Sender,
    idempotency_key: KeyHeader = None,
) -> JSONResponse:
    """Run one command as the token's person: the same command set and rules as the CLI.

    Body: a command object (`type` selects the verb) plus an optional `idempotency_key`
    (or the `Idempotency-Key` header). The same key posted again returns the first outcome
    with `duplicate: true` and writes nothing.
    """
    bot_may(who, body.root.type)
    key = pick_key(body.root.idempotency_key, idempotency_key)
    return JSONResponse(await execute(parts, body.command(), who.person, key))


@router.get("/commands/{key}", summary="Outcome of a command key", response_model=CommandOutcome,
            responses={404: {"model": ErrorBody, "description": "unknown key"}})
async def get_command(key: str, parts: PartsDep, who: Reader) -> JSONResponse:
    """What a command the caller posted with this idempotency key did (404 if the caller has
    not used the key: keys are each person's own)."""
    seen = await run_in_threadpool(parts.service.lookup, who.person, key)
    if seen is None:
        return error_response(404, f"unknown idempotency key {key!r}")
    return JSONResponse({**seen, "duplicate": True})
