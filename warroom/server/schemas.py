"""The API's bodies as pydantic models: FastAPI validates requests with them and documents
requests and responses in `/openapi.json` from them.

A command request is the command model itself (the same one the CLI and the console build)
plus an optional `idempotency_key`, with its numbers and booleans strict: a JSON string is not
a number (`"5"` for `affected` is refused; the CLI converts its argv strings itself). Responses
are written straight to JSON by the routes (no second validation on the way out); the models
here describe them, and the API tests check that what is sent matches.
"""

from __future__ import annotations

import copy
import operator
import types
from datetime import datetime
from functools import reduce
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    NotRequired,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    Strict,
    StringConstraints,
    create_model,
)
from pydantic.fields import FieldInfo
from typing_extensions import TypedDict, is_typeddict

from warroom.domain.command_base import CommandModel
from warroom.domain.commands import Open, command_types
from warroom.domain.models import EventKind

MAX_KEY = 200
"""Longest idempotency key."""

IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_KEY)]
_KEY_FIELD: Any = (IdempotencyKey | None, Field(
    None, description="Posting the same key again returns the first outcome and writes "
                      "nothing (or send it as the `Idempotency-Key` header)."))


def strict_numbers(kind: Any) -> Any:
    """`kind` with every int, float and bool in it strict (inside unions, lists, dicts and
    TypedDicts too); everything else (texts, times, enums) as lax as before."""
    origin, args = get_origin(kind), get_args(kind)
    if kind in (int, float, bool):
        return Annotated[kind, Strict()]
    if origin is Annotated:
        return Annotated[(strict_numbers(args[0]), *kind.__metadata__)]
    if origin in (Union, types.UnionType):
        return reduce(operator.or_, [strict_numbers(a) for a in args])
    if origin in (list, dict):
        return origin[tuple(strict_numbers(a) for a in args)]
    if is_typeddict(kind):
        hints = get_type_hints(kind, include_extras=True)
        optional = kind.__optional_keys__
        make: Any = TypedDict  # a TypedDict built at run time
        strict = make(kind.__name__, {
            k: NotRequired[strict_numbers(v)] if k in optional else strict_numbers(v)
            for k, v in hints.items()})
        strict.__doc__ = kind.__doc__
        strict.__pydantic_config__ = getattr(kind, "__pydantic_config__", None)
        return strict
    return kind


def _strict_fields(model: type[BaseModel]) -> dict[str, Any]:
    """The fields of `model` whose type holds a number or a boolean, made strict."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        strict = strict_numbers(field.annotation)
        if strict != field.annotation:
            changed: FieldInfo = copy.copy(field)
            changed.annotation = strict
            fields[name] = (strict, changed)
    return fields


def _request(command: type[CommandModel]) -> type[CommandModel]:
    """`command` with an optional `idempotency_key`, its numbers and booleans strict."""
    model: type[CommandModel] = create_model(
        f"{command.__name__}Request", __base__=command, __module__=__name__,
        __doc__=command.__doc__, idempotency_key=_KEY_FIELD, **_strict_fields(command))
    return model


_REQUESTS = {_request(command): command for command in command_types()}


_ANY_REQUEST: Any = Annotated[reduce(operator.or_, _REQUESTS), Field(discriminator="type")]


class CommandRequest(RootModel[_ANY_REQUEST]):
    """A command (`type` selects the verb) plus an optional `idempotency_key`."""

    def command(self) -> Any:
        """The command itself (without the key)."""
        return unkeyed(self.root)


class _OpenEscalation(Open):
    """Open an escalation (the `open` command: `type` may be left out)."""

    model_config = ConfigDict(json_schema_extra=None)

    idempotency_key: IdempotencyKey | None = _KEY_FIELD[1]


if TYPE_CHECKING:
    OpenEscalation = _OpenEscalation
else:  # the same, with its numbers and booleans strict
    OpenEscalation = create_model(
        "OpenEscalation", __base__=_OpenEscalation, __module__=__name__,
        __doc__=_OpenEscalation.__doc__, **_strict_fields(Open))


def unkeyed(request: CommandModel) -> Any:
    """The command model a request model extends, with the request's values (already
    checked), without `idempotency_key`."""
    command = _REQUESTS.get(type(request), Open if isinstance(request, Open) else None)
    assert command is not None
    return command.model_construct(**request.model_dump(exclude={"idempotency_key"}))


# -- responses ------------------------------------------------------------------------------

class CommandOutcome(BaseModel):
    """What a command did. More fields depend on the verb (`severity`, `commitment_id`,
    `action_id`, `body`...)."""

    model_config = ConfigDict(extra="allow")

    id: str | None = Field(None, description="the escalation it acted on (or opened)")
    seqs: list[int] = Field(description="the seqs of the events it appended, in order")
    duplicate: bool = Field(description="true when the idempotency key was seen before: the "
                                        "first outcome, nothing written")
    actor: str | None = Field(None, description="who it ran as (the token's person)")


class ClockView(BaseModel):
    """One SLA clock at the document's `as_of`."""

    due_at: datetime | None
    state: str
    remaining_s: float | None
    target_s: float | None
    met_at: datetime | None


class CommitmentView(BaseModel):
    """A commitment to the customer, with its state at `as_of`."""

    id: str
    text: str
    owner: str
    due_at: datetime
    state: Literal["open", "overdue", "met", "missed", "renegotiated"]
    remaining_s: float | None
    source: str
    made_at: datetime
    closed_at: datetime | None
    history: list[dict[str, Any]]


class DecisionView(BaseModel):
    """A decision taken under a decision right."""

    right: str
    actor: str
    text: str
    at: datetime


class DeliveryView(BaseModel):
    """Where an update stands on one channel."""

    channel: str
    recipients: list[str]
    state: str
    attempts: int
    error: str | None
    at: datetime | None


class UpdateView(BaseModel):
    """A status update with its deliveries."""

    seq: int
    audience: str
    phase: str
    body: str
    posted_by: str
    posted_at: datetime
    next_update_at: datetime | None
    delivery: Literal["delivered", "pending", "failed"] | None = Field(
        description="the worst state of its deliveries (null: sent nowhere)")
    deliveries: list[DeliveryView]


class EscalationStatus(BaseModel):
    """One escalation with its clocks: the `warroom status --json` document
    (`warroom.domain.status.status_view`; the API tests keep the two in step)."""

    id: str
    title: str
    customer: str
    severity: str
    triaged: bool
    phase: str
    as_of: datetime
    received_at: datetime
    triaged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    assessment: dict[str, Any]
    tags: dict[str, str]
    roles: dict[str, str]
    unowned: bool = Field(description="no incident_commander yet (opened by an alert)")
    alert_key: str | None = Field(description="the dedup key of the alert that opened it")
    source: dict[str, Any] | None = Field(
        None, description="where imported history came from (system, incident_id, ...; "
                          "`unresolved` when it was still open there); null when live")
    paused: bool
    clocks: dict[str, ClockView]
    most_urgent: str | None
    commitments: list[CommitmentView]
    customer_updates: int
    undelivered_customer_updates: int
    updates: list[UpdateView]
    last_customer_update_at: datetime | None
    decisions: list[DecisionView]
    resolution_summary: str | None
    event_count: int
    last_seq: int


class EventBody(BaseModel):
    """One event of the log."""

    seq: int
    incident_id: str
    kind: EventKind
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]
    idempotency_key: str | None = None


class EventsPage(BaseModel):
    """Events in seq order, and the store's last seq (poll again with `since=last_seq`)."""

    events: list[EventBody]
    last_seq: int


class DraftBody(BaseModel):
    """A draft update kept for its author."""

    incident_id: str
    person: str
    body: dict[str, Any]
    saved_at: datetime


class DraftSaved(BaseModel):
    """Whose draft was kept."""

    incident_id: str
    person: str


class ServerTime(BaseModel):
    """The server's clock (clients show SLA clocks on this time)."""

    now: datetime
    timestamp: float
    last_seq: int


class Whoami(BaseModel):
    """The person a token acts as."""

    person: str
    read_only: bool
    token_id: str


class Health(BaseModel):
    """Liveness, and whether the store answers."""

    status: Literal["ok", "degraded"]
    store: Literal["ok", "unavailable"]
    last_seq: int | None = Field(None, description="the store's last seq (when it answers)")
    error: str | None = Field(None, description="why the store is unavailable")
    subscribers: int = Field(description="live SSE streams")
    published_seq: int = Field(description="the last seq sent to the streams")
    published: int = Field(description="events this server has encoded for its streams (each "
                                       "once: equal to `published_seq` on every server)")


class ErrorBody(BaseModel):
    """Every error: a one-line `error`, and detail fields by kind."""

    error: str = Field(description="one line: what was wrong")
    field: str | None = Field(None, description="the bad field's location (`tags.team`, "
                                                "`to[0]`; 400 and 422)")
    reason: str | None = Field(None, description="what is wrong with it (422)")
    kind: str | None = Field(None, description="the refusal's class (InvalidInput, Refused...)")
    right: str | None = Field(None, description="403: the decision right needed")
    roles: list[str] | None = Field(None, description="403: the roles that hold it")
    holders: dict[str, str] | None = Field(None, description="403: who holds those roles")
    actor: str | None = Field(None, description="403: who asked")


Responses = dict[int | str, dict[str, Any]]
"""Extra responses of a route, for OpenAPI."""

INVALID: Responses = {422: {"model": ErrorBody, "description": "A field's value is wrong: "
                             "`field` names it, `reason` says why"}}
"""The 422 every route with parameters or a body documents (our shape, not FastAPI's)."""
