"""`[channels.<name>]` and `[[triggers]]`: where updates and clock alarms are sent.

```toml
[channels.northwind-email]
kind = "email"                  # email | webhook | slack | apprise
smtp = "127.0.0.1:2525"         # host:port; optional starttls = true, username, password_env
from = "warroom@example.com"
to = ["ops@northwind.example"]
audiences = ["customer"]        # which updates go here (default: customer)
customers = ["Northwind Bank"]  # omitted: every customer

[[triggers]]
when = "resolve:at_risk"        # <clock>:<state>, state at_risk | breached
notify = "northwind-email"
```

Secrets never sit in the file: `password_env` (email) and `url_env` (webhook, slack, apprise,
instead of `url`) name environment variables, read when a message is sent.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from warroom.config.schema.base import Section, problem, problem_at
from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, ClockName, ClockState

Kind = Literal["email", "webhook", "slack", "apprise"]
_KEYS: dict[str, frozenset[str]] = {
    "email": frozenset({"smtp", "starttls", "username", "password_env", "from", "to"}),
    "webhook": frozenset({"url", "url_env"}),
    "slack": frozenset({"url", "url_env"}),
    "apprise": frozenset({"url", "url_env"}),
}
"""Keys only some kinds take (`kind`, `audiences` and `customers` go with every kind)."""
_REQUIRED = {"email": ("smtp", "from", "to")}
TRIGGER_STATES = (ClockState.AT_RISK, ClockState.BREACHED)


class ChannelError(InvalidInput):
    """A channel that cannot send as configured now (an unset environment variable)."""


class Channel(Section):
    """One `[channels.<name>]` table."""

    model_config = ConfigDict(serialize_by_alias=True)

    kind: Kind
    """email | webhook | slack | apprise."""
    audiences: tuple[Audience, ...] = (Audience.CUSTOMER,)
    """Which updates go here."""
    customers: tuple[str, ...] | None = None
    """Only these customers' escalations (omitted: every customer)."""
    smtp: str | None = None
    """email: `host:port` of the SMTP server."""
    starttls: bool = False
    """email: upgrade the connection with STARTTLS."""
    username: str | None = None
    """email: SMTP login."""
    password_env: str | None = None
    """email: environment variable holding the SMTP password."""
    sender: str | None = Field(default=None, alias="from")
    """email: the From address."""
    to: tuple[Annotated[str, Field(min_length=1)], ...] | None = None
    """email: recipients."""
    url: str | None = None
    """webhook, slack, apprise: where to send (apprise: an apprise URL)."""
    url_env: str | None = None
    """webhook, slack, apprise: environment variable holding the URL (when it embeds a secret)."""

    @field_validator("smtp")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None:
            return value
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise problem("expected host:port, e.g. 127.0.0.1:2525")
        return value

    @field_validator("to")
    @classmethod
    def _someone(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value:
            raise problem("give at least one recipient")
        return value

    @model_validator(mode="after")
    def _keys_of_kind(self) -> Self:
        fields = type(self).model_fields
        written = {fields[f].alias or f for f in fields  # given: not left at its default
                   if getattr(self, f) != fields[f].default}
        for key in sorted(written):
            if any(key in keys for keys in _KEYS.values()) and key not in _KEYS[self.kind]:
                raise problem_at((key,), f"not a key of {_a(self.kind)} channel")
        for key in _REQUIRED.get(self.kind, ()):
            if key not in written:
                raise problem_at((key,), f"missing ({_a(self.kind)} channel needs it)")
        if self.kind != "email" and (self.url is None) == (self.url_env is None):
            raise problem_at(("url",), "give exactly one of url and url_env")
        return self

    def wants(self, audience: Audience | str, customer: str) -> bool:
        """True when an update for `audience` on `customer`'s escalation goes here."""
        return Audience(audience) in self.audiences and (
            self.customers is None or customer in self.customers)

    def recipients(self) -> tuple[str, ...]:
        """Who receives, as events show it (never a secret: `$VAR` for a URL from the
        environment)."""
        if self.kind == "email":
            return self.to or ()
        return (self.url if self.url is not None else f"${self.url_env}",)

    def target(self) -> str:
        """The URL to send to (reads `url_env` now)."""
        return self.url if self.url is not None else _env(str(self.url_env))

    def password(self) -> str | None:
        """The SMTP password from `password_env` (None without one)."""
        return None if self.password_env is None else _env(self.password_env)

    @property
    def host(self) -> str:
        """email: the SMTP host."""
        return str(self.smtp).rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        """email: the SMTP port."""
        return int(str(self.smtp).rpartition(":")[2])


class Trigger(Section):
    """One `[[triggers]]` entry: notify a channel when a clock enters a state."""

    when: str
    """`<clock>:<state>`, e.g. `resolve:at_risk`; state at_risk | breached."""
    notify: str
    """The channel to notify."""

    @field_validator("when")
    @classmethod
    def _clock_state(cls, value: str) -> str:
        clock, sep, state = value.partition(":")
        if not sep or clock not in {c.value for c in ClockName}:
            raise problem("expected <clock>:<state> with clock one of "
                          + ", ".join(c.value for c in ClockName))
        if state not in {s.value for s in TRIGGER_STATES}:
            raise problem("state must be at_risk or breached")
        return value

    @property
    def clock(self) -> ClockName:
        """The clock watched."""
        return ClockName(self.when.partition(":")[0])

    @property
    def state(self) -> ClockState:
        """The state that fires it."""
        return ClockState(self.when.partition(":")[2])


def check_triggers(triggers: list[Trigger], channels: dict[str, Channel]) -> None:
    """Every trigger notifies a configured channel."""
    for n, trigger in enumerate(triggers):
        if trigger.notify not in channels:
            raise problem_at(("triggers", n, "notify"),
                             f"unknown channel {trigger.notify!r} (known: "
                             f"{', '.join(sorted(channels)) or 'none configured'})",
                             trigger.notify)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ChannelError(name, "environment variable is not set")
    return value
