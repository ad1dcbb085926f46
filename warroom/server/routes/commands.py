"""`POST /commands`: run any command (the CLI's full set) as the token's person."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from warroom.domain.commands import AnyCommand, parse_command
from warroom.server.deps import Parts, PartsDep, Reader, Sender, bot_may
from warroom.server.errors import ApiError, error_response

router = APIRouter(tags=["commands"])

MAX_KEY = 200
COMMAND_SCHEMA_REF = {"$ref": "#/components/schemas/CommandRequest"}


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (400 otherwise)."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else None
    except ValueError as exc:
        raise ApiError(400, f"body: not valid JSON ({exc})", field="body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "body: expected a JSON object", field="body")
    return data


def pick_key(data: dict[str, Any], header: str | None) -> str | None:
    """The idempotency key from the body or the `Idempotency-Key` header (they must agree)."""
    body_key = data.pop("idempotency_key", None)
    if body_key is not None and not isinstance(body_key, str):
        raise ApiError(422, "idempotency_key: must be a string", field="idempotency_key")
    if body_key and header and body_key != header:
        raise ApiError(422, "idempotency_key: differs from the Idempotency-Key header",
                       field="idempotency_key")
    key = body_key or header or None
    if key is not None and not 0 < len(key) <= MAX_KEY:
        raise ApiError(422, f"idempotency_key: must be 1 to {MAX_KEY} characters",
                       field="idempotency_key")
    return key


def parse(data: dict[str, Any]) -> AnyCommand:
    """Validate a command (`InvalidInput`, so 422 naming the bad field)."""
    return parse_command(data)


async def execute(parts: Parts, command: AnyCommand, person: str,
                  key: str | None) -> dict[str, Any]:
    """Run a command as `person` and wake the stream at once."""
    result = await run_in_threadpool(parts.service.execute, command, person, key)
    if result.get("seqs") and not result.get("duplicate"):
        parts.broker.nudge()
    return {**result, "actor": person}


@router.post(
    "/commands",
    summary="Run a command",
    openapi_extra={"requestBody": {
        "required": True, "content": {"application/json": {"schema": COMMAND_SCHEMA_REF}}}},
)
async def post_command(
    request: Request,
    parts: PartsDep,
    who: Sender,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Run one command as the token's person: the same command set and rules as the CLI.

    Body: a command object (`type` selects the verb) plus an optional `idempotency_key`
    (or the `Idempotency-Key` header). The same key posted again returns the first outcome
    with `duplicate: true` and writes nothing.
    """
    data = await json_object(request)
    bot_may(who, data.get("type"))
    key = pick_key(data, idempotency_key)
    command = parse(data)
    return JSONResponse(await execute(parts, command, who.person, key))


@router.get("/commands/{key}", summary="Outcome of a command key")
async def get_command(key: str, parts: PartsDep, who: Reader) -> JSONResponse:
    """What a command the caller posted with this idempotency key did (404 if the caller has
    not used the key: keys are each person's own)."""
    seen = await run_in_threadpool(parts.service.lookup, who.person, key)
    if seen is None:
        return error_response(404, f"unknown idempotency key {key!r}")
    return JSONResponse({**seen, "duplicate": True})
