"""`[console]`, `[remote]` and `[store]`: how this console looks, who is at it, and which
server or database to use."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from warroom.config.schema.base import Section, problem


class ConsoleSection(Section):
    """`[console]`."""

    theme: Annotated[str, Field(min_length=1)] = "warroom-dark"
    """Theme name: a packaged warroom theme, a user theme or any Textual theme."""
    user: str | None = None
    """The person at this console (default: `$WARROOM_USER`, then the login name)."""


class RemoteSection(Section):
    """`[remote]`: a `warroom serve` server to use instead of the local store file."""

    url: str | None = None
    token: str | None = None


def _database_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("postgresql://", "postgres://")):
        raise problem("expected a PostgreSQL URL like postgresql://user@host:5432/warroom")
    return value


class StoreSection(Section):
    """`[store]`: the PostgreSQL database this host opens instead of the local store file
    (`--store` and `$WARROOM_STORE` still win)."""

    url: Annotated[str | None, AfterValidator(_database_url)] = None
