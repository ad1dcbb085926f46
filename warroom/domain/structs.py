"""Typed records on msgspec: checked conversion that names the failing key, copies, plain data.

The domain's records are `msgspec.Struct`s. They are built in C: defining all of them costs a
few milliseconds at start-up (the pydantic models they replace cost ~0.15 s, a third of the
console's time to first frame), and building one from trusted values is about as cheap as a
tuple. Constructors do not validate; anything from outside (CLI, console forms, API, TOML, JSON)
goes through `convert`, which checks types and constraints and reports the first problem with
its full path, dict keys included (msgspec's own messages show a key as `[...]`).
"""

from __future__ import annotations

import enum
import re
import types
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, overload

import msgspec
from msgspec.structs import replace

__all__ = ["Invalid", "Path", "convert", "dump", "replace"]

T = TypeVar("T")
Path = tuple[str | int, ...]
"""Where a value sits: table keys and field names, and 0-based list positions."""

_MESSAGE = re.compile(r"^(?P<text>.*?)(?: - at `(?P<key>key` in `)?(?P<where>\$[^`]*)`)?$",
                      re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_UNKNOWN = re.compile(r"^Object contains unknown field `(.*)`$")
_MISSING = re.compile(r"^Object missing required field `(.*)`$")
_LENGTH = re.compile(r"^Expected `(str|array|object)` of length (>=|<=) (\d+)$")
_BOUND = re.compile(r"^Expected `(?:int|float)` (>=|<=|>|<) (\S+)$")
_ENUM = re.compile(r"^Invalid (?:enum )?value (.*)$")
_BOUND_WORDS = {">=": "at least", "<=": "at most", ">": "greater than", "<": "less than"}
_UNIT = {"str": "character", "array": "item", "object": "entry"}


class Invalid(ValueError):
    """Data that does not fit a record type.

    `kind` is `unknown` (a key the type does not have, `path` names it; `allowed` lists the keys
    it has), `missing` (a required key, `path` names it), `key` (a bad dict key, `path` names
    it) or `value`. `problem` is a short lower-case English phrase without the path.
    """

    def __init__(self, path: Path, problem: str, kind: str = "value",
                 value: object = None, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(f"{dotted(path) or 'input'}: {problem}")
        self.path = path
        self.problem = problem
        self.kind = kind
        self.value = value
        self.allowed = allowed


@overload
def convert(data: object, kind: type[T], *, strict: bool = True) -> T: ...
@overload
def convert(data: object, kind: Any, *, strict: bool = True) -> Any: ...


def convert(data: object, kind: Any, *, strict: bool = True) -> Any:
    """`data` (plain JSON-like values, or records) as `kind`, checked; raises `Invalid`.

    `strict=False` also accepts numbers and booleans spelled as strings, and durations as
    seconds.
    """
    try:
        return msgspec.convert(data, kind, strict=strict)
    except msgspec.ValidationError as exc:
        raise _locate(data, kind, (), strict, str(exc)) from None


def dump(record: object) -> Any:
    """A record as plain JSON-ready data (datetimes as ISO 8601 text, enums as values)."""
    return msgspec.to_builtins(record)


def dotted(path: Path) -> str:
    """`severities.P1.resolve`, `triage_rules.0.name` (pydantic's spelling of a location)."""
    return ".".join(str(part) for part in path)


def _problem(data: object, kind: Any, strict: bool) -> str | None:
    try:
        msgspec.convert(data, kind, strict=strict)
    except msgspec.ValidationError as exc:
        return str(exc)
    return None


def _locate(data: object, kind: Any, path: Path, strict: bool, message: str) -> Invalid:
    """Descend to the innermost value that fails, so dict keys appear in the path."""
    kind = _unwrap(kind, data)
    origin = get_origin(kind)
    if isinstance(data, dict):
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            for field in msgspec.structs.fields(kind):
                if field.encode_name in data:
                    value = data[field.encode_name]
                    inner = _problem(value, field.type, strict)
                    if inner is not None:
                        return _locate(value, field.type, (*path, field.encode_name), strict,
                                       inner)
        elif origin is dict:
            key_kind, value_kind = get_args(kind)
            for key, value in data.items():
                key_problem = _problem(key, key_kind, strict)
                if key_problem is not None:
                    bad = _leaf((), key_problem, key_kind).problem
                    return Invalid((*path, key), f"bad key: {bad}", "key", key)
                inner = _problem(value, value_kind, strict)
                if inner is not None:
                    return _locate(value, value_kind, (*path, key), strict, inner)
    elif isinstance(data, list | tuple) and origin in (list, tuple, set, frozenset):
        (item_kind, *_) = get_args(kind)
        for index, value in enumerate(data):
            inner = _problem(value, item_kind, strict)
            if inner is not None:
                return _locate(value, item_kind, (*path, index), strict, inner)
    invalid = _leaf(path, message, kind)
    invalid.value = data
    return invalid


def _unwrap(kind: Any, data: object) -> Any:
    """Strip `Annotated`, `X | None` (for non-None data) and pick a tagged union's member."""
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    if get_origin(kind) in (Union, types.UnionType):
        members = [m for m in get_args(kind) if m is not type(None)]
        if len(members) == 1 and data is not None:
            return _unwrap(members[0], data)
        if isinstance(data, dict):
            for member in members:
                config = getattr(member, "__struct_config__", None)
                if config is not None and config.tag_field and \
                        data.get(config.tag_field) == config.tag:
                    return member
    return kind


def _leaf(path: Path, message: str, kind: Any = None) -> Invalid:
    """An `Invalid` from msgspec's message for a value of type `kind` at `path`."""
    match = _MESSAGE.match(message)
    text = match.group("text") if match else message
    where = (match.group("where") if match else None) or "$"
    steps: list[str | int] = []
    for name, index in _STEP.findall(where[1:]):
        steps.append(name if name else (int(index) if index.isdigit() else "..."))
    full = (*path, *steps)
    if match and match.group("key"):
        return Invalid(full, f"bad key: {_lower(text)}", "key")
    if unknown := _UNKNOWN.match(text):
        allowed = tuple(f.encode_name for f in msgspec.structs.fields(kind)) \
            if not steps and isinstance(kind, type) and issubclass(kind, msgspec.Struct) else ()
        return Invalid((*full, unknown.group(1)), "unknown field", "unknown", allowed=allowed)
    if missing := _MISSING.match(text):
        return Invalid((*full, missing.group(1)), "required", "missing")
    return Invalid(full, _words(text, kind))


def _words(text: str, kind: Any) -> str:
    """msgspec's wording of a bad value in plain English (choices listed for enums)."""
    if length := _LENGTH.match(text):
        unit, op, count = length.groups()
        if (op, count) == (">=", "1"):
            return "must not be empty"
        plural = "" if count == "1" else "s"
        return f"must have {_BOUND_WORDS[op]} {count} {_UNIT[unit]}{plural}"
    if bound := _BOUND.match(text):
        op, limit = bound.groups()
        return f"must be {_BOUND_WORDS[op]} {limit.removesuffix('.0')}"
    if bad := _ENUM.match(text):
        choices = _choices(kind)
        if choices:
            return f"must be {choices} (got {bad.group(1)})"
        return f"invalid value {bad.group(1)}"
    return _lower(text.replace("`", ""))


def _choices(kind: Any) -> str:
    """`'P0', 'P1' or 'P2'` for an enum or a Literal, else ``."""
    kind = _unwrap(kind, "")
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        values = [repr(member.value) for member in kind]
    elif get_origin(kind) is Literal:
        values = [repr(value) for value in get_args(kind)]
    else:
        return ""
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
