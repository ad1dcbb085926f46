"""`[server]`: limits `warroom serve` puts on what clients send."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from warroom.config.schema.base import Section

MIB = 1024 * 1024


class ServerSection(Section):
    """`[server]`."""

    max_body_bytes: Annotated[int, Field(ge=1024, le=1024 * MIB)] = MIB
    """Largest request body the API reads; larger ones get 413."""
