"""The deliverer: claims due deliveries from the store, sends them, records each outcome; and
fires the clock triggers. `warroom serve`, the console and `warroom deliver` each run one.

Exactly-once as far as a network allows: a claim leases a delivery to one deliverer (two never
send the same one while the lease runs); the outcome and its event are written in one
transaction. A deliverer that dies between sending and recording leaves the lease to lapse, and
the next claimer sends again with the same Message-ID / idempotency key, so the receiver can drop
it. Failures retry with exponential backoff, forever (a delivery is never dropped).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from warroom.config.delivery import Delivery
from warroom.config.schema.channels import Channel, Trigger
from warroom.delivery.message import trigger_message
from warroom.delivery.senders import SendError, send
from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.policy import Policy
from warroom.domain.reduce import reduce_all
from warroom.store.base import Delivery as StoredDelivery
from warroom.store.base import DeliveryStore, NewDelivery
from warroom.store.snapshot import load as load_snapshot

log = logging.getLogger(__name__)

PAGE = 5000
"""Events folded per read when catching up (bounded memory)."""
ACTOR = "warroom"
"""The actor of delivery and trigger events."""


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1 after n failures: `first * 2**(n-1)`, at most `most`."""

    first: timedelta = timedelta(seconds=5)
    most: timedelta = timedelta(minutes=5)

    def delay(self, attempts: int) -> timedelta:
        """The wait after `attempts` failed attempts."""
        return min(self.first * (2 ** max(attempts - 1, 0)), self.most)


@dataclass
class Report:
    """What one pass did."""

    delivered: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)


def default_owner() -> str:
    """A name unique to this process (host, pid, random) for leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Deliverer:
    """Sends what is due from one store.

    Args:
        store: the store holding deliveries (and the log, for triggers).
        delivery: the configured channels and triggers.
        policy: the policy (clock targets, for triggers).
        clock: the current UTC time.
        lease: how long a claim is exclusive (longer than a send can take).
        backoff: retry delays.
        timeout: seconds a single send may take.
    """

    def __init__(
        self,
        store: DeliveryStore,
        delivery: Delivery,
        policy: Policy,
        clock: Callable[[], datetime],
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=60),
        backoff: Backoff | None = None,
        timeout: float = 10.0,
        sender: Callable[[Channel, StoredDelivery, float], None] = send,
    ) -> None:
        self.store = store
        self.delivery = delivery
        self.clock = clock
        self.owner = owner or default_owner()
        self.lease = lease
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self._send = sender
        self.policy = policy
        self._states: dict[str, IncidentState] = {}
        """Folded state for the triggers, caught up incrementally."""
        self._seq = 0
        self._fired: set[str] = set()
        self.on_report: Callable[[Report], None] | None = None
        """Called after each pass of `run` that did something."""

    # -- one pass --

    def run_once(self) -> Report:
        """Fire due triggers, then send every delivery due now; returns what happened."""
        report = Report()
        if self.delivery.triggers:
            report.fired = self.fire_triggers()
        while True:
            claimed = self.store.claim_deliveries(self.owner, self.clock(), self.lease)
            if not claimed:
                return report
            for item in claimed:
                self._attempt(item, report)

    def _attempt(self, item: StoredDelivery, report: Report) -> None:
        channel = self.delivery.channels.get(item.channel)
        error: str | None = None
        if channel is None:
            error = f"channel {item.channel!r} is not configured"
        else:
            try:
                self._send(channel, item, self.timeout)
            except SendError as exc:
                error = str(exc) or "send failed"
            except Exception as exc:  # a bug in a sender must not stop every other delivery
                log.exception("sending %s", item.key)
                error = f"{type(exc).__name__}: {exc}"
        now = self.clock()
        payload: dict[str, Any] = {
            "channel": item.channel, "recipients": list(item.recipients),
            "attempt": item.attempts, "of": item.message.get("kind", "update"),
            "of_seq": item.seq, "key": item.key,
        }
        if error is None:
            events = [_event(item.incident_id, EventKind.UPDATE_DELIVERED, now, payload)]
            if item.message.get("kind") == "rca":
                # The customer has the RCA summary: that meets the `pir` clock, recorded with
                # the delivery's success (a failed attempt records nothing of the kind).
                events.append(_event(item.incident_id, EventKind.RCA_SENT, now, {
                    "to": list(item.recipients), "channel": item.channel,
                    "requested_by": item.message.get("requested_by"), "of_seq": item.seq,
                    "key": item.key}))
            if self.store.finish_delivery(item.id, delivered=True, now=now, events=events):
                report.delivered.append(item.key)
            return
        retry_at = now + self.backoff.delay(item.attempts)
        payload |= {"error": error, "retry_at": retry_at.isoformat().replace("+00:00", "Z")}
        event = _event(item.incident_id, EventKind.UPDATE_DELIVERY_FAILED, now, payload)
        if self.store.finish_delivery(item.id, delivered=False, now=now, error=error,
                                      retry_at=retry_at, events=[event]):
            report.failed.append((item.key, error))

    # -- triggers --

    def fire_triggers(self) -> list[str]:
        """Fire each trigger whose clock has entered its state, once per escalation and
        transition: the `trigger_fired` event and its delivery are appended under a key naming
        the escalation, clock, state, channel and the clock's due time, so a second deliverer, a
        restart or the next pass writes nothing."""
        from warroom.domain.sla import clocks

        now = self.clock()
        fired: list[str] = []
        for state in self._catch_up().values():
            if state.closed_at is not None:
                continue
            evaluated = clocks(state, self.policy, now)
            for trigger in self.delivery.triggers:
                clock = evaluated[trigger.clock]
                if clock.state is not trigger.state:
                    continue
                due = clock.due_at.isoformat() if clock.due_at else "-"
                key = f"trigger:{state.id}:{trigger.when}:{trigger.notify}:{due}"
                if key in self._fired:
                    continue
                if self._fire(state, trigger, clock, now, key):
                    fired.append(key)
                self._fired.add(key)
        return fired

    def _catch_up(self) -> dict[str, IncidentState]:
        if self._seq == 0 and (loaded := load_snapshot(self.store)) is not None:
            self._states, self._seq = loaded  # the store's snapshot, then only the log after it
        while page := self.store.read(self._seq, limit=PAGE):
            self._states = reduce_all(page, self._states)
            self._seq = page[-1].seq
        return self._states

    def _fire(self, state: IncidentState, trigger: Trigger, clock: Any, now: datetime,
              key: str) -> bool:
        if self.store.lookup(key) is not None:
            return False
        channel = self.delivery.channels[trigger.notify]
        message = trigger_message(state, clock, now)
        event = _event(state.id, EventKind.TRIGGER_FIRED, now, {
            "clock": clock.name.value, "state": clock.state.value, "channel": trigger.notify,
            "remaining_s": message["remaining_s"], "due_at": message["due_at"],
            "role": message["role"], "person": message["person"],
        })
        appended = self.store.append(
            [event], idempotency_key=key,
            deliveries=[NewDelivery(trigger.notify, channel.recipients(), message, 0)])
        return not appended.duplicate

    # -- running --

    def run(self, stop: threading.Event, poll: float = 0.05) -> None:
        """Deliver until `stop` is set: a cheap check every `poll` seconds, a pass when
        something is due (and for triggers, at least once a second)."""
        last_trigger_pass = datetime.min
        while not stop.is_set():
            try:
                now = self.clock()
                due = self.store.next_delivery_due()
                triggers_due = bool(self.delivery.triggers) and (
                    now.replace(tzinfo=None) - last_trigger_pass >= timedelta(seconds=1))
                if triggers_due or (due is not None and due <= now):
                    if triggers_due:
                        last_trigger_pass = now.replace(tzinfo=None)
                    report = self.run_once()
                    if self.on_report is not None and (
                            report.delivered or report.failed or report.fired):
                        self.on_report(report)
                    if not triggers_due:
                        continue
            except Exception:  # keep delivering: a store hiccup must not end the worker
                log.exception("delivery pass failed")
            stop.wait(poll)

    def start(self, poll: float = 0.05) -> tuple[threading.Thread, threading.Event]:
        """Run in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop, poll), name="warroom-deliver",
                                  daemon=True)
        thread.start()
        return thread, stop


def _event(incident_id: str, kind: EventKind, now: datetime, payload: dict[str, Any]) -> Event:
    return Event(incident_id=incident_id, kind=kind, actor=ACTOR, occurred_at=now,
                 recorded_at=now, payload=payload)
