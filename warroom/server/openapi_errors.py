"""The OpenAPI document names the error answers: every API operation lists the 4xx/5xx statuses
it may return, each with the one error body every failure uses (see `errors.py`)."""

from __future__ import annotations

from typing import Any

ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "description": "Every error: a one-line `error`, plus detail fields by kind.",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What was wrong, in one line"},
        "field": {"type": "string", "description": "The input at fault (400, 413, 422)"},
        "reason": {"type": "string", "description": "Why the field is wrong (422)"},
        "kind": {"type": "string", "description": "The refusal's class"},
        "errors": {"type": "integer", "description": "How many problems were found (422)"},
        "right": {"type": "string", "description": "The decision right needed (403)"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "holders": {"type": "object", "additionalProperties": {"type": "string"}},
        "actor": {"type": ["string", "null"]},
    },
    "additionalProperties": True,
}
STATUSES: dict[int, str] = {
    400: "Bad request: the body is not a JSON object, is nested too deeply, or a header is bad",
    401: "No token, or an unknown or revoked one",
    403: "A decision right is missing, or the token is read-only",
    404: "Unknown escalation, commitment, draft or key",
    409: "Refused: an invariant forbids it",
    413: "The body is larger than the server's limit",
    422: "A field's value is wrong (`field` names it)",
    503: "The store is unavailable",
}


def document_errors(schema: dict[str, Any]) -> None:
    """Add `ErrorBody` and the error statuses to every operation under /api/v1 (in place)."""
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("ErrorBody",
                                                                          ERROR_BODY)
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path.endswith("/healthz"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, text in STATUSES.items():
                answer = responses.setdefault(str(status), {"description": text})
                answer["content"] = ref
