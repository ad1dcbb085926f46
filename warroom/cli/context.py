"""What every verb needs: the config, the acting person, and the service over the chosen store."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Collection
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.config import Config
    from warroom.service import WarRoom
    from warroom.store.outbox import Outbox


def system_clock() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)


def default_actor() -> str:
    """`$WARROOM_USER`, then the login name."""
    return os.environ.get("WARROOM_USER") or getpass.getuser()


def report_outbox(outbox: Outbox) -> None:
    """On stderr: an unreadable outbox moved aside, and entries refused or stuck since the
    last report (each shown once)."""
    for warning in outbox.warnings:
        print(f"warroom: {warning}", file=sys.stderr)
    outbox.warnings.clear()
    for entry in outbox.unreported():
        print(f"warroom: {entry.trouble()}", file=sys.stderr)


class Context:
    """Resolved global options; the store is opened on first use."""

    def __init__(self, store: str | None, actor: str | None, config_path: str | None, *,
                 no_queue: bool = False, scripting: bool = False, verb: str | None = None) -> None:
        self.verb = verb or "console"
        self.config_path = Path(config_path) if config_path else None
        self.no_queue = no_queue
        """Fail at once instead of queueing when the server is unreachable."""
        self.scripting = scripting
        """A scripting verb (not the console): a queued command is reported as an error
        (exit 75) and outbox trouble goes to stderr."""
        self.store_arg = store or os.environ.get("WARROOM_STORE")
        self.store_given = bool(self.store_arg)
        """The person named the store (its folder must exist; only the default is made)."""
        self._actor = actor
        self._service: WarRoom | None = None

    @cached_property
    def actor(self) -> str:
        """`--as`, else `$WARROOM_USER`, else `[console] user` from config, else the login name."""
        if self._actor:
            return self._actor
        if "WARROOM_USER" not in os.environ and self.config.console.user:
            return self.config.console.user
        return default_actor()

    def act_as(self, person: str) -> None:
        """Switch the acting person (the demo acts as its commander)."""
        self._actor = person
        self.__dict__.pop("actor", None)

    @property
    def store_target(self) -> str | None:
        """`--store`, `$WARROOM_STORE`, the configured database, or the configured server URL."""
        return self.store_arg or self.config.store_url or self.config.remote.url

    @cached_property
    def config(self) -> Config:
        """The effective configuration (raises ConfigError)."""
        from warroom.config import load_config

        return load_config(self.config_path)

    @property
    def is_remote(self) -> bool:
        """True when the store is a warroom server URL (an unknown scheme: InvalidInput)."""
        from warroom.cli.targets import SERVER, kind_of

        target = self.store_target
        return bool(target) and kind_of(str(target)) == SERVER

    def store_kind(self, verb: str, accepts: Collection[str]) -> str:
        """The kind of store named (`file`, `server`...) when `verb` accepts it; else
        InvalidInput (exit 2) naming what the verb accepts."""
        from warroom.cli.targets import FILE, require

        target = self.store_target
        return FILE if not target else require(str(target), accepts, verb)

    def store_path(self) -> Path:
        """The local store file. A named one must be in an existing folder (StoreError, exit
        4, otherwise); only the default location is created on first write."""
        from warroom.paths import default_store_path

        if not self.store_arg:
            return default_store_path()
        path = Path(self.store_arg).expanduser()
        if self.store_given and not path.parent.is_dir():
            from warroom.store.base import StoreError

            raise StoreError(f"{path}: folder {path.parent} does not exist")
        return path

    def store_location(self) -> str | Path:
        """The store this host opens itself: a PostgreSQL URL as given, else the store file."""
        from warroom.cli.targets import DATABASE, kind_of

        target = self.store_target
        if target and kind_of(target) == DATABASE:
            return target
        return self.store_path()

    def service(self, *, read_only: bool = False) -> WarRoom:
        """The service over the chosen store (a local file, a database, or a server); opened
        once.

        `read_only`: a verb that only reads never creates a store: a missing local file (or
        folder) raises StoreError naming the path (exit 4).
        """
        if read_only and self._service is None and not self.is_remote:
            location = self.store_location()
            if isinstance(location, Path) and not location.is_file():
                from warroom.store.base import StoreError

                what = "folder" if not location.parent.is_dir() else "file"
                raise StoreError(f"no store at {location} (missing {what}); nothing to read")
        if self._service is None:
            self._service = self._open_service()
        return self._service

    def _open_service(self) -> WarRoom:
        from warroom.cli.targets import DATABASE, FILE, SERVER

        if self.store_kind(self.verb, (FILE, SERVER, DATABASE)) == SERVER:
            from warroom.service.remote import RemoteWarRoom

            remote = RemoteWarRoom.connect(str(self.store_target), self.config,
                                           queue_offline=not self.no_queue,
                                           raise_queued=self.scripting)
            if self.scripting:
                report_outbox(remote.store.outbox)
            return remote
        from warroom.service import WarRoom
        from warroom.store.target import open_store

        store = open_store(self.store_location(), one_shot=self.scripting)
        return WarRoom(store, self.config.policy, system_clock,
                       lambda: self.config.delivery)
