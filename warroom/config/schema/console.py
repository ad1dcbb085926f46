"""`[console]` and `[remote]`: how this console looks, who is at it, and which server to use."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from warroom.config.schema.base import Section


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
