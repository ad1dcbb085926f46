"""Request dependencies: the server's parts, and who is calling (from the bearer token).

Authentication is one flat dependency (no sub-dependencies): FastAPI's per-dependency overhead
is a measurable share of a command's cost. It is an `HTTPBearer`, so FastAPI documents the
bearer scheme, and which operations need it, in the OpenAPI document itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
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


class TokenAuth(HTTPBearer):
    """Dependency: the caller, from `Authorization: Bearer <token>`; `write` also refuses a
    read-only token, and a bot token unless `bots`. The token is checked in a worker thread:
    it is read from the store on every request, and a slow database must not stall the loop."""

    def __init__(self, *, write: bool, bots: bool = False) -> None:
        super().__init__(scheme_name="bearer", auto_error=False,
                         description="A token from `warroom token add PERSON`")
        self.write = write
        self.bots = bots

    async def __call__(self, request: Request) -> Identity:  # type: ignore[override]
        if not self.write:
            return await run_in_threadpool(identify, request)
        return await run_in_threadpool(identify_writer, request, self.bots)


reader = TokenAuth(write=False)
writer = TokenAuth(write=True)
sender = TokenAuth(write=True, bots=True)
"""The caller, with a token that may write, bot tokens included."""


def bot_may(who: Identity, command_type: object) -> None:
    """403 unless a bot token's command is one it may run (`BOT_COMMANDS`)."""
    if who.bot and command_type not in BOT_COMMANDS:
        raise ApiError(403, f"token {who.token_id} of {who.person} is a bot token: it may only "
                       f"run {', '.join(sorted(BOT_COMMANDS))}, not {command_type!r}",
                       right="write", roles=[], holders={}, actor=who.person)


Reader = Annotated[Identity, Depends(reader)]
Writer = Annotated[Identity, Depends(writer)]
Sender = Annotated[Identity, Depends(sender)]
