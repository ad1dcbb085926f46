"""`POST /hooks/{alertmanager,pagerduty,generic}`: monitoring opens and annotates escalations.

Each answers 2xx only once what it received is durably stored (the append commits before the
response), so a sender that sees an error retries and nothing is lost; a repeat of a key whose
escalation is open becomes a note, never a second escalation. PagerDuty is authenticated by its
`X-PagerDuty-Signature` (and a replayed event id writes nothing); the others by a bearer token.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from warroom.config.schema.hooks import Hooks
from warroom.domain.commands import Alert
from warroom.server.deps import Parts, PartsDep, Sender
from warroom.server.errors import ApiError
from warroom.server.hooks.payloads import AlertmanagerPayload, GenericAlert, PagerDutyPayload
from warroom.server.hooks.signals import from_alertmanager, from_generic, from_pagerduty
from warroom.server.hooks.signature import verify
from warroom.server.schemas import INVALID

router = APIRouter(prefix="/hooks", tags=["hooks"], responses=INVALID)

PAGERDUTY_ACTOR = "pagerduty"
"""Who PagerDuty's signed events act as (its signature is its identity)."""


class HookResult(BaseModel):
    """What a hook request did."""

    id: str | None
    """The escalation opened or noted (null: nothing to do, see `ignored`)."""
    opened: bool
    noted: bool
    duplicate: bool = False
    """True when this exact event had been received before: nothing was written."""
    ignored: str | None = None
    seqs: list[int] = []


def hook_settings(parts: Parts) -> Hooks:
    """The `[hooks]` config in force."""
    return parts.hooks


async def _run(parts: Parts, alert: Alert, person: str, key: str | None = None) -> HookResult:
    result: dict[str, Any] = await run_in_threadpool(parts.service.execute, alert, person, key)
    if result.get("seqs") and not result.get("duplicate"):
        parts.broker.nudge()
    return HookResult(id=result.get("id"), opened=bool(result.get("opened")),
                      noted=bool(result.get("noted")), duplicate=bool(result.get("duplicate")),
                      ignored=result.get("ignored"), seqs=list(result.get("seqs", [])))


@router.post("/alertmanager", summary="Alertmanager webhook (version 4)")
async def alertmanager(payload: AlertmanagerPayload, parts: PartsDep, who: Sender) -> HookResult:
    """Point an Alertmanager `webhook_configs` receiver here with
    `http_config.authorization.credentials` set to a token (`warroom token add alertmanager
    --bot`). One escalation per `groupKey` while it is not closed."""
    alert = from_alertmanager(payload, hook_settings(parts).alertmanager)
    return await _run(parts, alert, who.person)


@router.post("/generic", summary="Generic JSON alert")
async def generic(body: GenericAlert, parts: PartsDep, who: Sender) -> HookResult:
    """Anything that can POST JSON: one escalation per `dedup_key` while it is not closed."""
    return await _run(parts, from_generic(body, hook_settings(parts).generic), who.person)


async def pagerduty_signed(
    request: Request,
    parts: PartsDep,
    signature: Annotated[str | None, Header(alias="X-PagerDuty-Signature")] = None,
) -> str:
    """Dependency: the raw body is signed with the configured secret; 401 otherwise (checked
    before the body is validated, so an unsigned sender learns nothing about our models)."""
    env = hook_settings(parts).pagerduty.secret_env
    secret = os.environ.get(env, "")
    if not secret:
        raise ApiError(401, f"PagerDuty hook disabled: set ${env} to the subscription's "
                       "signing secret")
    if not verify(await request.body(), signature, secret):
        raise ApiError(401, "X-PagerDuty-Signature: missing or does not match the body")
    request.state.person = PAGERDUTY_ACTOR
    return PAGERDUTY_ACTOR


@router.post("/pagerduty", summary="PagerDuty v3 webhook")
async def pagerduty(
    payload: PagerDutyPayload,
    parts: PartsDep,
    actor: Annotated[str, Depends(pagerduty_signed)],
) -> HookResult:
    """A PagerDuty v3 webhook subscription's events (`incident.triggered`, `.acknowledged`,
    `.annotated`, `.resolved`), verified by `X-PagerDuty-Signature` (HMAC-SHA256 of the raw
    body) under the secret in the environment variable named by `[hooks.pagerduty]
    secret_env` (default `WARROOM_PAGERDUTY_SECRET`). A replayed event id writes nothing."""
    alert = from_pagerduty(payload, hook_settings(parts).pagerduty)
    if alert is None:
        return HookResult(id=None, opened=False, noted=False,
                          ignored=f"event type {payload.event.event_type} is not acted on")
    return await _run(parts, alert, actor, f"pagerduty:{payload.event.id}")
