"""The console's only contact with the store: workers that report back with messages.

Thread workers read and write (the store may block); the live watcher is an async worker whose
blocking reads the store itself moves to a thread. None of them touch a widget.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from warroom.domain.errors import CommandError
from warroom.domain.models import Event
from warroom.store.base import StoreError
from warroom.tui import messages as m
from warroom.tui.view import pick_incident

if TYPE_CHECKING:
    from warroom.domain.command_base import CommandModel
    from warroom.domain.commands import AnyCommand
    from warroom.service import WarRoom

C = TypeVar("C", bound="CommandModel")

RETRY_S = 2.0
"""Pause before reading or watching the store again after it failed."""
UNAVAILABLE = "store unavailable"
"""How a failed first read starts its connection state."""
INLINE_READ_MAX = 2_000
"""A local store with at most this many events not yet read is read before the first frame."""


class StoreWorkers:
    """Mixin for the app: first load, timeline reads, live watching, commands."""

    service: WarRoom
    user: str
    wall: bool
    wanted: str | None
    clock: Callable[[], datetime]
    retry_s: float
    stop_retrying: threading.Event
    """Set when the app ends, so a first read waiting to retry gives up at once."""
    _jobs: deque[Callable[[], None]]
    """Command jobs waiting for the one command worker (see `run_serially`)."""
    _jobs_lock: threading.Lock
    _draining: bool
    """A command worker is running (and will take any job queued)."""
    if TYPE_CHECKING:
        def post_message(self, message: Message) -> bool: ...
        def let_collector_go(self) -> None: ...

    def read_first(self) -> m.StateLoaded:
        """First read: catch the service up, pick the escalation, read its timeline.

        Raises:
            StoreError, OSError: the store cannot be read.
        """
        service = self.service
        states = service.states()  # from the store's snapshot, if any, and the log after it
        seq = service.seq
        if self.wall:  # it shows no one escalation's timeline
            return m.StateLoaded(states, None, [], seq)
        incident = pick_incident(states, service.policy, self.clock(), self.wanted)
        timeline: list[Event] = []
        if incident is not None:
            timeline = service.store.read(0, incident_id=incident)
        return m.StateLoaded(states, incident, timeline, seq)

    def read_first_inline(self) -> m.StateLoaded | None:
        """The first read done at once when it is small and local (a few milliseconds), so the
        first frame already shows the escalation; None when a worker should do it. The
        wallboard shows only open escalations: when the snapshot can serve them, it reads
        just those (incomplete: the rest is read once the first frame is drawn)."""
        if self._remote():
            return None
        try:
            if self.wall:
                opened = self.service.open_states()
                if opened is not None:
                    return m.StateLoaded(opened, None, [], 0, complete=False)
            if self.service.store.last_seq() - self.service.seq > INLINE_READ_MAX:
                return None
            return self.read_first()
        except (StoreError, OSError):
            return None  # the worker reads again and reports the trouble

    @work(thread=True, group="store", exit_on_error=False)
    def _load(self) -> None:
        """First read in a worker, while the loading screen shows. A failed read is tried again
        every `retry_s` seconds, with the reason shown; the collector runs meanwhile."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                loaded = self.read_first()
            except (StoreError, OSError) as exc:
                self.let_collector_go()
                self.post_message(m.ConnectionChanged(
                    f"{UNAVAILABLE}: {exc}, retrying in {self.retry_s:g}s"))
                if self.stop_retrying.wait(self.retry_s):
                    return
                continue
            self.post_message(loaded)
            return

    @work(thread=True, group="timeline", exclusive=True, exit_on_error=False)
    def load_timeline(self, incident_id: str) -> None:
        """Read one escalation's events (after switching escalation)."""
        try:
            events = self.service.store.read(0, incident_id=incident_id)
        except (StoreError, OSError) as exc:
            self.post_message(m.ConnectionChanged(f"offline: {exc}"))
            return
        self.post_message(m.TimelineLoaded(incident_id, events))

    @work(group="watch", exclusive=True, exit_on_error=False)
    async def _watch(self, since: int) -> None:
        """Live: fold every new event (from anyone) as the store reports it."""
        remote = self._follow_connection()
        while True:
            if not remote:
                self.post_message(m.ConnectionChanged("live"))
            try:
                async for batch in self.service.store.watch(since):
                    since = batch[-1].seq
                    changed = self.service.ingest(batch)
                    self.post_message(m.EventsArrived(batch, changed))
                return
            except (StoreError, OSError) as exc:
                self.post_message(m.ConnectionChanged(f"offline: {exc}"))
            await asyncio.sleep(RETRY_S)

    def _remote(self) -> bool:
        """True for a server's store (it reports its own connection state)."""
        return callable(getattr(self.service, "connection", None)) \
            and callable(getattr(self.service.store, "on_change", None))

    def _follow_connection(self) -> bool:
        """For a server's store, report its own connection state (connected, reconnecting,
        offline, commands pending); returns False for a local store."""
        connection = getattr(self.service, "connection", None)
        on_change = getattr(self.service.store, "on_change", None)
        if not callable(connection) or not callable(on_change):
            return False

        def report(current: Any) -> None:  # called from whichever thread noticed the change
            self.post_message(m.ConnectionChanged(str(current.describe())))
            if getattr(current, "attention", 0):
                self._report_outbox()

        on_change(report)
        report(connection())
        return True

    def _report_outbox(self) -> None:
        """Tell the app about queued commands newly refused or stuck (each once)."""
        outbox = getattr(self.service.store, "outbox", None)
        if outbox is None:
            return
        lines = [entry.trouble() for entry in outbox.unreported()]
        if lines:
            self.post_message(m.OutboxTrouble(lines))

    def issued(self, command: C) -> C:
        """`command` stamped with the time it is issued (unless it carries one): a command
        waiting behind another, or in the outbox, still happens when the person issued it."""
        if command.at is not None:
            return command
        return command.model_copy(update={"at": self.service.clock()})

    def submit(self, command: AnyCommand, *, reply_to: MessagePump | None = None) -> None:
        """Carry out a command as the console user, after those submitted before it; the
        outcome comes back as `CommandSucceeded` / `CommandRefused` to `reply_to` and to the
        app (which leaves a refusal that reached `reply_to` to it, e.g. a form showing it
        beside the field)."""
        self.run_serially(partial(self._carry_out, self.issued(command), reply_to))

    def _carry_out(self, command: AnyCommand, reply_to: MessagePump | None) -> None:
        outcome = self._outcome(command)
        # stopped: `reply_to`'s copy must not bubble up to the app, which gets its own
        shown = reply_to is not None and reply_to.post_message(outcome.stop())
        self.post_message(_copy(outcome, shown))

    def run_serially(self, job: Callable[[], None]) -> None:
        """Run `job` in a worker thread after every job queued before it: the console's
        commands are carried out (and queued offline) one at a time, in the order given."""
        with self._jobs_lock:
            self._jobs.append(job)
            if self._draining:
                return
            self._draining = True
        self._drain()

    @work(thread=True, group="commands", exit_on_error=False)
    def _drain(self) -> None:
        """Run queued jobs until none is left (one such worker at a time)."""
        while True:
            with self._jobs_lock:
                if not self._jobs:
                    self._draining = False
                    return
                job = self._jobs.popleft()
            try:
                job()
            except Exception as exc:  # one failing job must not strand those behind it
                self.post_message(m.JobFailed(f"{type(exc).__name__}: {exc}"))

    def execute_now(self, command: AnyCommand, *, shown: bool = False
                    ) -> m.CommandSucceeded | m.CommandRefused:
        """Carry out a command in the calling worker thread (never the UI thread).

        The app is told the outcome (`shown`: the caller shows a refusal itself); a separate
        copy is returned for the caller to post on.
        """
        outcome = self._outcome(command)
        self.post_message(_copy(outcome, shown))
        return outcome

    def _outcome(self, command: AnyCommand) -> m.CommandSucceeded | m.CommandRefused:
        service = self.service
        try:
            result = service.execute(command, self.user, idempotency_key=uuid.uuid4().hex)
            # queued offline: the store cannot be read either, so show what was last read
            states = service.folded_states() if result.get("queued") else service.states()
        except (CommandError, StoreError, OSError) as exc:
            return m.CommandRefused(command, exc)
        return m.CommandSucceeded(command, result, states)


def _copy(outcome: m.CommandSucceeded | m.CommandRefused, shown: bool
          ) -> m.CommandSucceeded | m.CommandRefused:
    """Another message with the same outcome (a message is posted to one pump only)."""
    if isinstance(outcome, m.CommandRefused):
        return m.CommandRefused(outcome.command, outcome.error, shown=shown)
    return m.CommandSucceeded(outcome.command, outcome.result, outcome.states)
