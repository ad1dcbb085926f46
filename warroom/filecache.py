"""A validated result kept on disk, named by a hash of its inputs, read back with msgspec.

Validating the config and the themes with pydantic costs about 0.1 s (importing it included);
reading the result back with msgspec costs about a millisecond and imports nothing else. A
cache file's name is the hash of everything that could change the result: the package version,
the size and modification time of the code that produced it, and the input files' bytes. So a
stale file is never read; it is replaced on the next miss. The cache lives in the user cache
directory and is safe to delete; a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import msgspec

import warroom

T = TypeVar("T")


def cache_key(code: Iterable[Path], inputs: Iterable[tuple[str, bytes]]) -> str:
    """The hash naming a result of `code` (source files) over `inputs` (name, content)."""
    digest = hashlib.sha256(warroom.__version__.encode())
    for source in code:
        try:
            stat = source.stat()
        except OSError:
            continue
        digest.update(f"\0{source}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    for name, content in inputs:
        digest.update(f"\0{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:32]


def _path(kind: str, key: str) -> Path:
    from warroom.paths import cache_dir

    return cache_dir() / f"{kind}-{key}.msgpack"


def read(kind: str, key: str, type_: type[T]) -> T | None:
    """The cached `kind` result named `key`, or None (absent, unreadable or of another shape)."""
    try:
        return msgspec.msgpack.decode(_path(kind, key).read_bytes(), type=type_)
    except (OSError, msgspec.DecodeError):
        return None


def write(kind: str, key: str, value: object) -> None:
    """Keep `value` as the one cached `kind` result (older ones are removed); errors ignored."""
    target = _path(kind, key)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        # Only the owner may read it: a config can hold a server token.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(msgspec.msgpack.encode(value))
        os.replace(temp, target)
        for old in target.parent.glob(f"{kind}-*.msgpack"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass
