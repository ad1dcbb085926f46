"""pydantic's verdict on input from outside, as our one-line errors.

Every trust boundary (commands, config, themes, API bodies, import files, hook payloads)
validates with a pydantic model and reports the first problem through `first_problem`, so a
location is spelled the same everywhere (`errors.location`) and a problem reads the same
everywhere: `required`, `unknown field`, `must not be empty`, `must be at least 0`,
`must be 'P0', 'P1' or 'P2' (got 'x')`, and with the model at hand
`unknown field "sevrity" (known: severity, title, ...)`; anything else is pydantic's own
sentence with "Input should" read as "must".

pydantic names the member of a union it tried in the location (`note` for a command's `type`,
`list[str]`, `function-after[...]`); nobody typed those, so they are left out.
"""

from __future__ import annotations

import difflib
import json
import types
from collections.abc import Mapping, Sequence
from typing import (
    Annotated,
    Any,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from pydantic import BaseModel, RootModel, ValidationError
from typing_extensions import is_typeddict

from warroom.domain.errors import InvalidInput, location

M = TypeVar("M", bound=BaseModel)

_UNSEEN: Any = object()
"""No input at hand: union members are recognised by their spelling only."""
_KEY = "[key]"
"""pydantic's mark for a bad dict key (the key itself is the location part before it)."""


def first_problem(exc: ValidationError, data: Any = _UNSEEN, model: Any = None
                  ) -> tuple[str, str]:
    """The first error of `exc` as (location, plain-English problem). With the validated
    `data`, union members pydantic put in the location are recognised exactly; with the
    `model` (type) validated against, an unknown field's problem lists the known ones."""
    return describe(reported(exc.errors(include_url=False)), data, model)


def reported(errors: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The error to report: the first, unless an unknown field sits beside a missing one (a
    misspelt name: `sevrity` explains `severity: required`, and lists the right spelling)."""
    first = errors[0]
    if first.get("type") == "missing":
        parent = tuple(first.get("loc", ()))[:-1]
        for error in errors:
            if error.get("type") == "extra_forbidden" \
                    and tuple(error.get("loc", ()))[:-1] == parent:
                return error
    return first


def describe(error: Mapping[str, Any], data: Any = _UNSEEN, model: Any = None
             ) -> tuple[str, str]:
    """One pydantic (or FastAPI) error dict as (location, problem); `model` as for
    `first_problem`."""
    loc = list(error.get("loc", ()))
    kind = error.get("type", "")
    problem = _problem(error)
    if kind == "extra_forbidden" and model is not None and loc:
        problem = _unknown(str(loc[-1]), known_fields(model, loc[:-1]))
    if loc and loc[-1] == _KEY:
        loc.pop()
        problem = f"bad key: {problem}"
    path = _user_path(loc, data)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        path.append(str(error.get("ctx", {}).get("discriminator", "type")).strip("'"))
    return location(path), problem


def invalid_input(exc: ValidationError, where: str = "input", *,
                  data: Any = _UNSEEN, model: Any = None) -> InvalidInput:
    """`exc` as an InvalidInput naming the field (exit 2, HTTP 422); `where` names the whole
    input when the problem is with it rather than one field; `model` as for `first_problem`."""
    field, problem = first_problem(exc, data, model)
    return InvalidInput(field or where, problem)


def validated(model: type[M], data: Any) -> M:
    """`data` as `model`, or InvalidInput naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, data=data, model=model) from None


def known_fields(model: Any, loc: Sequence[str | int]) -> list[str]:
    """The fields the object at `loc` (pydantic's location, union members included) of a
    `model` type may have, in declaration order; empty when it has no fixed fields (a dict).

    Walks models, TypedDicts, dicts, lists, `X | None`, and tagged unions (pydantic names the
    member by its tag, `open`, or its class name).
    """
    kind = _unwrap(model)
    for part in loc:
        if _is_union(kind):
            kind = next((m for m in get_args(kind) if _member_named(m, part)), None)
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(str(part))
            kind = None if field is None else field.annotation
        elif is_typeddict(kind):
            kind = _typeddict_hints(kind).get(str(part))
        elif get_origin(kind) in (dict, list, Mapping, Sequence):
            kind = get_args(kind)[-1]
        else:
            kind = None
        if kind is None:
            return []
        kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return list(kind.model_fields)
    if is_typeddict(kind):
        return list(_typeddict_hints(kind))
    return []


def _unwrap(kind: Any) -> Any:
    """Strip `Annotated[...]`, `X | None` and a RootModel's wrapper."""
    while True:
        if get_origin(kind) is Annotated:
            kind = get_args(kind)[0]
        elif _is_union(kind) and len(members := _non_none(kind)) == 1:
            kind = members[0]
        elif isinstance(kind, type) and issubclass(kind, RootModel):
            kind = kind.model_fields["root"].annotation
        else:
            return kind


def _is_union(kind: Any) -> bool:
    return get_origin(kind) in (Union, types.UnionType)


def _non_none(kind: Any) -> list[Any]:
    return [m for m in get_args(kind) if m is not type(None)]


def _member_named(member: Any, part: str | int) -> bool:
    """Whether pydantic's location `part` names this union member (by tag or class name)."""
    if not (isinstance(member, type) and issubclass(member, BaseModel)):
        return False
    tag = member.model_fields.get("type")
    return part == member.__name__ or (tag is not None and tag.default == part)


def _typeddict_hints(kind: Any) -> dict[str, Any]:
    try:
        return get_type_hints(kind, include_extras=True)
    except NameError:  # a hint that cannot be resolved: the names still tell the keys
        return dict.fromkeys(kind.__annotations__)


def _unknown(name: str, known: Sequence[str]) -> str:
    """`unknown field "sevrity" (known: severity, title, ...)`: the closest names first, then
    the rest as declared, the fields every command has (`type`, `at`) last."""
    if not known:
        return f"unknown field {_quoted(name)}"
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    common = [k for k in ("type", "at") if k in known and k not in close]
    rest = [k for k in known if k not in close and k not in common]
    return f"unknown field {_quoted(name)} (known: {', '.join([*close, *rest, *common])})"


def _quoted(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _user_path(loc: Sequence[str | int], data: Any) -> list[str | int]:
    """The location as the user wrote it: walk `data` along `loc` and drop the parts that are
    no key or position of it (pydantic's names for union members)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(part, int):
            path.append(part)
            ok = isinstance(node, Sequence) and not isinstance(node, str) and part < len(node)
            node = node[part] if ok else _UNSEEN
        elif node is _UNSEEN:
            if not _looks_like_member(part):
                path.append(part)
        elif isinstance(node, Mapping) and part in node:
            path.append(part)
            node = node[part]
        elif last and isinstance(node, Mapping):
            path.append(part)  # a missing or unknown key
            node = _UNSEEN
        # else: a union member's name, not in the input
    return path


def _looks_like_member(part: str) -> bool:
    return "[" in part and part.endswith("]")


def _problem(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("missing", "union_tag_not_found"):
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must have at least {least} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length" if kind == "too_short" else "max_length")
        items = "item" if bound == 1 else "items"
        return f"must have {'at least' if kind == 'too_short' else 'at most'} {bound} {items}"
    bounds = {"greater_than_equal": ("ge", "at least"), "less_than_equal": ("le", "at most"),
              "greater_than": ("gt", "greater than"), "less_than": ("lt", "less than")}
    if kind in bounds:
        key, words = bounds[kind]
        return f"must be {words} {_number(ctx.get(key))}"
    if kind in ("enum", "literal_error"):
        return f"must be {ctx.get('expected')}{_got(error.get('input'))}"
    if kind == "union_tag_invalid":
        return f"must be {ctx.get('expected_tags')}{_got(ctx.get('tag'))}"
    message = str(error.get("msg", "invalid"))
    for prefix, instead in (("Input should", "must"), ("Value error, ", ""),
                            ("Assertion failed, ", "")):
        if message.startswith(prefix):
            message = instead + message[len(prefix):]
    message = message[:1].lower() + message[1:]
    return f"{message}{_got(error.get('input'))}" if kind != "value_error" else message


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _got(value: Any) -> str:
    """` (got 'x')` for a short scalar input, else nothing."""
    if isinstance(value, str | int | float | bool) and len(repr(value)) <= 40:
        return f" (got {value!r})"
    return ""
