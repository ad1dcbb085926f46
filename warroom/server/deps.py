"""Request dependencies: the server's parts, and who is calling (from the bearer token)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


def get_parts(request: Request) -> Parts:
    """The app's parts."""
    parts: Parts = request.app.state.warroom
    return parts


PartsDep = Annotated[Parts, Depends(get_parts)]

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer wr_...` from "
                     "`warroom token add PERSON`")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def reader(
    request: Request,
    parts: PartsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Identity:
    """Any valid token (read-only ones included); 401 otherwise."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "missing token: send 'Authorization: Bearer <token>' "
                       "(create one with 'warroom token add PERSON')", _CHALLENGE)
    identity = parts.tokens.verify(credentials.credentials)
    if identity is None:
        raise ApiError(401, "invalid or revoked token", _CHALLENGE)
    request.state.person = identity.person
    return identity


async def writer(identity: Annotated[Identity, Depends(reader)]) -> Identity:
    """A token that may change things; 403 for a read-only token."""
    if identity.read_only:
        raise ApiError(403, f"token {identity.token_id} of {identity.person} is read-only: "
                       "it can read and stream, not write", right="write", roles=[],
                       holders={}, actor=identity.person)
    return identity


Reader = Annotated[Identity, Depends(reader)]
Writer = Annotated[Identity, Depends(writer)]
