"""The effective configuration as the rest of warroom reads it, and the one error it raises.

Nothing here imports pydantic: a `Config` is built from the validated result that the cache
keeps (see `warroom.config.load`), so the console reaches its first frame without pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from warroom.domain.policy import Policy

if TYPE_CHECKING:
    from warroom.config.delivery import Delivery
    from warroom.config.schema import ConfigFile


class ConfigError(Exception):
    """A configuration file that cannot be used. `str()` is one line: file (and line when
    known), key path, problem."""

    def __init__(self, path: Path | str, key: str | None, problem: str,
                 line: int | None = None) -> None:
        self.path = Path(path)
        self.key = key
        self.problem = " ".join(problem.split())
        self.line = line
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {key}: {self.problem}" if key else f"{where}: {self.problem}")


class ConsoleSettings(msgspec.Struct, kw_only=True, frozen=True):
    """`[console]`: how the terminal console looks and who is at the keyboard."""

    theme: str = "warroom-dark"
    """Theme name: a packaged warroom theme or any Textual theme."""
    user: str | None = None
    """The person at this console (default: `$WARROOM_USER`, then the login name)."""


class RemoteSettings(msgspec.Struct, kw_only=True, frozen=True):
    """`[remote]`: a `warroom serve` server to use instead of the local store file."""

    url: str | None = None
    token: str | None = None


class Validated(msgspec.Struct, frozen=True):
    """A validated config as the cache keeps it: the policy, and every section as plain data."""

    policy: Policy
    data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Config:
    """The effective configuration: the packaged default merged with the user's file."""

    policy: Policy
    """SLA targets, calendars, severity matrix, roles, rights, templates, tiers, customers."""
    data: dict[str, Any]
    """Every section as validated, in plain data (defaults filled in, durations spelled `4h`)."""
    files: tuple[Path, ...] = ()
    """The files that were merged, packaged default first."""

    @cached_property
    def console(self) -> ConsoleSettings:
        """Console settings."""
        return msgspec.convert(self.data.get("console", {}), ConsoleSettings)

    @cached_property
    def remote(self) -> RemoteSettings:
        """Server connection settings."""
        return msgspec.convert(self.data.get("remote", {}), RemoteSettings)

    @cached_property
    def store_url(self) -> str | None:
        """`[store] url`: the PostgreSQL database to open instead of the local store file."""
        url = self.data.get("store", {}).get("url")
        return str(url) if url else None

    @cached_property
    def file(self) -> ConfigFile:
        """Every section as its pydantic model (imports pydantic: not for the console's path
        to its first frame; read `console`, `remote` or `data` there)."""
        from warroom.config.schema import ConfigFile

        return ConfigFile.model_validate(self.data)

    @cached_property
    def delivery(self) -> Delivery | None:
        """`[channels.*]` and `[[triggers]]` (None when no channel is configured: then nothing
        leaves warroom, and pydantic is not imported)."""
        if not self.data.get("channels"):
            return None
        from warroom.config.delivery import Delivery

        return Delivery(channels=dict(self.file.channels), triggers=tuple(self.file.triggers))
