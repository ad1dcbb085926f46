"""Helpers for the msgspec records (events, folded state, the policy): copies, plain data, and
conversion of trusted data.

Events, state and the store codec stay msgspec Structs: they are defined in C and built from
trusted values about as cheaply as a tuple, which keeps replaying 100,000 events well under a
second. Nothing here checks input from outside: that is pydantic's job at every edge
(`warroom.domain.validation`), so no user-facing message depends on msgspec's wording.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

import msgspec
from msgspec.structs import replace

__all__ = ["convert", "dump", "replace"]

T = TypeVar("T")


@overload
def convert(data: object, kind: type[T], *, strict: bool = True) -> T: ...
@overload
def convert(data: object, kind: Any, *, strict: bool = True) -> Any: ...


def convert(data: object, kind: Any, *, strict: bool = True) -> Any:
    """Trusted plain data (a stored payload, our own server's policy) as `kind`. A mismatch is
    a bug, not bad input: it raises msgspec's `ValidationError` (a ValueError) as it is.
    `strict=False` also reads numbers spelled as text and durations as seconds."""
    return msgspec.convert(data, kind, strict=strict)


def dump(record: object) -> Any:
    """A record as plain JSON-ready data (datetimes as ISO 8601 text, enums as values)."""
    return msgspec.to_builtins(record)
