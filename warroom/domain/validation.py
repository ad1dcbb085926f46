"""pydantic's verdict on input from outside, as our one-line errors.

Every trust boundary (commands, config, themes, API bodies, import files, hook payloads)
validates with a pydantic model and reports the first problem through `first_problem`, so a
location is spelled the same everywhere (`errors.location`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from warroom.domain.errors import InvalidInput, location

M = TypeVar("M", bound=BaseModel)


def first_problem(exc: ValidationError) -> tuple[str, str]:
    """The first error of `exc` as (location, plain-English problem)."""
    error = exc.errors(include_url=False)[0]
    path = [part for part in error["loc"] if not _is_union_tag(part)]
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    elif error["type"] == "missing":
        message = "required"
    return location(path), message[:1].lower() + message[1:]


def invalid_input(exc: ValidationError, where: str = "input") -> InvalidInput:
    """`exc` as an InvalidInput naming the field (exit 2, HTTP 422)."""
    field, problem = first_problem(exc)
    return InvalidInput(field or where, problem)


def validated(model: type[M], data: Any) -> M:
    """`data` as `model`, or InvalidInput naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc) from None


def _is_union_tag(part: object) -> bool:
    """pydantic puts a tagged union's member name in the location (`open`, `function-after[...]`);
    a user never typed it."""
    return isinstance(part, str) and ("[" in part and part.endswith("]"))
