"""The HTTP API: `create_app(store, policy, ...)` builds a FastAPI app over any Store.

No module-level app: the factory takes the store, the policy, the clock and the token checker, so
tests and `warroom serve` assemble exactly what they need. Everything lives under `/api/v1`
(plus `/healthz`); OpenAPI at `/openapi.json`, interactive docs at `/docs`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from warroom.config.schema.hooks import Hooks
from warroom.domain.policy import Policy
from warroom.server import errors
from warroom.server.broker import Broker
from warroom.server.deps import Parts, TokenVerifier
from warroom.server.guard import RequestGuard
from warroom.server.openapi_errors import document_errors
from warroom.server.routes import commands, escalations, events, meta, snapshot, statuspage
from warroom.server.routes import hooks as hooks_routes
from warroom.service import WarRoom
from warroom.store.base import DeliveryStore, Store

if TYPE_CHECKING:
    from warroom.config.delivery import Delivery

API_PREFIX = "/api/v1"
MIB = 1024 * 1024


def system_clock() -> datetime:
    """The server's wall clock (UTC): the authority for every client."""
    return datetime.now(UTC)


def create_app(
    store: Store,
    policy: Policy,
    clock: Callable[[], datetime] = system_clock,
    *,
    tokens: TokenVerifier,
    heartbeat: float = 10.0,
    queue_size: int = 2000,
    coalesce: float = 0.02,
    title: str = "warroom",
    hooks: Hooks | None = None,
    delivery: Delivery | None = None,
    max_body: int = MIB,
) -> FastAPI:
    """Build the API app.

    Args:
        store: the event store (normally a `SqliteStore`); the app does not close it.
        policy: the policy commands are decided under (decision rights are checked here).
        clock: the server's clock.
        tokens: checks bearer tokens (`warroom.server.tokens.TokenBook`).
        heartbeat: seconds between keep-alive comments on idle SSE streams.
        queue_size: chunks a slow SSE subscriber may lag before it is dropped.
        coalesce: least seconds between two fan-outs of this server's own commands (under
            load, commands arriving together go to every subscriber as one write).
        delivery: configured channels and triggers: posted updates get deliveries, and the
            app runs a deliverer while it serves (when the store can hold deliveries).
        max_body: largest request body read, in bytes (larger: 413; see `guard`).
    """
    service = WarRoom(store, policy, clock, delivery)
    broker = Broker(store, heartbeat=heartbeat, queue_size=queue_size, coalesce=coalesce)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        worker = _start_deliverer(store, delivery, policy, clock)
        try:
            yield
        finally:
            if worker is not None:
                thread, stop = worker
                stop.set()
                await asyncio.to_thread(thread.join, 15)
            await broker.stop()

    app = FastAPIOffline(  # /docs from packaged assets: no CDN, the product works offline
        static_url="/docs/static",
        title=title,
        version="1",
        summary="A war room for customer escalations: one event log, live over SSE.",
        lifespan=lifespan,
    )
    app.state.warroom = Parts(service=service, store=store, broker=broker, tokens=tokens,
                              clock=clock, hooks=hooks or Hooks())
    errors.install(app)
    for router in (escalations.router, commands.router, events.router, snapshot.router,
                   meta.router, meta.health_router, hooks_routes.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(meta.health_router)
    app.include_router(statuspage.router)
    app.openapi = _with_error_answers(app)  # type: ignore[method-assign]
    app.add_middleware(RequestGuard, router=app.router, max_body=max_body)
    return app


def _start_deliverer(
    store: Store, delivery: Delivery | None, policy: Policy, clock: Callable[[], datetime]
) -> tuple[threading.Thread, threading.Event] | None:
    """A deliverer thread for the app's lifetime, when there is something to deliver to."""
    if delivery is None or not hasattr(store, "claim_deliveries"):
        return None
    from warroom.delivery.worker import Deliverer

    return Deliverer(cast(DeliveryStore, store), delivery, policy, clock).start()


def _with_error_answers(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's OpenAPI document, with every operation's error answers (see
    `openapi_errors`)."""
    generate = app.openapi

    def build() -> dict[str, Any]:
        schema = generate()
        document_errors(schema)  # idempotent: the generated document is cached
        return schema

    return build
