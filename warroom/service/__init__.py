"""WarRoom: the one place commands are decided and appended, over any Store.

The CLI, the console and the HTTP server all go through it, so every path enforces the same rules.
It keeps folded state in memory and catches up incrementally from the store's log. A store
that keeps a snapshot of folded state (`warroom.store.snapshot`) gives the starting point: the
service decodes it and folds only the events after it, and writes it back once it has folded
`SNAPSHOT_AFTER` events past it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from warroom.domain.decide import CORE_TYPES, CloseCheck, Decision, decide, next_incident_id
from warroom.domain.errors import InvalidInput, NotFound, Refused
from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.policy import Policy
from warroom.domain.reduce import as_of as fold_as_of
from warroom.domain.reduce import reduce_all
from warroom.domain.status import status_view
from warroom.domain.structs import replace
from warroom.gcpause import collector_paused, settle
from warroom.service.planning import leaves_warroom, plan_deliveries
from warroom.store.base import AppendResult, NewDelivery, SeqConflict, Store, StoreError
from warroom.store.snapshot import FOLD_VERSION, SnapshotStore, decode, encode
from warroom.store.snapshot import load as load_snapshot

if TYPE_CHECKING:
    from warroom.config.delivery import Delivery

if TYPE_CHECKING:  # pydantic models: the console opens without importing them
    from warroom.domain.commands import AnyCommand, CoreCommand
    from warroom.domain.post_commands import PostCommand

Planned = tuple[Decision, list[NewDelivery]]
"""A decision and the deliveries of its events, ready to append together."""

PAGE = 5000
"""Events read per page when catching up: memory stays bounded however long the log."""
MAX_ATTEMPTS = 100
"""Optimistic-concurrency retries when other writers keep moving the log on."""
SNAPSHOT_AFTER = 2000
"""Events folded past the stored snapshot before the service writes it back (a short
transaction of the escalations they changed)."""
SETTLE_AFTER = PAGE
"""A fold of at least this many events built long-lived state: `gcpause.settle` it."""


def close_checks(states: Mapping[str, IncidentState]) -> tuple[CloseCheck, ...]:
    """What can block closing, besides open commitments: the PIR gate, whose blameless check
    knows every person in `states` (imported on first close: the console's start-up never needs
    it)."""

    def pir_gate(state: IncidentState, policy: Policy) -> list[str]:
        from warroom.domain.blameless import known_people
        from warroom.domain.pir import close_blockers

        return close_blockers(state, policy, known_people(states.values(), policy))

    return (pir_gate,)


def require_aware(name: str, value: object) -> None:
    """A time says its offset (a naive one cannot be compared with the clock): InvalidInput
    naming `name` otherwise."""
    if isinstance(value, datetime) and value.tzinfo is None:
        raise InvalidInput(name, f"{value.isoformat()} has no timezone "
                                 "(add Z or an offset, e.g. 2026-11-24T10:00:00Z)")


def require_aware_times(command: object) -> None:
    """Every time in a command says its offset (`require_aware`)."""
    names = getattr(command, "__struct_fields__", None) or getattr(
        type(command), "model_fields", {})
    for name in names:
        require_aware(name, getattr(command, name, None))


def person_key(actor: str, key: str | None) -> str | None:
    """The key as stored: scoped to the person who sent it, so two people's keys never meet
    (the length prefix keeps `a:b` + `c` apart from `a` + `b:c`)."""
    return None if not key else f"{len(actor)}:{actor}:{key}"


class WarRoom:
    """Commands in, state out, over one store.

    Args:
        store: where events live (a SQLite file, or a remote server's mirror).
        policy: the configured policy.
        clock: returns the current UTC time (the store's clock); injected for exact tests.
        delivery: the configured channels; a posted update gets one delivery per matching
            channel, written with it (None: nothing leaves warroom). A function returning them
            is called on the first post (the console need not build them before its first
            frame).
    """

    def __init__(self, store: Store, policy: Policy, clock: Callable[[], datetime],
                 delivery: Delivery | Callable[[], Delivery | None] | None = None) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock
        self._delivery = delivery
        self._states: dict[str, IncidentState] = {}
        self._seq = 0
        self._lock = threading.RLock()
        self._started = False
        self._snapshots = store if isinstance(store, SnapshotStore) else None
        self._snapshot_seq = 0
        """The seq of the stored snapshot these states started from or last wrote."""
        self._changed: set[str] = set()
        """Escalations changed since `_snapshot_seq`."""
        self._next_save = SNAPSHOT_AFTER

    @property
    def seq(self) -> int:
        """The last seq folded into memory."""
        return self._seq

    def refresh(self) -> dict[str, IncidentState]:
        """Catch up with the store; returns the states that changed (by id). Writes the
        snapshot back at the end when it has fallen `SNAPSHOT_AFTER` events behind."""
        with self._lock:
            self._start()
            changed: set[str] = set()
            while True:
                page = self.store.read(self._seq, limit=PAGE)
                changed |= self._fold(page)
                if len(page) < PAGE:
                    break
            self._save_when_due()
            return {i: self._states[i] for i in changed if i in self._states}

    def ingest(self, events: list[Event]) -> dict[str, IncidentState]:
        """Fold events already read (e.g. from `Store.watch`); skips ones folded before."""
        with self._lock:
            self._start()
            touched = self._fold(events)
            self._save_when_due()
            return {i: self._states[i] for i in touched if i in self._states}

    def _fold(self, events: list[Event]) -> set[str]:
        """Fold the events not folded before; the ids they touched."""
        fresh = [e for e in events if e.seq > self._seq]
        if not fresh:
            return set()
        touched = {e.incident_id for e in fresh}
        with collector_paused(len(fresh)):
            self._states = reduce_all(fresh, self._states)
        if len(fresh) >= SETTLE_AFTER:
            settle()
        self._seq = fresh[-1].seq
        self._changed |= touched
        return touched

    def _save_when_due(self) -> None:
        if self._seq >= self._next_save:
            self.save_snapshot()

    def _start(self) -> None:
        """Once, before the first fold: start from the store's snapshot, if it has a usable
        one (another fold version's, one that does not decode or one past the log's end is
        ignored: the log is folded from the start instead, and the snapshot rewritten)."""
        if self._started:
            return
        self._started = True
        if self._snapshots is None or self._seq:
            return
        loaded = load_snapshot(self.store)
        if loaded is not None:
            self._states, self._seq = loaded
            self._snapshot_seq = self._seq
            self._next_save = self._seq + SNAPSHOT_AFTER

    def save_snapshot(self) -> bool:
        """Write the folded states back to the store's snapshot (only those changed since the
        snapshot they started from, when the stored one is still that one or newer); False
        when nothing was written (no snapshots, nothing new, or another process is ahead).
        A failure to write is not an error: the snapshot is only a cache."""
        with self._lock:
            if self._snapshots is None or self._seq <= self._snapshot_seq:
                return False
            self._next_save = self._seq + SNAPSHOT_AFTER  # a refused write waits as long
            try:
                written = False
                if self._snapshot_seq:
                    rows = [encode(self._states[i]) for i in self._changed if i in self._states]
                    written = self._snapshots.write_snapshot(
                        FOLD_VERSION, self._seq, rows, since=self._snapshot_seq)
                if not written:
                    rows = [encode(s) for s in self._states.values()]
                    written = self._snapshots.write_snapshot(FOLD_VERSION, self._seq, rows,
                                                             since=None)
            except StoreError:
                return False
            if written:
                self._snapshot_seq = self._seq
                self._changed.clear()
            return written

    def execute(
        self, command: AnyCommand, actor: str, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Decide and append a command; returns its result with `seqs` and `duplicate`.

        A command whose idempotency key this actor used before returns the original result and
        writes nothing; keys are the actor's own (another person's same key is another command).
        Raises a `CommandError` (and writes nothing) when the command is refused.
        `command` was checked when it was built (a command model validates its fields).
        """
        require_aware_times(command)

        def attempt() -> Planned:
            decision, log = self._decide(command, actor, self.clock())
            decision.events = [replace(e, idempotency_key=idempotency_key)
                               for e in decision.events]
            return decision, self._deliveries(decision, log)

        return self._append_decided(attempt, person_key(actor, idempotency_key))

    def lookup(self, actor: str, idempotency_key: str) -> dict[str, Any] | None:
        """The outcome of a command this actor ran with this key, or None."""
        seen = self.store.lookup(person_key(actor, idempotency_key) or "")
        return None if seen is None else _outcome(seen)

    def append_new_incident(
        self, key: str, build: Callable[[str], list[Event]]
    ) -> dict[str, Any]:
        """Append a whole escalation made elsewhere (an importer), once per `key`.

        `build(incident_id)` returns its events; the id is allocated here (`ESC-n`), safely
        against concurrent writers. A key seen before writes nothing (`duplicate` is True).
        """

        def attempt() -> Planned:
            incident_id = next_incident_id(self._states)  # new: no update of it is delivered
            return Decision(build(incident_id), {"id": incident_id}), []

        return self._append_decided(attempt, key)

    def _append_decided(
        self, attempt: Callable[[], Planned], key: str | None
    ) -> dict[str, Any]:
        """The one optimistic-concurrency loop: decide (and plan deliveries) on fresh state,
        append expecting that state's last seq, and on `SeqConflict` (another writer got in
        first) decide again. A key seen before returns its original outcome and writes
        nothing."""
        if key:
            seen = self.store.lookup(key)
            if seen is not None:
                return _outcome(seen)
        for _ in range(MAX_ATTEMPTS):
            with self._lock:
                self.refresh()
                decision, deliveries = attempt()
                try:
                    appended = self.store.append(decision.events, expect_seq=self._seq,
                                                 idempotency_key=key, result=decision.result,
                                                 deliveries=deliveries)
                except SeqConflict:
                    continue
                self.refresh()
                return _outcome(appended)
        raise Refused("the store is too busy: gave up after repeated concurrent writes")

    @property
    def delivery(self) -> Delivery | None:
        """The configured channels (None: nothing leaves warroom)."""
        if callable(self._delivery):
            self._delivery = self._delivery()
        return self._delivery

    @delivery.setter
    def delivery(self, value: Delivery | None) -> None:
        self._delivery = value

    def _deliveries(self, decision: Decision, log: Sequence[Event]) -> list[NewDelivery]:
        """The decision's deliveries (`planning.plan_deliveries`); the channels are built only
        when something leaves warroom."""
        if not leaves_warroom(decision.events):
            return []
        return plan_deliveries(decision, self._states, self.delivery, self.policy, log)

    def _decide(self, command: AnyCommand, actor: str, now: datetime
                ) -> tuple[Decision, Sequence[Event]]:
        """The command's decision, and the log it was decided on: a post command's escalation's
        (a flag naming none: the flag events); none for a core command."""
        if command.type not in CORE_TYPES:
            from warroom.domain.post_decide import decide_post_events

            post = cast("PostCommand", command)
            if post.type == "flag" and post.incident_id is None:
                from warroom.domain.recurrence import flag_events

                log = flag_events(self._states.values())  # all a flag's target needs
            else:
                log = self.store.read(0, incident_id=post.incident_id)
            events, result = decide_post_events(post, self._states, self.policy, actor, now, log)
            return Decision(events, result), log
        decision = decide(cast("CoreCommand", command), self._states, self.policy, actor, now,
                          close_checks=close_checks(self._states))
        closed = decision.events[-1] if decision.events else None
        if closed is not None and closed.kind is EventKind.CLOSED:
            state = self._states[closed.incident_id]
            from warroom.domain.pir import pir_required

            if state.pir_completed_at is None and pir_required(state, self.policy):
                # closing past the PIR gate completes the review, so the `pir` clock is met
                completed = replace(closed, kind=EventKind.PIR_COMPLETED,
                                    payload={"on_close": True})
                decision.events.insert(len(decision.events) - 1, completed)
        return decision, ()

    def states(self) -> dict[str, IncidentState]:
        """Every escalation's state (shared, read-only: never mutate)."""
        with self._lock:
            self.refresh()
            return dict(self._states)

    def folded_states(self) -> dict[str, IncidentState]:
        """Every escalation's state as last read, without reading the store (it may be
        unreachable)."""
        with self._lock:
            return dict(self._states)

    def state(self, incident_id: str, as_of: datetime | None = None) -> IncidentState:
        """One escalation's state, now or as it stood at `as_of`."""
        require_aware("as_of", as_of)
        with self._lock:
            self.refresh()
            state = self._states.get(incident_id)
        if state is None:
            raise NotFound(f"unknown escalation {incident_id!r}")
        if as_of is None:
            return state
        past = fold_as_of(self.store.read(0, incident_id=incident_id), as_of)
        if past is None:
            raise NotFound(f"{incident_id} had not been received at {as_of.isoformat()}")
        return past

    def status(self, incident_id: str, as_of: datetime | None = None) -> dict[str, Any]:
        """The `status --json` document (clocks evaluated at `as_of`, default now)."""
        state = self.state(incident_id, as_of)
        return status_view(state, self.policy, as_of or self.clock())

    def statuses(self, keep: Callable[[IncidentState], bool], *, open_only: bool = False
                 ) -> list[dict[str, Any]]:
        """The status documents of the escalations `keep` selects, from one catch-up with the
        store and at one instant (a list of a thousand escalations is one read, not a
        thousand).

        `open_only`: `keep` never selects a closed or imported escalation, so a service that
        has not read the store yet decodes only the open ones from the snapshot (a year holds
        10,000 escalations, a few hundred of them open), without keeping them.
        """
        states = self.open_states() if open_only else None
        if states is None:
            states = self.states()
        now = self.clock()
        return [status_view(s, self.policy, now) for s in states.values() if keep(s)]

    def open_states(self) -> dict[str, IncidentState] | None:
        """The snapshot's open escalations (and any the log after it touched), folded up to
        date, without keeping them (a year's 10,000 decode in ~0.4 s, its ~200 open ones in
        ~10 ms); None when the snapshot cannot serve (none, stale, or far behind: the full
        catch-up then writes it back) or the states were read already."""
        with self._lock:
            if self._started or self._snapshots is None:
                return None
            try:
                found = self._snapshots.read_snapshot(FOLD_VERSION, open_only=True)
                if found is None or found.seq > self.store.last_seq():
                    return None
                tail = self.store.read(found.seq, limit=SNAPSHOT_AFTER)
                if len(tail) == SNAPSHOT_AFTER:
                    return None
                states = decode(found.states, len(found.states))
                missing = sorted({e.incident_id for e in tail} - states.keys())
                if missing:
                    more = self._snapshots.read_snapshot(FOLD_VERSION, ids=missing)
                    if more is None or more.seq != found.seq:
                        return None
                    states.update(decode(more.states, len(more.states)))
            except (StoreError, ValueError):  # msgspec.DecodeError is a ValueError
                return None
            return reduce_all(tail, states)

    def events(
        self, incident_id: str | None = None, since: int = 0, limit: int | None = None
    ) -> list[Event]:
        """The log (of one escalation), seq > since; at most `limit` events when given."""
        if incident_id is not None:
            self.state(incident_id)
        return self.store.read(since, incident_id=incident_id, limit=limit)


def _outcome(appended: AppendResult) -> dict[str, Any]:
    return {**appended.result, "seqs": list(appended.seqs), "duplicate": appended.duplicate}
