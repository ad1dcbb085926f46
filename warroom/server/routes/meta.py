"""Server time (for client clock-skew correction), health, identity and the policy in force."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import msgspec
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from warroom.server.deps import PartsDep, Reader
from warroom.server.errors import one_line
from warroom.server.schemas import Health, ServerTime, Whoami
from warroom.store.base import StoreError

router = APIRouter(tags=["meta"])


@router.get("/time", summary="Server time", response_model=ServerTime)
async def server_time(parts: PartsDep, who: Reader) -> JSONResponse:
    """The server's clock: clients show SLA clocks on this time (skew corrected)."""
    now = parts.clock()
    return JSONResponse({"now": now.isoformat().replace("+00:00", "Z"),
                         "timestamp": now.timestamp(), "last_seq": parts.broker.last_seq})


@router.get("/me", summary="Who this token is", response_model=Whoami)
async def me(who: Reader) -> JSONResponse:
    """The person a token acts as, and whether it is read-only."""
    return JSONResponse({"person": who.person, "read_only": who.read_only,
                         "token_id": who.token_id})


def _plain(value: Any) -> Any:
    """JSON-ready data with durations as seconds (what the policy loader accepts back)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


@router.get("/policy", summary="The policy in force", response_model=dict[str, Any])
async def policy(parts: PartsDep, who: Reader) -> JSONResponse:
    """SLA targets, calendars, triage rules, roles, rights and templates (durations in seconds)."""
    policy = msgspec.to_builtins(parts.service.policy, builtin_types=(timedelta,))
    return JSONResponse(_plain(policy))


health_router = APIRouter(tags=["meta"])


HEALTH_TIMEOUT_S = 3.0
"""How long `/healthz` waits for the store before calling it unreachable."""


@health_router.get("/healthz", summary="Liveness and store reachability (no token needed)",
                   response_model=Health,
                   responses={503: {"model": Health, "description": "the store is unreachable"}})
async def healthz(parts: PartsDep) -> JSONResponse:
    """`{"status": "ok", "store": "ok", "last_seq": N}` while the server runs and its store
    answers; 503 with `"store": "unavailable"` and the reason while it does not. Also: SSE
    subscribers, the last seq pushed to them, and how many events this server has encoded
    (each once: `published` equals `published_seq` on every server of a database)."""
    body: dict[str, Any] = {"subscribers": parts.broker.subscribers,
                            "published_seq": parts.broker.last_seq,
                            "published": parts.broker.published}
    try:
        last = await asyncio.wait_for(asyncio.to_thread(parts.store.last_seq), HEALTH_TIMEOUT_S)
    except (StoreError, TimeoutError) as exc:
        reason = str(exc) or f"no answer within {HEALTH_TIMEOUT_S:g} s"
        return JSONResponse({"status": "degraded", "store": "unavailable",
                             "error": f"store unavailable: {one_line(reason)}", **body},
                            status_code=503)
    return JSONResponse({"status": "ok", "store": "ok", "last_seq": last, **body})
