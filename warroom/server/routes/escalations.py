"""Escalations: list, open, status (the `status --json` document), their events and drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from warroom.domain.urgency import document_key
from warroom.server.deps import PartsDep, Reader, Writer
from warroom.server.errors import ApiError
from warroom.server.routes.commands import KeyHeader, execute, pick_key
from warroom.server.routes.events import MAX_SEQ, events_response
from warroom.server.schemas import (
    INVALID,
    CommandOutcome,
    DraftBody,
    DraftSaved,
    ErrorBody,
    EscalationStatus,
    EventsPage,
    OpenEscalation,
    Responses,
    unkeyed,
)

router = APIRouter(prefix="/escalations", tags=["escalations"], responses=INVALID)
_UNKNOWN: Responses = {404: {"model": ErrorBody, "description": "unknown escalation"}}


@router.get("", summary="List escalations with their clocks",
            response_model=list[EscalationStatus])
async def list_escalations(
    parts: PartsDep,
    who: Reader,
    include_closed: Annotated[bool, Query(alias="all", description="include closed ones")] = False,
) -> JSONResponse:
    """Status documents of open (or all) escalations, most urgent first: `list --json`."""

    def build() -> list[dict[str, Any]]:
        # one catch-up and one instant for all (was one catch-up, a store round trip, each)
        docs = parts.service.statuses(lambda s: include_closed or s.closed_at is None)
        docs.sort(key=document_key)
        return docs

    return JSONResponse(await run_in_threadpool(build))


@router.post("", status_code=201, summary="Open an escalation", response_model=CommandOutcome,
             responses={200: {"model": CommandOutcome,
                              "description": "the key was seen before: the first outcome"}})
async def open_escalation(
    body: OpenEscalation,
    parts: PartsDep,
    who: Writer,
    idempotency_key: KeyHeader = None,
) -> JSONResponse:
    """Open an escalation (the `open` command); the token's person becomes its commander."""
    key = pick_key(body.idempotency_key, idempotency_key)
    result = await execute(parts, unkeyed(body), who.person, key)
    status = 200 if result.get("duplicate") else 201
    headers = {"Location": f"/api/v1/escalations/{result.get('id')}"}
    return JSONResponse(result, status_code=status, headers=headers)


@router.get("/{incident_id}", summary="Status of one escalation",
            response_model=EscalationStatus, responses=_UNKNOWN)
async def get_escalation(
    incident_id: str,
    parts: PartsDep,
    who: Reader,
    as_of: Annotated[datetime | None, Query(description="ISO 8601 time to evaluate at")] = None,
) -> JSONResponse:
    """The `status --json` document: state, clocks, commitments, decisions."""
    doc = await run_in_threadpool(parts.service.status, incident_id, as_of)
    return JSONResponse(doc)


@router.get("/{incident_id}/events", summary="Events of one escalation",
            response_model=EventsPage, responses=_UNKNOWN)
async def escalation_events(
    incident_id: str,
    parts: PartsDep,
    who: Reader,
    since: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
) -> Response:
    """The escalation's events with seq > `since`, in order: `{"events": [...], "last_seq"}`."""

    def build() -> Response:
        events = parts.service.events(incident_id, since, limit)
        return events_response(events, parts.store.last_seq(), limit)

    return await run_in_threadpool(build)


@router.get("/{incident_id}/draft", summary="Your draft update", response_model=DraftBody,
            responses={404: {"model": ErrorBody, "description": "no draft"}})
async def get_draft(incident_id: str, parts: PartsDep, who: Reader) -> JSONResponse:
    """The draft the token's person keeps for this escalation (404 if none)."""
    draft = await run_in_threadpool(parts.store.load_draft, incident_id, who.person)
    if draft is None:
        raise ApiError(404, f"no draft for {incident_id} by {who.person}")
    return JSONResponse({"incident_id": draft.incident_id, "person": draft.person,
                         "body": draft.body, "saved_at": draft.saved_at})


@router.put("/{incident_id}/draft", summary="Keep a draft update", response_model=DraftSaved,
            responses=_UNKNOWN)
async def put_draft(incident_id: str, body: Annotated[dict[str, Any], Body()],
                    parts: PartsDep, who: Writer) -> JSONResponse:
    """Keep (replace) the token person's draft: the body is any JSON object (404 for an
    escalation that does not exist)."""
    await run_in_threadpool(parts.service.state, incident_id)  # NotFound: 404
    await run_in_threadpool(parts.store.save_draft, incident_id, who.person, body,
                            parts.clock())
    return JSONResponse({"incident_id": incident_id, "person": who.person})


@router.delete("/{incident_id}/draft", status_code=204, summary="Discard your draft")
async def delete_draft(incident_id: str, parts: PartsDep, who: Writer) -> Response:
    """Forget the token person's draft."""
    await run_in_threadpool(parts.store.discard_draft, incident_id, who.person)
    return Response(status_code=204)
