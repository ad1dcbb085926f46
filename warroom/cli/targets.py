"""What a `--store` value names: a store file, or a URL whose scheme says which kind of store.

Schemes map to store kinds; each verb says which kinds it accepts (`Context.store_kind`), so a
URL is never taken for a file path and a verb never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from warroom.domain.errors import InvalidInput

FILE = "file"
SERVER = "server"
DATABASE = "database"
SCHEMES: dict[str, str] = {"http": SERVER, "https": SERVER,
                           "postgresql": DATABASE, "postgres": DATABASE}
"""URL scheme → store kind (other stores add their schemes here)."""
DESCRIBE: dict[str, str] = {FILE: "a store file path",
                            SERVER: "a warroom server URL (http(s)://host:port)",
                            DATABASE: "a PostgreSQL URL (postgresql://user@host:port/db)"}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def kind_of(target: str) -> str:
    """The store kind `target` names: `file` for a path, else its URL scheme's kind.

    Raises:
        InvalidInput: an unknown URL scheme.
    """
    found = _URL.match(target)
    if found is None:
        return FILE
    scheme = found[1].lower()
    if scheme not in SCHEMES:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise InvalidInput("--store", f"unknown scheme {scheme}:// in {target!r} "
                                      f"(a file path, or {known})")
    return SCHEMES[scheme]


def require(target: str, accepts: Collection[str], verb: str) -> str:
    """The kind of `target` if `verb` accepts it; else InvalidInput naming what it accepts."""
    kind = kind_of(target)
    if kind not in accepts:
        wanted = " or ".join(DESCRIBE.get(k, k) for k in sorted(accepts))
        raise InvalidInput("--store", f"{verb} takes {wanted}, not {target!r}")
    return kind
