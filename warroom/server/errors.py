"""Every error the API returns is JSON with a one-line `error` message, plus detail fields.

| status | when | extra fields |
|---|---|---|
| 400 | body is not JSON / not an object, bad header | `field` |
| 401 | no token, unknown or revoked token | |
| 403 | decision right missing (`right`, `roles`, `holders`, `actor`), read-only token | |
| 404 | unknown escalation, commitment, route | |
| 409 | an invariant refuses the command | |
| 422 | a field's value is wrong | `field`, `reason` |
| 503 | the store failed | |
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from warroom.domain.errors import CommandError, InvalidInput, RightRequired
from warroom.domain.validation import describe, reported
from warroom.store.base import StoreError

log = logging.getLogger("warroom.server")


class ApiError(Exception):
    """An error response with a status, a one-line message and extra fields."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.extra = extra


def one_line(text: str) -> str:
    """Collapse whitespace so a message is one line."""
    return " ".join(str(text).split())


def error_response(status: int, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    """The JSON error body every failure uses."""
    return JSONResponse({"error": one_line(message), **extra}, status_code=status, headers=headers)


def command_error_body(exc: CommandError, actor: str | None = None) -> dict[str, Any]:
    """Detail fields for a refused command."""
    body: dict[str, Any] = {"error": one_line(str(exc)), "kind": type(exc).__name__}
    if isinstance(exc, InvalidInput):
        body["field"] = exc.field
        body["reason"] = one_line(str(exc)[len(exc.field) + 2:])
    if isinstance(exc, RightRequired):
        body.update(right=exc.right, roles=list(exc.roles), holders=dict(exc.holders))
        body["actor"] = actor
    return body


_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type", "missing"})
"""Errors at the body itself (not one of its fields) when it is not a JSON object."""


def validation_error(errors: list[Any], body: Any = None, model: Any = None) -> JSONResponse:
    """400 for a body that is not JSON (or not an object), else 422 naming the first bad field
    and why, spelled as every other refusal is (`warroom.domain.validation`; `model`, the type
    the body was validated against, lets an unknown field's error list the known ones)."""
    first = reported(errors) if errors else {"loc": (), "msg": "invalid input", "type": ""}
    where, *loc = first.get("loc", ()) or ("body",)
    if first.get("type") == "json_invalid":
        return error_response(400, f"body: not valid JSON ({first.get('msg', '')})",
                              field="body")
    if where == "body" and not loc and first.get("type") in _NOT_AN_OBJECT:
        return error_response(400, "body: expected a JSON object", field="body")
    if where == "body":
        field, reason = describe({**first, "loc": loc}, body, model)
    else:
        field, reason = location_of(where, loc), describe(first)[1]
    return error_response(422, f"{field or where}: {reason}", field=field or where,
                          reason=reason, errors=len(errors))


def _body_model(request: Request) -> Any:
    """The type the matched route validates its body against (None when there is none)."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    return getattr(getattr(body_field, "field_info", None), "annotation", None)


def location_of(where: str, loc: list[Any]) -> str:
    """A query, header or path parameter by its own name (`since`, `Idempotency-Key`)."""
    return ".".join(str(part) for part in loc) or where


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into JSON errors."""

    async def on_api(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.headers, **exc.extra)

    async def on_command(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CommandError)
        actor = getattr(request.state, "person", None)
        return JSONResponse(command_error_body(exc, actor), status_code=exc.http_status)

    async def on_request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_error(list(exc.errors()), exc.body, _body_model(request))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    async def on_store(request: Request, exc: Exception) -> JSONResponse:
        log.error("store error on %s: %s", request.url.path, exc)
        return error_response(503, f"store unavailable: {exc}")

    app.add_exception_handler(ApiError, on_api)
    app.add_exception_handler(CommandError, on_command)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(StoreError, on_store)
