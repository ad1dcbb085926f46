"""Request guard (ASGI middleware, ahead of every route): what a hostile client cannot do.

- A body larger than the limit is refused with 413 before any route reads it.
- A JSON body nested deeper than `MAX_DEPTH` is refused with 400 (parsers would recurse).
- `OPTIONS` on a known path answers 204 with `Allow` (the methods the path takes); on an
  unknown path, 404. No CORS: the API is for clients, not for other sites' pages.

Errors are the API's JSON error body, naming the field (`body`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_DEPTH = 32
"""Deepest JSON nesting a body may have (commands need 3; drafts get room to spare)."""
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests arrays and objects (strings ignored; no parsing)."""
    depth = deepest = 0
    for byte in _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Message:
    return {"type": "http.response.start", "status": status,
            "headers": [(b"content-type", b"application/json"),
                        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())]}


async def _reply(send: Send, status: int, body: dict[str, Any] | None,
                 headers: dict[str, str] | None = None) -> None:
    start = _error(status, "", headers)
    payload = b"" if body is None else json.dumps(body).encode()
    if body is None:
        start["headers"] = [h for h in start["headers"] if h[0] != b"content-type"]
    await send(start)
    await send({"type": "http.response.body", "body": payload})


class RequestGuard:
    """The middleware; `router` is the app's (for the methods each path takes)."""

    def __init__(self, app: ASGIApp, *, router: Router, max_body: int) -> None:
        self.app = app
        self.router = router
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._options(scope, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        too_big = {"error": f"body: larger than the {self.max_body}-byte limit",
                   "field": "body"}
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _reply(send, 413, too_big)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _reply(send, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_depth(body) > MAX_DEPTH:
            await _reply(send, 400, {"error": f"body: JSON nested deeper than {MAX_DEPTH} levels",
                                     "field": "body"})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _options(self, scope: Scope, send: Send) -> None:
        methods = {method for method in _METHODS for route in self.router.routes
                   if route.matches({**scope, "method": method})[0] is Match.FULL}
        if "GET" in methods:
            methods.add("HEAD")
        if not methods:
            await _reply(send, 404, {"error": "Not Found"})
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        await _reply(send, 204, None, {"Allow": allow})
