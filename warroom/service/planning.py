"""Delivery planning: which channels a decision's customer updates and RCA summaries leave by.

Each posted update gets one delivery per channel matching its audience and customer, and a
queued customer RCA summary one per channel taking the customer's customer-audience messages.
The deliveries are written in the same transaction as the events, and each event's payload
lists them so every view can show where it went. A queued RCA that no channel takes is
refused (nothing is written): the person sends it and records it with `pir ID sent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from warroom.domain.errors import Refused
from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.policy import Policy
from warroom.domain.structs import replace
from warroom.store.base import NewDelivery

if TYPE_CHECKING:
    from warroom.config.delivery import Delivery
    from warroom.domain.decide import Decision

_DELIVERED = frozenset({EventKind.UPDATE_POSTED, EventKind.RCA_QUEUED})
"""Events that leave warroom through the channels: customer updates and RCA summaries."""


def leaves_warroom(events: Iterable[Event]) -> bool:
    """True when any of `events` is sent through the channels (so they must be planned)."""
    return any(e.kind in _DELIVERED for e in events)


def plan_deliveries(decision: Decision, states: Mapping[str, IncidentState],
                    delivery: Delivery | None, policy: Policy, log: Sequence[Event],
                    ) -> list[NewDelivery]:
    """The deliveries of `decision`'s events, listed into their payloads (in place).

    Args:
        decision: what a command produced (its events and result are updated).
        states: every escalation's state, as the decision was made on.
        delivery: the configured channels (None: none).
        policy: the configured policy (an RCA summary's customer time zone).
        log: the log the decision was made on; an RCA summary's timeline reads its
            escalation's events there.

    Raises:
        Refused: a queued RCA summary no channel takes.
    """
    if not leaves_warroom(decision.events):
        return []
    if delivery is None or not delivery.channels:
        _refuse_rca(decision, "no delivery channels are configured")
        return []
    from warroom.delivery.message import update_message

    out: list[NewDelivery] = []
    for n, event in enumerate(decision.events):
        state = states.get(event.incident_id)
        if event.kind not in _DELIVERED or state is None:
            continue
        rca = event.kind is EventKind.RCA_QUEUED
        audience = "customer" if rca else event.payload["audience"]
        matching = delivery.matching(audience, state.customer)
        if not matching:
            if rca:
                _refuse_rca(decision, f"no channel takes customer messages for {state.customer}")
            continue
        message = _rca_message(state, event, policy, log) if rca else update_message(state, event)
        planned = [NewDelivery(name, channel.recipients(), message, n)
                   for name, channel in matching]
        listed = [{"channel": d.channel, "recipients": list(d.recipients)} for d in planned]
        decision.events[n] = replace(event, payload={**event.payload, "deliveries": listed})
        if rca:
            decision.result["queued"] = listed
        out.extend(planned)
    return out


def _rca_message(state: IncidentState, event: Event, policy: Policy, log: Iterable[Event],
                 ) -> dict[str, Any]:
    """The customer RCA summary as `pir ID --format md` prints it, at the time it was queued
    (`event`), in its delivery message; `log` holds the escalation's events (others' are
    ignored)."""
    from warroom.delivery.message import rca_message
    from warroom.domain.rca import customer_rca
    from warroom.reports.rca_export import render_rca

    document = render_rca(customer_rca(state, log, policy, event.occurred_at))
    return rca_message(state, event, document)


def _refuse_rca(decision: Decision, why: str) -> None:
    """Refuse a decision queueing an RCA summary, saying why and what to do instead."""
    for event in decision.events:
        if event.kind is EventKind.RCA_QUEUED:
            raise Refused(f"{why}: the customer RCA summary of {event.incident_id} cannot be "
                          f"sent by warroom; send it yourself and record it with "
                          f"`pir {event.incident_id} sent --to ADDRESS`")
