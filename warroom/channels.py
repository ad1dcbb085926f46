"""`[channels.<name>]` and `[[triggers]]`: where updates and clock alarms go, validated by pydantic.

```toml
[channels.northwind-email]
kind = "email"                  # email | webhook | slack | apprise
smtp = "127.0.0.1:2525"         # host:port; optional starttls, username, password_env
from = "warroom@example.com"
to = ["ops@northwind.example"]
audiences = ["customer"]
customers = ["Northwind Bank"]  # omitted: every customer

[[triggers]]
when = "resolve:at_risk"        # <clock>:<state>, state at_risk | breached
notify = "northwind-email"
```

Secrets never sit in the file: `password_env` (email) and `url_env` (webhook, slack, apprise,
instead of `url`) name environment variables read when a message is sent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from warroom.domain.errors import InvalidInput, location
from warroom.domain.models import Audience, ClockName, ClockState
from warroom.domain.validation import first_problem

TRIGGER_STATES = (ClockState.AT_RISK, ClockState.BREACHED)


class ChannelError(InvalidInput):
    """A channel that cannot send as configured (an unset environment variable)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Channel(_Strict):
    audiences: tuple[Audience, ...] = (Audience.CUSTOMER,)
    """Which updates go here (default: customer updates)."""
    customers: tuple[str, ...] | None = None
    """Only these customers' escalations (default: every customer)."""

    def wants(self, audience: Audience | str, customer: str) -> bool:
        """True when an update for `audience` on `customer`'s escalation goes here."""
        return Audience(audience) in self.audiences and (
            self.customers is None or customer in self.customers)

    def recipients(self) -> tuple[str, ...]:
        """Who receives, as shown in events (never a secret)."""
        raise NotImplementedError


class _UrlChannel(_Channel):
    url: str | None = None
    url_env: str | None = None
    """Environment variable holding the URL (for URLs that embed a secret)."""

    @model_validator(mode="after")
    def _one_url(self) -> _UrlChannel:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        return self

    def target(self) -> str:
        """The URL to send to (reads `url_env` now)."""
        if self.url is not None:
            return self.url
        return _env(str(self.url_env))

    def recipients(self) -> tuple[str, ...]:
        return (self.url if self.url is not None else f"${self.url_env}",)


class EmailChannel(_Channel):
    """Plain-text mail over SMTP."""

    kind: Literal["email"]
    smtp: str
    """`host:port` of the SMTP server."""
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None
    """Environment variable holding the SMTP password."""
    sender: str = Field(alias="from")
    to: tuple[str, ...] = Field(min_length=1)

    @field_validator("smtp")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("expected host:port, e.g. 127.0.0.1:2525")
        return value

    @property
    def host(self) -> str:
        """The SMTP host."""
        return self.smtp.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        """The SMTP port."""
        return int(self.smtp.rpartition(":")[2])

    def password(self) -> str | None:
        """The SMTP password from `password_env` (None without one)."""
        return None if self.password_env is None else _env(self.password_env)

    def recipients(self) -> tuple[str, ...]:
        return self.to


class WebhookChannel(_UrlChannel):
    """POST of the documented JSON body (see `warroom.delivery.message.webhook_body`)."""

    kind: Literal["webhook"]


class SlackChannel(_UrlChannel):
    """A Slack incoming webhook (`{"text": ...}`)."""

    kind: Literal["slack"]


class AppriseChannel(_UrlChannel):
    """Any apprise URL (`mailto://`, `msteams://`, `ntfy://`, `json://` ...)."""

    kind: Literal["apprise"]


Channel = Annotated[EmailChannel | WebhookChannel | SlackChannel | AppriseChannel,
                    Field(discriminator="kind")]


class Trigger(_Strict):
    """`[[triggers]]`: notify a channel when a clock enters a state."""

    when: str
    notify: str

    @field_validator("when")
    @classmethod
    def _clock_state(cls, value: str) -> str:
        clock, sep, state = value.partition(":")
        clocks = ", ".join(c.value for c in ClockName)
        if not sep or clock not in {c.value for c in ClockName}:
            raise ValueError(f"expected <clock>:<state> with clock one of {clocks}")
        if state not in {s.value for s in TRIGGER_STATES}:
            raise ValueError("state must be at_risk or breached")
        return value

    @property
    def clock(self) -> ClockName:
        """The clock watched."""
        return ClockName(self.when.partition(":")[0])

    @property
    def state(self) -> ClockState:
        """The state that fires it."""
        return ClockState(self.when.partition(":")[2])


AnyChannel = EmailChannel | WebhookChannel | SlackChannel | AppriseChannel


class Delivery(_Strict):
    """The `channels` and `triggers` of a config file."""

    channels: dict[str, Channel] = Field(default_factory=dict)
    triggers: tuple[Trigger, ...] = ()

    @model_validator(mode="after")
    def _known_channels(self) -> Delivery:
        for n, trigger in enumerate(self.triggers):
            if trigger.notify not in self.channels:
                known = ", ".join(sorted(self.channels)) or "none configured"
                raise InvalidInput(location(["triggers", n, "notify"]),
                                   f"unknown channel {trigger.notify!r} (known: {known})")
        return self

    def matching(self, audience: Audience | str, customer: str) -> list[tuple[str, AnyChannel]]:
        """The channels an update for `audience` on `customer`'s escalation goes to, by name."""
        return [(name, ch) for name, ch in sorted(self.channels.items())
                if ch.wants(audience, customer)]


NO_DELIVERY = Delivery()
DELIVERY_KEYS = ("channels", "triggers")
"""The top-level config keys read here."""
_KINDS = {"email", "webhook", "slack", "apprise"}


def parse_delivery(data: Mapping[str, Any]) -> Delivery:
    """The `channels` and `triggers` keys of parsed TOML (other keys are ignored).

    Raises:
        InvalidInput: naming the first bad key (`channels.x.smtp`, `triggers[0].when`).
    """
    section = {k: data[k] for k in DELIVERY_KEYS if k in data}
    if not section:
        return NO_DELIVERY
    try:
        return Delivery.model_validate(section)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = list(error["loc"])
        if loc[:1] == ["channels"] and len(loc) > 2 and loc[2] in _KINDS:
            del loc[2]  # the union member pydantic tried: not a key the user wrote
        _, problem = first_problem(exc)
        problem = problem.removeprefix("value error, ")
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc.append("kind")
            problem = "must be one of " + ", ".join(sorted(_KINDS))
            if error["type"] == "union_tag_invalid":
                problem += f" (got {error['ctx']['tag']!r})"
        raise InvalidInput(location(loc) or "channels", problem) from None


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ChannelError(name, "environment variable is not set")
    return value
