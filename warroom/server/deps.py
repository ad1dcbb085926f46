"""Request dependencies: the server's parts, and who is calling (from the bearer token).

Authentication is one flat dependency (no sub-dependencies): FastAPI's per-dependency overhead
is a measurable share of a command's cost. The bearer scheme is declared in the OpenAPI
document by `api.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from warroom.config.schema.hooks import Hooks
from warroom.server.broker import Broker
from warroom.server.errors import ApiError
from warroom.server.tokens import Identity
from warroom.service import WarRoom
from warroom.store.base import Store


class TokenVerifier(Protocol):
    """Anything that maps a bearer token to an identity (see `tokens.TokenBook`)."""

    def verify(self, token: str) -> Identity | None:
        """The identity, or None when the token is not valid."""
        ...


@dataclass
class Parts:
    """What the routes work with (one instance per app, on `app.state.warroom`)."""

    service: WarRoom
    store: Store
    broker: Broker
    tokens: TokenVerifier
    clock: Callable[[], datetime]
    hooks: Hooks = field(default_factory=Hooks)


def parts_of(request: Request) -> Parts:
    """The app's parts."""
    parts: Parts = request.app.state.warroom
    return parts


PartsDep = Annotated[Parts, Depends(parts_of)]

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def identify(request: Request) -> Identity:
    """Any valid token (read-only ones included); 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "missing token: send 'Authorization: Bearer <token>' "
                       "(create one with 'warroom token add PERSON')", _CHALLENGE)
    identity = parts_of(request).tokens.verify(token)
    if identity is None:
        raise ApiError(401, "invalid or revoked token", _CHALLENGE)
    request.state.person = identity.person
    return identity


BOT_COMMANDS = frozenset({"open", "note", "alert"})
"""What a bot token may do through `POST /commands`: open and annotate (and the hooks)."""


def identify_writer(request: Request, bots: bool = False) -> Identity:
    """A token that may change things; 403 for a read-only token, and for a bot token unless
    `bots` (the hooks, and `/commands` which then limits it to `BOT_COMMANDS`)."""
    identity = identify(request)
    if identity.read_only:
        raise ApiError(403, f"token {identity.token_id} of {identity.person} is read-only: "
                       "it can read and stream, not write", right="write", roles=[],
                       holders={}, actor=identity.person)
    if identity.bot and not bots:
        raise ApiError(403, f"token {identity.token_id} of {identity.person} is a bot token: "
                       "it may only open and annotate escalations", right="write", roles=[],
                       holders={}, actor=identity.person)
    return identity


async def reader(request: Request) -> Identity:
    """Dependency: the caller, any valid token (checked in a worker thread: the token is
    read from the store on every request, and a slow database must not stall the loop)."""
    return await run_in_threadpool(identify, request)


async def writer(request: Request) -> Identity:
    """Dependency: the caller, with a token that may write."""
    return await run_in_threadpool(identify_writer, request)


def bot_may(who: Identity, command_type: object) -> None:
    """403 unless a bot token's command is one it may run (`BOT_COMMANDS`)."""
    if who.bot and command_type not in BOT_COMMANDS:
        raise ApiError(403, f"token {who.token_id} of {who.person} is a bot token: it may only "
                       f"run {', '.join(sorted(BOT_COMMANDS))}, not {command_type!r}",
                       right="write", roles=[], holders={}, actor=who.person)


async def sender(request: Request) -> Identity:
    """Dependency: the caller, with a token that may write, bot tokens included."""
    return await run_in_threadpool(identify_writer, request, True)


Reader = Annotated[Identity, Depends(reader)]
Writer = Annotated[Identity, Depends(writer)]
Sender = Annotated[Identity, Depends(sender)]
